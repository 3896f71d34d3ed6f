// NewtonRosenbrock: minimising f(x, y) = (1 − x)² + 100(y − x²)² from
// (−1.2, 1) by Newton's method with the exact symbolic Hessian, and by
// gradient descent with a backtracking line search; prints the iterations
// and draws the distance to the minimum (1, 1) per iteration.
//
//     swift run -c release NewtonRosenbrock [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct NewtonRosenbrockExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "NewtonRosenbrock",
    abstract: "Newton's method with the exact symbolic Hessian on Rosenbrock's function.",
    discussion:
      "Prints Newton's and gradient descent's iterations from (−1.2, 1) and writes their distance to the minimum (rosenbrock-convergence.svg)."
  )

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    let rosenbrock = try Rosenbrock()
    print("f, ∇f and the Hessian: one program, \(rosenbrock.graph.operationCount) operations")
    let start = SIMD2(-1.2, 1.0)
    let newton = try rosenbrock.newton(from: start)
    print("Newton's method:")
    for (i, p) in newton.enumerated() {
      print(
        String(
          format: "  %2d  x = %-20.15f y = %-20.15f ‖p − (1,1)‖ = %.2e", i, p.x, p.y,
          Rosenbrock.error(p)))
    }
    let descent = try rosenbrock.gradientDescent(from: start, tolerance: 1e-8)
    let end = descent[descent.count - 1]
    print(
      "gradient descent: \(descent.count - 1) iterations to ‖p − (1,1)‖ = \(String(format: "%.2e", Rosenbrock.error(end)))"
    )
    for i in [0, 10, 100, 1000, 10_000] where i < descent.count {
      print(
        String(
          format: "  %5d  x = %.6f y = %.6f ‖p − (1,1)‖ = %.2e", i, descent[i].x, descent[i].y,
          Rosenbrock.error(descent[i])))
    }

    var plot = LinePlot(
      title: "Rosenbrock from (−1.2, 1): Newton against gradient descent",
      xLabel: "iteration + 1 (1 = the start)",
      yLabel: "distance to the minimum (1, 1)")
    plot.xScale = .log
    plot.yScale = .log
    plot.legend = .bottomRight
    func series(_ name: String, _ path: [SIMD2<Double>]) -> LinePlot.Series {
      LinePlot.Series(name, x: path.indices.map { Double($0 + 1) }, y: path.map(Rosenbrock.error))
    }
    plot.series = [series("Newton (exact Hessian)", newton), series("gradient descent", descent)]
    try plot.write(to: graphs.appending(path: "rosenbrock-convergence.svg"))
    print("wrote \(graphs.path)/rosenbrock-convergence.svg")
  }
}

NewtonRosenbrockExample.runAsExample()
