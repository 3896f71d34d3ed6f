/// The element type of each op's result (ARCHITECTURE.md invariant 5).
extension Op {
  /// How an op's element type follows from its operands' (`ElementType`).
  enum TypeRule {
    /// The promotion of every operand's type: the largest of weak < f32 < f64.
    case promoted
    /// The promotion of every operand's type but the first (`where`'s
    /// condition only selects, as a boolean does in JAX).
    case promotedAfterFirst
    /// This type, whatever the operand's.
    case converted(DType)
  }

  var typeRule: TypeRule {
    switch self {
    case .cast(let target): .converted(target)
    case .select: .promotedAfterFirst
    case .variable, .constant, .add, .mul, .pow, .power, .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs,
      .sign, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .tan, .atan,
      .asin, .acos, .sinh, .cosh, .erf, .log1p, .expm1, .cbrt, .einsum, .sumTo, .broadcastTo,
      .reshape, .reduceMax, .slice, .pad, .oneHot, .atan2, .custom, .solve, .inverse, .determinant,
      .cholesky, .triangularSolve, .logdet:
      .promoted
    }
  }
}
