import Foundation

/// A classifier's decision boundary as SVG text: the class predicted at the
/// centre of each cell of an n × n grid over [−extent, extent]², drawn as
/// pale cells, with the training points on top in the strong colour of their
/// class, under a title that wraps (the picture growing taller) rather than
/// leaving the picture.
public struct DecisionBoundaryPlot: Sendable {
  public var title: String
  /// The half-width of the square drawn.
  public var extent: Double
  /// Cells per side.
  public var cellsPerSide: Int
  /// The side of the square in pixels.
  public var size = 480.0

  /// Cell and point colours, by class (then repeated).
  static let fills = ["#f6d1b1", "#c9e3c3", "#cfd8f0"]
  static let strokes = ["#c0600e", "#2f7d32", "#2f4f97"]

  public init(title: String, extent: Double, cellsPerSide: Int) {
    self.title = title
    self.extent = extent
    self.cellsPerSide = cellsPerSide
  }

  /// The cell centres, row by row from the top left, as [n², 2] scalars
  /// (x, y): what the classifier is asked about.
  public var cellCentres: [Double] {
    let n = cellsPerSide
    return (0..<n * n).flatMap { k -> [Double] in
      let (row, column) = (k / n, k % n)
      return [
        -extent + 2 * extent * (Double(column) + 0.5) / Double(n),
        extent - 2 * extent * (Double(row) + 0.5) / Double(n),
      ]
    }
  }

  /// The SVG document: `predicted` holds the class of each cell centre (in
  /// `cellCentres`' order), `points` the training points' (x, y) and
  /// `labels` their classes.
  public func svg(predicted: [Int], points: [(x: Double, y: Double)], labels: [Int]) -> String {
    let lines = SVGText.wrapped(title, within: size - 16, fontSize: 13)
    let head = 10 + 18 * Double(lines.count)
    let cell = size / Double(cellsPerSide)
    func pixel(_ x: Double, _ y: Double) -> (Double, Double) {
      ((x + extent) / (2 * extent) * size, (extent - y) / (2 * extent) * size)
    }
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(size))" height="\(Int(size + head))" \
      font-family="Helvetica, Arial, sans-serif" font-size="13">

      """
    for (k, line) in lines.enumerated() {
      svg += "<text x=\"8\" y=\"\(20 + 18 * k)\">\(SVGText.escaped(line))</text>\n"
    }
    svg += "<g transform=\"translate(0,\(head))\" shape-rendering=\"crispEdges\">\n"
    for (k, arm) in predicted.enumerated() {
      let x = Double(k % cellsPerSide) * cell, y = Double(k / cellsPerSide) * cell
      svg +=
        "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell + 0.05)\" height=\"\(cell + 0.05)\" fill=\"\(Self.fills[arm % Self.fills.count])\"/>\n"
    }
    svg += "</g><g transform=\"translate(0,\(head))\">\n"
    for (point, arm) in zip(points, labels) {
      let (x, y) = pixel(point.x, point.y)
      svg +=
        "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3\" fill=\"\(Self.strokes[arm % Self.strokes.count])\" stroke=\"white\" stroke-width=\"0.6\"/>\n"
    }
    return svg + "</g></svg>\n"
  }
}
