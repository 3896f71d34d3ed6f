/// How a tensor plan runs each op (ARCHITECTURE.md invariant 5: one
/// exhaustive table).
enum StepClass {
  /// Bound by the caller or stored in the program.
  case leaf
  /// One output element from the same element of each input (broadcast):
  /// fused into elementwise loops.
  case elementwise
  /// The input's storage under another shape: no step, no copy.
  case alias
  /// An einsum or `sum_to`: a `ContractionStep`.
  case contraction
  /// Along one axis: an `AxisStep`.
  case axis

  init(_ op: Op) {
    switch op {
    case .variable, .constant: self = .leaf
    case .add, .mul, .pow, .power, .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs, .sign, .maximum,
      .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .select, .tan, .atan, .asin,
      .acos, .sinh, .cosh, .erf, .log1p, .expm1, .cbrt, .broadcastTo:
      self = .elementwise
    case .reshape: self = .alias
    case .einsum, .sumTo: self = .contraction
    case .reduceMax, .slice, .pad, .oneHot: self = .axis
    }
  }
}
