/// The static shape of a tensor: its extent along each axis, outermost first.
/// A scalar has the empty shape `[]`.
public typealias Shape = [Int]

extension Array where Element == Int {
  /// The most elements a shape may have: 2⁴⁰ ≈ 1.1·10¹² (8 TiB of doubles).
  /// A larger (or overflowing) shape is an error where it is declared or
  /// inferred, so every element count, and every sum of a graph's counts,
  /// fits an `Int`.
  package static let maxElementCount = 1 << 40

  /// The number of elements a tensor of this shape holds (`1` for a scalar).
  /// Every shape in a graph is within `maxElementCount` (see
  /// `checkedElementCount`), so this product cannot overflow.
  package var elementCount: Int { reduce(1, *) }

  /// The element count, or `nil` when it overflows or exceeds `maxElementCount`
  /// (a negative extent also gives `nil`).
  package var checkedElementCount: Int? {
    var count = 1
    for extent in self {
      guard extent >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      guard !overflow, product <= Shape.maxElementCount else { return nil }
      count = product
    }
    return count
  }

  /// `[2, 3]` prints as `2x3`, a scalar as `scalar`.
  package var shapeDescription: String {
    isEmpty ? "scalar" : map(String.init).joined(separator: "x")
  }
}

/// NumPy broadcasting of two shapes: axes are aligned from the right, and an
/// axis of extent 1 stretches to match the other.  Returns `nil` when they clash.
///
///     broadcast([3, 1], [4]) == [3, 4]
func broadcastShapes(_ a: Shape, _ b: Shape) -> Shape? {
  let rank = Swift.max(a.count, b.count)
  var result = [Int](repeating: 1, count: rank)
  for axis in 0..<rank {
    let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
    let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
    if da == db || db == 1 {
      result[axis] = da
    } else if da == 1 {
      result[axis] = db
    } else {
      return nil
    }
  }
  return result
}

/// Whether a tensor of shape `from` broadcasts to exactly `to`.
func broadcasts(_ from: Shape, to: Shape) -> Bool {
  broadcastShapes(from, to) == to
}
