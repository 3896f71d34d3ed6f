// FiniteDifferenceError: the error of forward and central finite differences
// of f = σ′ against its exact symbolic derivative σ″ at x = 1, for steps
// h = 10⁻¹ … 10⁻¹⁶, on a log-log chart.  Truncation error falls with h (as h
// forward, h² central) until rounding error, growing as ε/h, takes over.
//
//     swift run -c release FiniteDifferenceError [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct FiniteDifferenceErrorExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "FiniteDifferenceError",
    abstract: "Finite differences of σ′ against the exact symbolic σ″.",
    discussion:
      "Prints the forward and central differences' errors for steps 10⁻¹ … 10⁻¹⁶ and the best step of each, and writes them on a log-log chart (finite-difference-error.svg)."
  )

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    let steps = (4...64).map { pow(10, -Double($0) / 4) }  // four steps per decade
    let x = 1.0
    let errors = try FiniteDifferenceErrors(at: x, steps: steps)
    print("f = σ′ at x = \(x); exact f′ = σ″(x) = \(errors.exact)")
    print("h        forward error  central error")
    for (i, h) in steps.enumerated() where i % 4 == 0 {
      print(String(format: "%-8.0e %-14.3e %.3e", h, errors.forward[i], errors.central[i]))
    }
    for (name, e) in [("forward", errors.forward), ("central", errors.central)] {
      let best = errors.bestStep(e) ?? .nan
      print(String(format: "best %@ step h = %.1e, error %.2e", name, best, e.min() ?? .nan))
    }

    var plot = LinePlot(
      title: "Finite differences of σ′ at x = 1 against the exact σ″", xLabel: "step h",
      yLabel: "absolute error")
    plot.xScale = .log
    plot.yScale = .log
    plot.legend = .bottomLeft
    plot.yRange = 1e-13...1
    // Rounding error of a difference quotient: about ε·|f(x)| / h.
    let rounding = steps.map { Double.ulpOfOne * abs(errors.value) / $0 }
    plot.series = [
      LinePlot.Series("forward (f(x+h) − f(x)) / h", x: steps, y: errors.forward),
      LinePlot.Series("central (f(x+h) − f(x−h)) / 2h", x: steps, y: errors.central),
      LinePlot.Series("rounding estimate ε·|f(x)| / h", x: steps, y: rounding, dashed: true),
    ]
    try plot.write(to: graphs.appending(path: "finite-difference-error.svg"))
    print("wrote \(graphs.path)/finite-difference-error.svg")
  }
}

FiniteDifferenceErrorExample.runAsExample()
