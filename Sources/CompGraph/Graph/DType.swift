/// The element type of a tensor: IEEE binary64 (`f64`, the default) or
/// binary32 (`f32`, what networks are trained in).
///
/// Every node of a graph has one (`Graph.dtype(of:)`).  Promotion follows
/// JAX and NumPy: an operation on f32 and f64 operands is f64, and a literal
/// takes the type of the other side (`x * 2` is f32 for an f32 `x`; see
/// `ElementType`).  `cast(x, .f32)` converts explicitly.
public enum DType: String, Sendable, CaseIterable, Codable {
  case f32
  case f64

  /// The size of one element in bytes.
  public var byteCount: Int {
    switch self {
    case .f32: 4
    case .f64: 8
    }
  }

  /// `value` rounded to this type (to nearest, ties to even; f64 is itself).
  @inline(__always)
  public func round(_ value: Double) -> Double {
    switch self {
    case .f32: Double(Float(value))
    case .f64: value
    }
  }
}

/// A node's element type as promotion sees it: a *weak* node is a literal
/// (an f64 constant) or computed from literals only, and takes the type of
/// whatever it meets, as a Python scalar does in JAX.  The raw values order
/// the types so that promotion is `max`: weak < f32 < f64.
///
///     promote(weak, f32) = f32    promote(f32, f64) = f64    promote(weak, weak) = weak
package enum ElementType: UInt8, Sendable, Comparable {
  /// A literal: stored and computed as f64, but rounded to the other side's type where it meets one.
  case weak = 0
  case f32 = 1
  case f64 = 2

  init(_ dtype: DType) {
    switch dtype {
    case .f32: self = .f32
    case .f64: self = .f64
    }
  }

  /// The type values are stored in (a weak node holds f64 values).
  package var dtype: DType {
    switch self {
    case .weak, .f64: .f64
    case .f32: .f32
    }
  }

  package static func < (a: ElementType, b: ElementType) -> Bool { a.rawValue < b.rawValue }

  /// Whether a value of this type stands where `target` is expected only after
  /// a cast: every mismatch except a literal where f64 is expected (it is an
  /// f64 already, so no f64 graph gains a cast).
  func needsCast(to target: ElementType) -> Bool {
    self != target && !(self == .weak && target == .f64)
  }
}

extension Graph {
  /// Throws, for `what` (an export that writes f64 only), when some node has f32 values.
  func requireF64(for what: String) throws {
    if let id = ids.first(where: { dtype($0) == .f32 }) {
      throw GraphError.unsupported(
        "\(what): node \(id) has f32 values, and this export writes f64 only; "
          + "declare the graph's variables f64 to export it")
    }
  }
}
