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
      // Tried on every node: kinds are read, no op or input list is copied.
      !c.kind(m.root).isLeaf
        && c.builder.borrowedInputs(m.root).allSatisfy { c.kind($0) == .constant }
        && c.builder.shape(m.root).elementCount <= c.options.maxFoldElements
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
