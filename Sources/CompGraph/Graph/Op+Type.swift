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

  /// From the category: a cast converts, a selection promotes its branches, every other op
  /// promotes its operands.
  var typeRule: TypeRule {
    if case .cast(let target) = self { return .converted(target) }
    switch kind.category {
    case .selection: return .promotedAfterFirst
    case .leaf, .unary, .binary, .variadic, .comparison, .contraction, .reduction, .layout,
      .structured, .custom, .linearAlgebra, .loop:
      return .promoted
    }
  }
}
