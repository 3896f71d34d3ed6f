/// Text for the examples' SVG charts: escaping, an estimate of how wide a
/// line draws, and titles wrapped to fit.
///
/// SVG has no text layout of its own: a `<text>` wider than the picture is
/// cut at its edge.  The charts therefore estimate each line's width from
/// Helvetica's advance widths, in three classes (per em: narrow
/// `ilj.,:;'|!()[] ` and `ft` and `r` ≈ 0.28–0.33, wide capitals, `m`, `w`,
/// `%`, `@` ≈ 0.83–0.89, everything else ≈ 0.56, the width of a digit), and
/// wrap a title at spaces so that no line is wider than the picture.
enum SVGText {
  /// `s` with `&`, `<`, `>` escaped for SVG text.
  static func escaped(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  /// About how wide `s` draws in Helvetica at `fontSize` (bold draws about
  /// 6% wider), rounded up rather than down.
  static func width(_ s: String, fontSize: Double, bold: Bool = false) -> Double {
    let ems = s.reduce(0.0) { sum, c in
      sum
        + (narrow.contains(c)
          ? 0.33
          : wide.contains(c) || (c.isUppercase && !"IJL".contains(c))
            ? 0.89 : 0.56)
    }
    return ems * fontSize * (bold ? 1.06 : 1)
  }

  /// The words of `s` as lines no wider than `limit` (a single word wider
  /// than that gets a line of its own), balanced: as few lines as fit, each
  /// as narrow as that many lines allow (the narrowest limit, to a pixel,
  /// at which filling lines greedily still needs no more of them), so a
  /// wrapped title does not leave one word alone on its last line.
  static func wrapped(_ s: String, within limit: Double, fontSize: Double, bold: Bool = false)
    -> [String]
  {
    let lines = greedy(s, within: limit, fontSize: fontSize, bold: bold)
    var (low, high) = (0.0, limit)
    while high - low > 1 {
      let middle = (low + high) / 2
      if greedy(s, within: middle, fontSize: fontSize, bold: bold).count > lines.count {
        low = middle
      } else {
        high = middle
      }
    }
    return greedy(s, within: high, fontSize: fontSize, bold: bold)
  }

  /// Words filled into each line while they fit.
  private static func greedy(_ s: String, within limit: Double, fontSize: Double, bold: Bool)
    -> [String]
  {
    var lines: [String] = []
    for word in s.split(separator: " ", omittingEmptySubsequences: true) {
      if let last = lines.last,
        width(last + " " + word, fontSize: fontSize, bold: bold) <= limit
      {
        lines[lines.count - 1] = last + " " + word
      } else {
        lines.append(String(word))
      }
    }
    return lines.isEmpty ? [""] : lines
  }

  private static let narrow: Set<Character> = Set("ilj.,:;'|!()[] ftrI")
  private static let wide: Set<Character> = Set("mwMW%@")
}
