/// A spy plot of a sparsity pattern as SVG: one square per structural nonzero, filled with its
/// column's colour from a colouring (MATLAB's `spy`, coloured as ColPack's pictures are), a
/// legend of the colours, and the rows' and columns' labels while they fit.
///
/// Past `cellLimit` rows or columns the plot bins the entries: one square per `bin`×`bin` block
/// holding a nonzero, filled with the colour of its nonzeros when they share one and grey when
/// they mix, so that a pattern of 10⁵ columns is a picture of at most `cellLimit`² squares.
public struct SpyPlot: Sendable {
  public let pattern: SparsityPattern
  public let coloring: Coloring
  public let title: String
  /// The rows' and columns' labels (drawn when the plot is not binned and has at most
  /// `labelLimit` of them).
  public let rowLabels: [String]
  public let columnLabels: [String]

  /// The most squares along one side before the plot bins.
  public static let cellLimit = 300
  /// The most labels along one side.
  public static let labelLimit = 60

  public init(
    pattern: SparsityPattern, coloring: Coloring, title: String, rowLabels: [String] = [],
    columnLabels: [String] = []
  ) {
    self.pattern = pattern
    self.coloring = coloring
    self.title = title
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
  }

  /// Entries per square along each side: 1 up to `cellLimit` rows and columns.
  public var bin: Int {
    let side = Swift.max(pattern.rowCount, pattern.columnCount)
    return Swift.max(1, (side + Self.cellLimit - 1) / Self.cellLimit)
  }

