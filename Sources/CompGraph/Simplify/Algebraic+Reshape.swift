/// Reshape identities (part of the algebraic phase): the chains of reshapes a
/// Jacobian's trailing batch axes leave after a sum along an axis
/// (`reshape(reshape(Σ→[1](x), []), [1])`) collapse.  Exact: a reshape keeps
/// the row-major order of the elements.
let reshapeRules: [RewriteRule] = [.reshapeReshape, .reshapeSame]

extension RewriteRule {
  /// reshape(reshape(x, t), s) = reshape(x, s).
  static let reshapeReshape = RewriteRule(
    "reshape-reshape", .algebraic, .op(.reshape, .any(.reshape))
  ) { m, c in
    let inner = c.builder.inputs(m.root).first!
    return try c.node(c.builder.op(m.root), [c.builder.inputs(inner).first!])
  }

  /// reshape(x, shape(x)) = x.
  static let reshapeSame = RewriteRule(
    "reshape-same", .algebraic, .any(.reshape),
    if: { m, c in c.builder.shape(c.builder.inputs(m.root).first!) == c.builder.shape(m.root) }
  ) { m, c in c.builder.inputs(m.root).first! }
}
