/// Phase 2: constant folding.  One rule, and it reuses the evaluator's
/// semantics table (`Op.apply`), so folding computes exactly what evaluation
/// would (egg's "constant folding is an analysis, not a pile of rules").
let foldConstantsRules: [RewriteRule] = [.foldConstants]

extension RewriteRule {
  /// op(k₁, …, kₙ) = the value `Op.apply` gives, for constant kᵢ.  Exact by
  /// construction.  Results bigger than `maxFoldElements` stay unfolded.
  static let foldConstants = RewriteRule(
    "fold-constants", .foldConstants, .node("x"),
    if: { m, c in
      let b = c.builder
      return !b.op(m.root).isLeaf && b.shape(m.root).elementCount <= c.options.maxFoldElements
        && b.inputs(m.root).allSatisfy { if case .constant = b.op($0) { true } else { false } }
    }
  ) { m, c in
    let b = c.builder
    let values = b.inputs(m.root).map { id -> Tensor in
      if case .constant(let t) = b.op(id) { return t }
      preconditionFailure("checked by the condition")
    }
    return b.constantNode(b.op(m.root).apply(values, shape: b.shape(m.root)))
  }
}
