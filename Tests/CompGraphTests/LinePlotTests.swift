import Foundation
import Testing

@testable import CompGraph
@testable import ExampleSupport

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

  /// The text of every `<text …>` element carrying `attribute`.
  private func texts(_ svg: String, with attribute: String) -> [String] {
    svg.split(separator: "\n").filter { $0.hasPrefix("<text") && $0.contains(attribute) }.map {
      String($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
    }
  }

  /// The picture's width, from its `<svg … width="…"` header.
  private func width(_ svg: String) -> Double {
    let header = svg.prefix { $0 != ">" }
    let value = header.components(separatedBy: " width=\"")[1].prefix { $0 != "\"" }
    return Double(value)!
  }

  /// A title wider than the chart wraps onto more lines, each within the
  /// picture, and the picture grows by a line's height for each.
  @Test func aLongTitleWrapsInsteadOfLeavingThePicture() {
    var plot = LinePlot(
      title: "CharRNN on a-rather-long-corpus-name.txt: training loss against the uniform guess",
      xLabel: "x", yLabel: "y")
    plot.width = 480
    plot.series = [LinePlot.Series("a", x: [0, 1], y: [0, 1])]
    let svg = plot.svg()
    let lines = texts(svg, with: "font-weight=\"bold\"")
    #expect(lines.count == 2, "\(lines)")
    #expect(lines.joined(separator: " ") == plot.title)
    for line in lines {
      #expect(SVGText.width(line, fontSize: 16, bold: true) <= width(svg) - 16, "\(line)")
    }
    #expect(svg.contains("height=\"480\""))  // 460 and one more line
    plot.title = "short"
    #expect(
      texts(plot.svg(), with: "font-weight").count == 1 && plot.svg().contains("height=\"460\""))
  }

  /// The Spirals picture's title (cut at "…training accuracy 99" before)
  /// wraps within its 480 px.
  @Test func theDecisionBoundaryTitleFitsThePicture() {
    let plot = DecisionBoundaryPlot(
      title: "Spirals: decision boundary of a 2-32-32-3 tanh MLP, training accuracy 99.3%",
      extent: 1, cellsPerSide: 2)
    #expect(plot.cellCentres == [-0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5])
    let svg = plot.svg(predicted: [0, 1, 2, 0], points: [(x: 0, y: 0)], labels: [1])
    let lines = texts(svg, with: "x=\"8\"")
    #expect(lines.count == 2 && lines.joined(separator: " ") == plot.title, "\(lines)")
    #expect(
      SVGText.width(plot.title, fontSize: 13) > 480 - 16,
      "the title must not fit on one line, or this test checks nothing")
    for line in lines { #expect(SVGText.width(line, fontSize: 13) <= 480 - 16, "\(line)") }
    #expect(lines[1].split(separator: " ").count >= 4, "balanced, not one word left over")
    #expect(svg.contains("height=\"526\"") && svg.contains("translate(0,46.0)"))
    #expect(svg.components(separatedBy: "<rect").count - 1 == 4)
    #expect(svg.contains("<circle cx=\"240.0\" cy=\"240.0\""))
  }

  /// The width estimate is Helvetica's advance widths in three classes.
  @Test func textWidthsFollowHelveticasClasses() {
    #expect(abs(SVGText.width("ii", fontSize: 10) - 6.6) < 1e-12)
    #expect(abs(SVGText.width("00", fontSize: 10) - 11.2) < 1e-12)
    #expect(abs(SVGText.width("MW", fontSize: 10) - 17.8) < 1e-12)
    #expect(SVGText.wrapped("aaaa bbbb cccc", within: 60, fontSize: 10) == ["aaaa bbbb", "cccc"])
    #expect(SVGText.wrapped("", within: 60, fontSize: 10) == [""])
  }
}
