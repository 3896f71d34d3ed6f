import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

@Suite struct LinePlotTests {
  private func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }

  @Test func undrawablePointsBreakTheLine() {
    var plot = LinePlot(title: "t", xLabel: "x", yLabel: "y")
    plot.series = [
      LinePlot.Series("a", x: [0, 1, 2, 3, 4, 5], y: [0, 1, .nan, 3, .infinity, 5]),
      LinePlot.Series("b", x: [0, 1], y: [1, 2]),
    ]
    // a: [0,1] [3] [5]; b: one run.
    #expect(count("<polyline", in: plot.svg()) == 4)
    plot.yScale = .log
    // On a log axis 0 cannot be drawn either: a: [1] [3] [5]; b: one run.
    #expect(count("<polyline", in: plot.svg()) == 4)
  }

  @Test func legendNamesEverySeriesEscaped() {
    var plot = LinePlot(title: "a < b & c", xLabel: "x", yLabel: "y")
    plot.series = ["sin", "cos", "x<0"].map { LinePlot.Series($0, x: [0, 1], y: [0, 1]) }
    let svg = plot.svg()
    #expect(
      svg.contains(">sin</text>") && svg.contains(">cos</text>") && svg.contains(">x&lt;0</text>"))
    #expect(svg.contains(">a &lt; b &amp; c</text>"))
    plot.legend = .bottomLeft
    #expect(plot.svg().contains(">x&lt;0</text>"))
    plot.series.removeLast(2)
    #expect(!plot.svg().contains(">sin</text>"), "a single series needs no legend")
  }

  @Test func logAxesTickEveryDecade() {
    var plot = LinePlot(title: "t", xLabel: "h", yLabel: "error")
    plot.xScale = .log
    plot.yScale = .log
    plot.series = [LinePlot.Series("e", x: [1e-8, 1e-4, 1], y: [1e-3, 1e-2, 1e3])]
    let svg = plot.svg()
    for label in ["1e-8", "1e-6", "1e-4", "0.01", "1", "1e-3", "0.1", "10", "100", "1e3"] {
      #expect(svg.contains(">\(label)</text>"), "tick label \(label)")
    }
  }

  @Test func manyDecadesLabelEveryOther() {
    var plot = LinePlot(title: "t", xLabel: "h", yLabel: "error")
    plot.xScale = .log
    plot.series = [LinePlot.Series("e", x: [1e-16, 1], y: [0, 1])]
    let svg = plot.svg()
    #expect(
      svg.contains(">1e-16</text>") && svg.contains(">1e-14</text>")
        && !svg.contains(">1e-15</text>"))
  }

  @Test func linearTicksStepByOneTwoOrFive() {
    var plot = LinePlot(title: "t", xLabel: "x", yLabel: "y")
    plot.xRange = -7...7
    plot.yRange = 0...1
    plot.series = [LinePlot.Series("e", x: [-7, 7], y: [0, 1])]
    let svg = plot.svg()
    for label in ["-6", "-4", "0", "6", "0.0", "0.2", "1.0"] {
      #expect(svg.contains(">\(label)</text>"), "tick label \(label)")
    }
    #expect(!svg.contains(">-0.0</text>") && !svg.contains(">5</text>"))
  }

  @Test func outputIsDeterministicAndWrittenAtomically() throws {
    func plot() -> LinePlot {
      var p = LinePlot(title: "t", xLabel: "x", yLabel: "y")
      p.series = [
        LinePlot.Series("s", x: (0..<50).map(Double.init), y: (0..<50).map { sin(Double($0)) })
      ]
      return p
    }
    #expect(plot().svg() == plot().svg())
    let directory = FileManager.default.temporaryDirectory.appending(path: "lineplot-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appending(path: "plot.svg")
    try plot().write(to: file)
    #expect(try String(contentsOf: file, encoding: .utf8) == plot().svg())
    #expect(throws: (any Error).self) {
      try plot().write(to: directory.appending(path: "missing/plot.svg"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plot.svg"])
  }
}
