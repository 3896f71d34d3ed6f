import Foundation

/// Tensors written as nested arrays, as the expression language and the
/// CLI's `--at` read them.
extension Tensor {
  /// A tensor from a nested array of numbers, `[[1, 2], [3, 4]]` (shape
  /// 2x2), whose nesting gives the shape; every row of an axis has the same
  /// length.  `nil` when the text is not such an array.  One pass with a
  /// depth counter: no recursion, so any nesting is safe.
  public init?(literal text: String) {
    let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("[") else { return nil }
    var extents: [Int?] = []  // per axis, once the first row of that axis closes
    var counts: [Int] = []  // items so far at each open depth
    var rank: Int?  // the depth at which numbers sit
    var values: [Double] = []
    var closedTop = false
    var expectsItem = true  // after "[" or ","
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      if character.isWhitespace {
        index = text.index(after: index)
        continue
      }
      guard !closedTop else { return nil }
      switch character {
      case "[":
        guard expectsItem, rank.map({ counts.count < $0 }) ?? true else { return nil }
        counts.append(0)
        extents.append(contentsOf: repeatElement(nil, count: max(0, counts.count - extents.count)))
        index = text.index(after: index)
      case "]":
        guard let count = counts.popLast(), count > 0, !expectsItem else { return nil }
        let axis = counts.count
        if let extent = extents[axis], extent != count { return nil }
        extents[axis] = count
        if counts.isEmpty { closedTop = true } else { counts[counts.count - 1] += 1 }
        expectsItem = false
        index = text.index(after: index)
      case ",":
        guard !expectsItem, !counts.isEmpty else { return nil }
        expectsItem = true
        index = text.index(after: index)
      default:
        guard expectsItem, !counts.isEmpty, rank.map({ $0 == counts.count }) ?? true else {
          return nil
        }
        rank = counts.count
        let end =
          text[index...].firstIndex { $0 == "," || $0 == "]" || $0.isWhitespace } ?? text.endIndex
        guard let value = parseNumber(text[index..<end]) else { return nil }
        values.append(value)
        counts[counts.count - 1] += 1
        expectsItem = false
        index = end
      }
    }
    guard closedTop, let rank, extents.count >= rank else { return nil }
    self.init(shape: extents.prefix(rank).map { $0 ?? 0 }, scalars: values)
  }
}
