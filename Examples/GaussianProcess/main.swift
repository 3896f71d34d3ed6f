// GaussianProcess: fitting the three hyperparameters (ln ℓ, ln σ_f, ln σ_n) of an RBF-kernel
// Gaussian process to 40 noisy observations of sin x + 0.1 cos 3x by Newton's method, with the
// exact Hessian of the negative log marginal likelihood (cholesky, triangular_solve and their
// derivative rules); prints the iterations and draws the posterior mean and its ±2σ band.
//
//     swift run -c release GaussianProcess [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct GaussianProcessExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "GaussianProcess",
    abstract: "Newton's method with the exact Hessian on a Gaussian process's likelihood.",
    discussion:
      "Prints the Newton iterations from (ln ℓ, ln σ_f, ln σ_n) = (0, 0, −1) and writes the posterior mean and ±2σ band (gaussian-process.svg)."
  )

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    let (x, y) = GaussianProcess.observations(count: 40, noise: 0.1, seed: 30)
    let gp = try GaussianProcess(x: x, y: y)
    print(
      "NLL and its gradient: \(gp.gradientGraph.operationCount) operations; with its Hessian: \(gp.hessianGraph.operationCount)"
    )
    let path = try gp.fit(from: [0, 0, -1])
    print("Newton's method:")
    for (i, step) in path.enumerated() {
      print(
        String(
          format: "  %2d  ln ℓ = %9.6f  ln σ_f = %9.6f  ln σ_n = %9.6f  NLL = %.12f  max|∇| = %.2e",
          i, step.theta[0], step.theta[1], step.theta[2], step.value, step.gradientNorm))
    }
    let theta = path[path.count - 1].theta
    print(
      String(
        format: "ℓ = %.4f, σ_f = %.4f, σ_n = %.4f (the data's noise: 0.1)", exp(theta[0]),
        exp(theta[1]), exp(theta[2])))
    let grid = (0...200).map { 10 * Double($0) / 200 }
    let (mean, deviation) = try gp.posterior(at: grid, theta: theta)
    var plot = LinePlot(
      title: "Gaussian process fitted by Newton's method: posterior mean and ±2σ",
      xLabel: "x", yLabel: "f(x)")
    plot.legend = .bottomLeft
    plot.bands = [
      LinePlot.Band(
        "±2σ", x: grid, lower: zip(mean, deviation).map { $0 - 2 * $1 },
        upper: zip(mean, deviation).map { $0 + 2 * $1 })
    ]
    plot.series = [
      LinePlot.Series(
        "sin x + 0.1 cos 3x", x: grid, y: grid.map { sin($0) + 0.1 * cos(3 * $0) }, dashed: true),
      LinePlot.Series("posterior mean", x: grid, y: mean),
      LinePlot.Series("observations", x: x, y: y, markers: true),
    ]
    try plot.write(to: graphs.appending(path: "gaussian-process.svg"))
    print("wrote \(graphs.path)/gaussian-process.svg")
  }
}

GaussianProcessExample.runAsExample()
