/// A dense, row-major tensor of `Double`s.  A scalar has shape `[]` and one element.
public struct Tensor: Sendable, CustomStringConvertible {
  public var shape: Shape
  public var scalars: [Double]

  /// Creates a tensor; `scalars.count` must equal the product of `shape`.
  public init(shape: Shape, scalars: [Double]) {
    precondition(
      shape.elementCount == scalars.count, "Tensor: \(scalars.count) values for shape \(shape)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A scalar tensor.
  public init(_ value: Double) {
    self.shape = []
    self.scalars = [value]
  }

  /// A tensor of the given shape with every element equal to `value`.
  public init(repeating value: Double, shape: Shape) {
    self.shape = shape
    self.scalars = [Double](repeating: value, count: shape.elementCount)
  }

  public var isScalar: Bool { shape.isEmpty }

  /// The single element of a one-element tensor.
  public var scalar: Double? { scalars.count == 1 ? scalars[0] : nil }

  /// Row-major strides of `shape`.
  public static func strides(of shape: Shape) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var stride = 1
    for axis in shape.indices.reversed() {
      strides[axis] = stride
      stride *= shape[axis]
    }
    return strides
  }

  /// Nested-array text, as NumPy prints it: `[[1, 2], [3, 4]]`.
  public var description: String {
    if shape.isEmpty { return formatNumber(scalars[0]) }
    var out = ""
    var index = 0
    func emit(_ axis: Int) {
      out += "["
      for i in 0..<shape[axis] {
        if i > 0 { out += ", " }
        if axis == shape.count - 1 {
          out += formatNumber(scalars[index])
          index += 1
        } else {
          emit(axis + 1)
        }
      }
      out += "]"
    }
    emit(0)  // recursion depth is the tensor's rank, not a graph's depth
    return out
  }
}

extension Tensor: Hashable {
  /// Equality and hashing go by bit pattern, so `-0.0` and `0.0` differ and
  /// every NaN is the same NaN (ARCHITECTURE.md invariant 3).
  public static func == (a: Tensor, b: Tensor) -> Bool {
    a.shape == b.shape
      && a.scalars.elementsEqual(b.scalars) { canonicalBits($0) == canonicalBits($1) }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(shape)
    for value in scalars { hasher.combine(canonicalBits(value)) }
  }
}

/// The bit pattern used to key a constant: NaNs collapse to one quiet NaN.
@inline(__always)
func canonicalBits(_ value: Double) -> UInt64 {
  value.isNaN ? Double.nan.bitPattern : value.bitPattern
}

/// Shortest round-tripping text for a number: `3`, `0.5`, `nan`, `inf`, `-inf`.
package func formatNumber(_ value: Double) -> String {
  if value.isNaN { return "nan" }
  if value.isInfinite { return value < 0 ? "-inf" : "inf" }
  if value == value.rounded(), abs(value) < 1e15 {
    return value == 0 && value.sign == .minus ? "-0" : String(Int64(value))
  }
  return "\(value)"
}