  /// The fill of colour c: twelve well-separated hues (Tableau's and ColorBrewer's), then
  /// repeating with a darker stroke.
  public static func fill(_ c: Int) -> String { palette[c % palette.count] }
  static let palette = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
    "#9c755f", "#bab0ac", "#1b9e77", "#7570b3",
  ]
  /// The fill of a binned square whose nonzeros have different colours.
  public static let mixed = "#555555"

  /// The SVG text.
  public var svg: String {
    let bin = self.bin
    let rows = (pattern.rowCount + bin - 1) / bin, columns = (pattern.columnCount + bin - 1) / bin
    let side = Double(Swift.max(rows, columns, 1))
    let cell = Swift.min(16, Swift.max(2, 600 / side))
    let labelled =
      bin == 1 && pattern.rowCount <= Self.labelLimit && pattern.columnCount <= Self.labelLimit
      && rowLabels.count == pattern.rowCount && columnLabels.count == pattern.columnCount
    let labelWidth =
      labelled ? 8 + 6.5 * Double((rowLabels + columnLabels).map(\.count).max() ?? 0) : 0
    let left = 16 + labelWidth, top = 48 + labelWidth
    let gridWidth = Double(columns) * cell, gridHeight = Double(rows) * cell
    let legendTop = top + gridHeight + 24
    let legendRows = (coloring.count + 5) / 6
    let width = Swift.max(left + gridWidth + 16, 460)
    let height = legendTop + Double(legendRows) * 18 + (bin > 1 ? 20 : 0) + 8
    var s = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
      viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif">
      <rect width="100%" height="100%" fill="white"/>
      <text x="16" y="24" font-size="14" font-weight="bold">\(DOTSyntax.htmlEscaped(title))</text>
      <text x="16" y="40" font-size="11">\(summary)</text>
      <rect x="\(n(left))" y="\(n(top))" width="\(n(gridWidth))" height="\(n(gridHeight))" \
      fill="none" stroke="#999"/>

      """
    if labelled {
      for (i, label) in rowLabels.enumerated() {
        s +=
          "<text x=\"\(n(left - 4))\" y=\"\(n(top + (Double(i) + 0.75) * cell))\" font-size=\"\(n(Swift.min(11, cell)))\" text-anchor=\"end\">\(DOTSyntax.htmlEscaped(label))</text>\n"
      }
      for (j, label) in columnLabels.enumerated() {
        let x = left + (Double(j) + 0.75) * cell, y = top - 4
        s +=
          "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(Swift.min(11, cell)))\" transform=\"rotate(-90 \(n(x)) \(n(y)))\">\(DOTSyntax.htmlEscaped(label))</text>\n"
      }
    }
    for square in squares(bin: bin) {
      let fill = square.color.map(Self.fill) ?? Self.mixed
      let label = bin == 1 ? "(\(square.row), \(square.column)), colour \(square.color!)" : ""
      s +=
        "<rect class=\"nz\" x=\"\(n(left + Double(square.column) * cell))\" y=\"\(n(top + Double(square.row) * cell))\" width=\"\(n(cell))\" height=\"\(n(cell))\" fill=\"\(fill)\"><title>\(label.isEmpty ? "rows \(square.row * bin)…, columns \(square.column * bin)…" : label)</title></rect>\n"
    }
    var counts = [Int](repeating: 0, count: coloring.count)
    for c in coloring.colors { counts[c] += 1 }
    for (c, count) in counts.enumerated() {
      let x = 16 + Double(c % 6) * 74, y = legendTop + Double(c / 6) * 18
      s +=
        "<rect class=\"legend\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"12\" height=\"12\" fill=\"\(Self.fill(c))\"/><text x=\"\(n(x + 16))\" y=\"\(n(y + 10))\" font-size=\"10\">\(c): \(count) col.</text>\n"
    }
    if bin > 1 {
      s +=
        "<text x=\"16\" y=\"\(n(legendTop + Double(legendRows) * 18 + 12))\" font-size=\"10\">one square per \(bin)×\(bin) block; grey: colours mixed</text>\n"
    }
    return s + "</svg>\n"
  }

  /// The title's second line: size, nonzeros, colours and the lower bound.
  var summary: String {
    "\(pattern.rowCount)×\(pattern.columnCount), \(pattern.nonzeroCount) nonzeros, "
      + "\(coloring.count) colours (largest row \(pattern.maxRowCount))"
  }

  /// The squares to draw: each block of `bin`×`bin` entries holding a nonzero, with the colour
  /// its nonzeros share (`nil` when they differ), row by row.
  func squares(bin: Int) -> [(row: Int, column: Int, color: Int?)] {
    var found: [Int: Int?] = [:]
    let columns = (pattern.columnCount + bin - 1) / bin
    for (r, c) in zip(pattern.rows, pattern.columns) {
      let key = (r / bin) * columns + c / bin
      let color = coloring.colors[c]
      if let seen = found[key] {
        if seen != color { found[key] = .some(nil) }
      } else {
        found[key] = color
      }
    }
    return found.keys.sorted().map { ($0 / columns, $0 % columns, found[$0]!) }
  }

  /// The plot as text, one line per row of squares (at most `textLimit` along a side): each
  /// nonzero its colour as a digit or letter (0–9, a–z, then `*`), `#` for mixed colours in a
  /// binned square, `.` for a zero; the summary line first.
  public var text: String {
    let side = Swift.max(pattern.rowCount, pattern.columnCount)
    let bin = Swift.max(1, (side + Self.textLimit - 1) / Self.textLimit)
    let rows = (pattern.rowCount + bin - 1) / bin, columns = (pattern.columnCount + bin - 1) / bin
    var grid = [[Character]](repeating: Array(repeating: ".", count: columns), count: rows)
    for square in squares(bin: bin) {
      grid[square.row][square.column] = square.color.map(Self.symbol) ?? "#"
    }
    let note = bin > 1 ? " — one character per \(bin)×\(bin) block" : ""
    return "\(title): \(summary)\(note)\n" + grid.map { String($0) + "\n" }.joined()
  }

  /// The most characters along one side of `text`.
  public static let textLimit = 100

  /// Colour c as one character: 0–9, a–z, then `*`.
  static func symbol(_ c: Int) -> Character {
    let symbols = Array("0123456789abcdefghijklmnopqrstuvwxyz")
    return c < symbols.count ? symbols[c] : "*"
  }

  /// A coordinate to one decimal, without a trailing `.0`.
  private func n(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : "\(r)"
  }
}
