/// A dense, row-major tensor.  A scalar has shape `[]` and one element.
/// The elements are held as `Double`s whatever the `dtype`: an f32 tensor's
/// are f32 values (each exactly representable as a `Float`).
public struct Tensor: Sendable, CustomStringConvertible {
  public var shape: Shape
  public var scalars: [Double]
  /// The element type; f64 unless made otherwise (`rounded(to:)`).
  public internal(set) var dtype: DType = .f64

  /// Creates a tensor; `scalars.count` must equal the product of `shape`.
  public init(shape: Shape, scalars: [Double]) {
    precondition(
      shape.elementCount == scalars.count, "Tensor: \(scalars.count) values for shape \(shape)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of element type `dtype`, its `scalars` rounded to it.
  public init(shape: Shape, scalars: [Double], dtype: DType) {
    self.init(shape: shape, scalars: scalars)
    self = rounded(to: dtype)
  }

  /// The same tensor in `dtype`: each element rounded to nearest (ties to
  /// even) when that is f32, unchanged when it is f64.
  public func rounded(to dtype: DType) -> Tensor {
    var copy = self
    copy.dtype = dtype
    if dtype == .f32 && self.dtype != .f32 { copy.scalars = scalars.map { Double(Float($0)) } }
    return copy
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
  package static func strides(of shape: Shape) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var stride = 1
    for axis in shape.indices.reversed() {
      strides[axis] = stride
      stride *= shape[axis]
    }
    return strides
  }

  /// Nested-array text, as NumPy prints it: `[[1, 2], [3, 4]]` (an f32
  /// tensor's elements as the shortest text that reads back to them in f32).
  public var description: String {
    var out = ""
    writeDescription(number: { formatNumber($0, dtype) }, to: { out += $0 })
    return out
  }

  /// `description` in pieces, each element's text made by `number`: the
  /// brackets, separators and numbers go to `sink` one at a time, so the
  /// text of a large tensor need not be held whole (the command line writes
  /// a 10⁸-entry Jacobian this way).
  package func writeDescription(number: (Double) -> String, to sink: (String) -> Void) {
    if shape.isEmpty { return sink(number(scalars[0])) }
    var index = 0
    func emit(_ axis: Int) {
      sink("[")
      for i in 0..<shape[axis] {
        if i > 0 { sink(", ") }
        if axis == shape.count - 1 {
          sink(number(scalars[index]))
          index += 1
        } else {
          emit(axis + 1)
        }
      }
      sink("]")
    }
    emit(0)  // recursion depth is the tensor's rank, not a graph's depth
  }
}

extension Tensor: Hashable {
  /// Equality and hashing go by element type and bit pattern, so `-0.0` and `0.0` differ and
  /// every NaN is the same NaN (ARCHITECTURE.md invariant 3).
  public static func == (a: Tensor, b: Tensor) -> Bool {
    a.shape == b.shape && a.dtype == b.dtype
      && a.scalars.elementsEqual(b.scalars) { canonicalBits($0) == canonicalBits($1) }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(shape)
    hasher.combine(dtype)
    for value in scalars { hasher.combine(canonicalBits(value)) }
  }
}

/// The bit pattern used to key a constant: NaNs collapse to one quiet NaN.
@inline(__always)
func canonicalBits(_ value: Double) -> UInt64 {
  value.isNaN ? Double.nan.bitPattern : value.bitPattern
}

/// Shortest text that reads back to `value` in `dtype`: `0.1` for the f32
/// nearest 0.1 (0.100000001490116… as an f64).
package func formatNumber(_ value: Double, _ dtype: DType) -> String {
  switch dtype {
  case .f64: formatNumber(value)
  case .f32 where value.isFinite && value != value.rounded(): "\(Float(value))"
  case .f32: formatNumber(value)
  }
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
