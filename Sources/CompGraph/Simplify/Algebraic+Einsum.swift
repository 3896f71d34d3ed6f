/// Einsum identities (part of the algebraic phase).
let einsumRules: [RewriteRule] = []
