// TaylorSeries: Taylor polynomials about 0 of f(x) = exp(−x²), with every
// coefficient f⁽ᵏ⁾(0)/k! from a symbolic derivative, plotted against f.
//
//     swift run -c release TaylorSeries [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct TaylorSeriesExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "TaylorSeries",
    abstract: "Taylor polynomials of exp(−x²) about 0 from symbolic derivatives.",
    discussion:
      "Prints each coefficient f⁽ᵏ⁾(0)/k! and the error of each polynomial on [−1, 1], and writes them against the function (taylor-series.svg)."
  )

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    let degree = 12
    let series = try TaylorSeries(of: { x in exp(-(x * x)) }, at: 0, degree: degree)
    print("k   f⁽ᵏ⁾(0)/k!        operations in f⁽ᵏ⁾")
    for (k, c) in series.coefficients.enumerated() {
      print(String(format: "%-3d %-17.10f %d", k, c + 0, series.operationCounts[k]))  // + 0: no −0
    }
    let xs = (0...600).map { -3 + Double($0) / 100 }
    print("degree  max |Tₙ − f| on [−1, 1]")
    for n in stride(from: 2, through: degree, by: 2) {
      let worst =
        xs.filter { abs($0) <= 1 }.map { abs(series.polynomial(degree: n, at: $0) - exp(-$0 * $0)) }
        .max() ?? .nan
      print(String(format: "%-7d %.2e", n, worst))
    }

    // Beyond |x| ≈ 2 the polynomials run off to ±300: the window clips them.
    var plot = LinePlot(
      title: "Taylor polynomials of exp(−x²) about 0", xLabel: "x", yLabel: "value")
    plot.yRange = -0.6...1.4
    plot.series = [LinePlot.Series("exp(−x²)", x: xs, y: xs.map { exp(-$0 * $0) })]
    for n in stride(from: 2, through: degree, by: 2) {
      plot.series.append(
        LinePlot.Series(
          "T\(n)", x: xs, y: xs.map { series.polynomial(degree: n, at: $0) }, dashed: true))
    }
    try plot.write(to: graphs.appending(path: "taylor-series.svg"))
    print("wrote \(graphs.path)/taylor-series.svg")
  }
}

TaylorSeriesExample.runAsExample()
