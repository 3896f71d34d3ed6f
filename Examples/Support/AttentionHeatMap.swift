import Foundation

/// Attention weights as SVG heat maps: one square grid per block and head (rows the query
/// characters, columns the key characters they read), darker for more weight, each block a row
/// of heads, the characters along the edges.
public struct AttentionHeatMap: Sendable {
  public var title: String
  /// `weights[layer][head][query][key]`, each row summing to 1.
  public var weights: [[[[Double]]]]
  /// The prompt's characters, one per position.
  public var characters: [Character]

  public init(title: String, weights: [[[[Double]]]], characters: [Character]) {
    self.title = title
    self.weights = weights
    self.characters = characters
  }

  /// The SVG text: cells of 9 px, a gap of 36 px between grids.
  public var svg: String {
    let n = characters.count, cell = 9.0, gap = 36.0, margin = 28.0, top = 54.0
    let grid = Double(n) * cell
    let layers = weights.count, heads = weights.first?.count ?? 0
    let width = margin + Double(heads) * (grid + gap) + margin
    let height = top + Double(layers) * (grid + gap) + 8
    var s = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(Int(width / 2))" y="22" font-size="15" font-weight="bold" text-anchor="middle">\
      \(SVGText.escaped(title))</text>

      """
    func label(_ c: Character) -> String {
      c == "\n" ? "⏎" : c == " " ? "␣" : SVGText.escaped(String(c))
    }
    for l in 0..<layers {
      for h in 0..<heads {
        let x0 = margin + Double(h) * (grid + gap), y0 = top + Double(l) * (grid + gap)
        s +=
          "<text x=\"\(f(x0))\" y=\"\(f(y0 - 14))\" font-size=\"11\">block \(l), head \(h)</text>\n"
        for i in 0..<n {
          for j in 0...i where j < weights[l][h][i].count {
            let w = weights[l][h][i][j]
            let shade = Int((255 * (1 - min(1, max(0, w)).squareRoot())).rounded())
            s +=
              "<rect x=\"\(f(x0 + Double(j) * cell))\" y=\"\(f(y0 + Double(i) * cell))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"rgb(\(shade),\(shade),255)\"/>\n"
          }
          s +=
            "<text x=\"\(f(x0 - 2))\" y=\"\(f(y0 + Double(i) * cell + cell - 1.5))\" font-size=\"8\" text-anchor=\"end\">\(label(characters[i]))</text>\n"
          s +=
            "<text x=\"\(f(x0 + Double(i) * cell + cell / 2))\" y=\"\(f(y0 - 2))\" font-size=\"8\" text-anchor=\"middle\">\(label(characters[i]))</text>\n"
        }
        s +=
          "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(grid))\" height=\"\(f(grid))\" fill=\"none\" stroke=\"#888\"/>\n"
      }
    }
    return s + "</svg>\n"
  }

  private func f(_ x: Double) -> String { String(format: "%.1f", x) }

  public func write(to url: URL) throws { try Data(svg.utf8).write(to: url, options: .atomic) }
}
