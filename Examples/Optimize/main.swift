// Optimize: the chained Rosenbrock function of N = 10⁴ variables (W13's f),
//
//     f(x) = Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²,
//
// minimised under the bounds −2 ≤ xᵢ ≤ 0.8 (every unconstrained minimiser, x = 1, is cut off)
// from the classic start (−1.2, 1, −1.2, 1, …), by a log-barrier method whose Newton steps use
// the sparse Hessian (pattern, star colouring, three sweeps) and a sparse Cholesky solve
// (`BarrierNewton`); prints each Newton step and draws the projected gradient per step.
//
//     swift run -c release Optimize [--n N] [--out DIR]
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct OptimizeExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "Optimize",
    abstract: "Bound-constrained chained Rosenbrock by Newton's method with the sparse Hessian.",
    discussion:
      "Prints each Newton step of a log-barrier method (the barrier μ, f, the barrier gradient, the projected gradient, the step, the Cholesky shift and the variables at a bound) and writes the projected gradient per step (optimize-convergence.svg)."
  )

  @Option(help: "The number of variables.")
  var n = 10_000

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard (2...1_000_000).contains(n) else { throw ValidationError("--n takes 2 … 1000000") }
  }

  func run() throws {
    let pictures = try output.directory()
    let start = DispatchTime.now().uptimeNanoseconds
    func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    let (f, x) = try Workload.chainedRosenbrock(n)
    let solver = try BarrierNewton(
      f: f, x: x, lower: Array(repeating: -2, count: n), upper: Array(repeating: 0.8, count: n))
    let pattern = solver.sparse.pattern
    print(
      "chained Rosenbrock, N = \(n), −2 ≤ xᵢ ≤ 0.8: Hessian \(pattern.nonzeroCount) nonzeros, "
        + "\(solver.sparse.coloring.count) colours (largest row \(pattern.maxRowCount)); "
        + String(format: "f, ∇f and the Hessian's nonzeros compiled in %.2f s", seconds()))
    print(
      "  step        μ             f         ‖∇φ‖∞    projected ∇f    step     shift  at bounds")
    var projected: [Double] = []
    let solution = try solver.minimize(
      from: (0..<n).map { $0 % 2 == 0 ? -1.2 : 1 }
    ) { step in
      projected.append(step.projectedGradient)
      print(
        String(
          format: "  %4d  %7.1e  %20.12e  %9.2e  %12.2e  %7.4f  %8.1e  %9d", projected.count,
          step.barrier, step.objective, step.barrierGradient, step.projectedGradient, step.step,
          step.shift, step.atBounds))
    }
    let (value, gradient) = try solver.valueAndGradient(solution)
    let atUpper = solution.filter { 0.8 - $0 < 1e-6 }.count
    print(
      String(
        format:
          "KKT point after %d Newton steps (%.2f s): f = %.12e, projected gradient %.1e, %d of %d variables at the upper bound",
        projected.count, seconds(), value, solver.projectedGradient(solution, gradient), atUpper,
        n))
    print(
      "x[0…5] = "
        + solution.prefix(6).map { String(format: "%.6f", $0) }.joined(separator: ", "))
    var plot = LinePlot(
      title: "Chained Rosenbrock, N = \(n), −2 ≤ xᵢ ≤ 0.8: barrier Newton",
      xLabel: "Newton step", yLabel: "projected gradient ‖x − clamp(x − ∇f, l, u)‖∞")
    plot.yScale = .log
    plot.series = [
      LinePlot.Series(
        "projected gradient", x: projected.indices.map { Double($0 + 1) },
        y: projected.map { max($0, 1e-17) })
    ]
    try plot.write(to: pictures.appending(path: "optimize-convergence.svg"))
    print("wrote \(pictures.path)/optimize-convergence.svg")
  }
}

OptimizeExample.runAsExample()
