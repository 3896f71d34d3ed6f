/// Phase 2: constant folding.  One rule, and it reuses the evaluator's
/// semantics table (`Op.apply`), so folding computes exactly what evaluation
/// would (egg's "constant folding is an analysis, not a pile of rules").
let foldConstantsRules: [RewriteRule] = [.foldConstants]

extension RewriteRule {
  /// op(k₁, …, kₙ) = the value `Op.apply` gives, for constant kᵢ, in the
  /// node's own type: a literal's in f64, an f32 node's from its operands
  /// rounded to f32 and rounded to f32 (as `Graph.evaluate` computes it).
  /// Exact by construction.  Results bigger than `maxFoldElements` stay
  /// unfolded, and so do f64 nodes of constants that are not all literals
  /// (`cast(2, f64)`: a constant would be a literal, which promotes
  /// otherwise) and an einsum whose result holds more numbers than its operands
  /// (an outer product such as the identity δ(a, c)·δ(b, d) that seeds a
  /// Jacobian with respect to a matrix): einsum rules contract its factors
  /// into the einsums that use it, which the folded tensor would not allow.  Linear-algebra
  /// ops stay unfolded, so that a matrix they cannot factor is an evaluation error, not a
  /// NaN constant.
  static let foldConstants = RewriteRule(
    "fold-constants", .foldConstants, .node("x"),
    if: { m, c in
      // Tried on every node: kinds are read, no op or input list is copied.
      let kind = c.kind(m.root)
      let size = c.builder.shape(m.root).elementCount
      return !kind.isLeaf && kind.category != .linearAlgebra
        && c.builder.borrowedInputs(m.root).allSatisfy { c.kind($0) == .constant }
        && size <= c.options.maxFoldElements
        && c.builder.elementType(m.root) != .f64
        && (kind != .einsum
          || size
            <= c.builder.borrowedInputs(m.root).reduce(0) {
              $0 + c.builder.shape($1).elementCount
            })
    }
  ) { m, c in
    let b = c.builder
    let dtype = b.dtype(m.root)
    let values = b.inputs(m.root).map { id -> Tensor in
      if case .constant(let t) = b.op(id) { return t.rounded(to: dtype) }
      preconditionFailure("checked by the condition")
    }
    return b.constantNode(b.op(m.root).apply(values, shape: b.shape(m.root)).rounded(to: dtype))
  }
}
