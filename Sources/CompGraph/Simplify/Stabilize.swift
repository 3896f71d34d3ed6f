/// Phase: stabilize (PyTensor's `stabilize`).  Rewrites whose results keep
/// the value and every derivative finite and accurate where the naive form
/// overflows (e^1000 = ∞, ∞·0 = NaN) or cancels (1 − tanh² 20 = 0).  Each
/// row gives its identity and where it holds.
///
/// The results are built so that differentiating them stays stable at every
/// order: each exponential has an argument ≤ 0, so it lies in (0, 1]; the
/// only kinks are `max(u, 0)` and `min(0, u)`, which meet at u = 0 and whose
/// tie rules both take the side u ≥ 0 (so one-sided derivatives agree there:
/// softplus′(0) = ½); and the forms never contain `ln(1 + e^z)` or
/// `(1 + e^z)⁻¹` again (they use `log1p` and `2 + expm1`), so no rule
/// re-fires on its own result.
let stabilizeRules: [RewriteRule] = [
  .softplus, .logSumExp, .logSumExpTensor, .logSigmoid, .sigmoid, .logOnePlus, .expMinusOne,
  .tanhStable,
  .sqrtSquare,
]

private let u = Pattern.node("u")

extension RewriteRule {
  /// ln(1 + eᵘ) = softplus(u) = max(u, 0) + log1p(e^(−|u|)), every u.
  static let softplus = RewriteRule(
    "softplus", .stabilize, .ln(.add(.literal(1), .exp(u)))
  ) { m, c in try c.softplus(m["u"]) }

  /// ln(Σᵢ e^(uᵢ)) = fold of lse(a, b) = b + softplus(a − b) = max(a, b) +
  /// log1p(e^(−|a − b|)), every uᵢ: two or more terms, each an exponential
  /// or the constant 1 (= e⁰).  Max-shifted, so nothing overflows.
  static let logSumExp = RewriteRule(
    "logsumexp", .stabilize, .ln(.any(.add)),
    if: { m, c in c.exponents(of: c.builder.inputs(m.root).first!) != nil }
  ) { m, c in
    let terms = c.exponents(of: c.builder.inputs(m.root).first!)!
    return try terms.dropFirst().reduce(terms[0], c.logSumExp)
  }

  /// ln Σᵢ e^(uᵢ) over every element of a tensor u = m + ln Σᵢ e^(uᵢ − m),
  /// m = max u, every u: the largest term is e⁰ = 1, so nothing overflows
  /// (left alone when u is already shifted by its maximum).
  static let logSumExpTensor = RewriteRule(
    "logsumexp-tensor", .stabilize, .ln(.op(.sumTo, .exp(u))),
    if: { m, c in !c.builder.shape(m["u"]).isEmpty && !c.isShiftedByMaximum(m["u"]) }
  ) { m, c in
    let x = m["u"], shape = c.builder.shape(m["u"])
    let flat = try c.node(.reshape([shape.elementCount]), [x])
    let top = try c.node(.reduceMax(axis: 0), [flat])
    let shifted = try c.sum([x, c.scaled(c.broadcast(top, to: shape), by: -1)])
    let total = try c.node(.sumTo([]), [c.node(.exp, [shifted])])
    return try c.sum([top, c.node(.ln, [total])])
  }

  /// ln((1 + eᵘ)⁻¹) = −softplus(u), every u: ln σ(−u) without σ underflowing
  /// to 0 first.
  static let logSigmoid = RewriteRule(
    "log-sigmoid", .stabilize, .ln(.pow(.add(.literal(1), .exp(u)), -1))
  ) { m, c in try c.scaled(c.softplus(m["u"]), by: -1) }

  /// (1 + eᵘ)⁻¹ = σ(−u) = e^(−max(u, 0)) / (2 + expm1(−|u|)), every u: no
  /// exponential overflows, so σ′ is never ∞·0.  Left to `log-sigmoid`
  /// when an ln is its only user.
  static let sigmoid = RewriteRule(
    "sigmoid", .stabilize, .pow(.add(.literal(1), .exp(u)), -1),
    if: { m, c in !c.isOnlyUsed(m.root, by: .ln) }
  ) { m, c in
    let x = m["u"]
    return try c.product([
      c.node(.exp, [c.scaled(c.positivePart(x), by: -1)]),
      c.power(c.sum([c.constant(2), c.node(.expm1, [c.minusAbs(x)])]), -1),
    ])
  }

  /// ln(1 + u) = log1p(u) for u ≥ −1 (both NaN below), exact for tiny u;
  /// with more terms, ln(1 + a + b) = log1p(a + b).
  static let logOnePlus = RewriteRule(
    "log1p", .stabilize, .ln(.any(.add)),
    if: { m, c in
      c.builder.inputs(c.builder.inputs(m.root).first!).contains { c.scalar($0) == 1 }
    }
  ) { m, c in
    var rest = Array(c.builder.inputs(c.builder.inputs(m.root).first!))
    rest.remove(at: rest.firstIndex { c.scalar($0) == 1 }!)
    return try c.node(.log1p, [c.sum(rest)])
  }

  /// eᵘ − 1 = expm1(u), every u, exact for tiny u; inside a longer sum,
  /// eᵘ − 1 + v = expm1(u) + v.
  static let expMinusOne = RewriteRule(
    "expm1", .stabilize, .any(.add),
    if: { m, c in
      let terms = c.builder.inputs(m.root)
      return terms.contains { c.scalar($0) == -1 } && terms.contains { c.kind($0) == .exp }
    }
  ) { m, c in
    var rest = Array(c.builder.inputs(m.root))
    rest.remove(at: rest.firstIndex { c.scalar($0) == -1 }!)
    let e = rest.remove(at: rest.firstIndex { c.kind($0) == .exp }!)
    let result = try c.sum(rest + [c.node(.expm1, [c.builder.inputs(e).first!])])
    return try c.broadcast(result, to: c.builder.shape(m.root))
  }

  /// tanh u = h(−2·max(u, 0)) − h(2·min(0, u)) with h(z) = −expm1(z) /
  /// (2 + expm1(z)) = tanh(−z/2), every u.  The derivative 1 − tanh²u
  /// cancels to 0 at u = 20; here every derivative is a sum of terms of one
  /// sign in e^z ≤ 1, so tanh′(20) = 4e⁻⁴⁰/(1 + e⁻⁴⁰)² to the last digit.
  static let tanhStable = RewriteRule("tanh", .stabilize, .tanh(u)) { m, c in
    let x = m["u"]
    return try c.sum([
      c.halfTanh(c.scaled(c.positivePart(x), by: -2)),
      c.scaled(c.halfTanh(c.scaled(c.negativePart(x), by: 2)), by: -1),
    ])
  }

  /// √(u²) = |u|, every u: the derivative is sign u, not u/√(u²) (NaN at 0).
  static let sqrtSquare = RewriteRule("sqrt-square", .stabilize, .sqrt(.pow(u, 2))) { m, c in
    try c.node(.abs, [m["u"]])
  }
}

extension RuleContext {
  /// max(u, 0): its tie at 0 goes to u, so its derivative there is 1.
  func positivePart(_ u: NodeID) throws -> NodeID {
    try node(.maximum, [u, constant(0)])
  }

  /// min(0, u): its tie at 0 goes to 0, so its derivative there is 0 (the
  /// side u ≥ 0, like `positivePart`).
  func negativePart(_ u: NodeID) throws -> NodeID {
    try node(.minimum, [constant(0), u])
  }

  /// −|u| = min(0, u) − max(u, 0), differentiated on the side u ≥ 0 at 0.
  func minusAbs(_ u: NodeID) throws -> NodeID {
    try sum([negativePart(u), scaled(positivePart(u), by: -1)])
  }

  /// softplus(u) = ln(1 + eᵘ) = max(u, 0) + log1p(e^(−|u|)).
  func softplus(_ u: NodeID) throws -> NodeID {
    try sum([positivePart(u), node(.log1p, [node(.exp, [minusAbs(u)])])])
  }

  /// ln(eᵃ + eᵇ) = b + softplus(a − b) (softplus(a) when b is 0).
  func logSumExp(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    if scalar(b) == 0 { return try softplus(a) }
    return try sum([b, softplus(sum([a, scaled(b, by: -1)]))])
  }

  /// Whether `u` is a sum with a term −⇑max(…): shifted by a maximum already.
  func isShiftedByMaximum(_ u: NodeID) -> Bool {
    guard kind(u) == .add else { return false }
    return builder.inputs(u).contains { term in
      guard kind(term) == .mul else { return false }
      return builder.inputs(term).contains { factor in
        let inner = kind(factor) == .broadcastTo ? builder.inputs(factor).first! : factor
        return kind(inner) == .reduceMax
      }
    }
  }

  /// tanh(−z/2) = −expm1(z) / (2 + expm1(z)), for z ≤ 0.
  func halfTanh(_ z: NodeID) throws -> NodeID {
    let e = try node(.expm1, [z])
    return try product([constant(-1), e, power(sum([constant(2), e]), -1)])
  }

  /// The exponents uᵢ of a sum of two or more terms that are each eᵘⁱ or
  /// the constant 1 (exponent 0, put last), at least one an exponential;
  /// else nil.
  func exponents(of sum: NodeID) -> [NodeID]? {
    guard kind(sum) == .add else { return nil }
    let terms = builder.inputs(sum)
    guard terms.count >= 2, terms.contains(where: { kind($0) == .exp }) else { return nil }
    var exponents: [NodeID] = []
    for term in terms {
      if kind(term) == .exp {
        exponents.append(builder.inputs(term).first!)
      } else if scalar(term) != 1 {
        return nil
      }
    }
    return exponents + Array(repeating: constant(0), count: terms.count - exponents.count)
  }
}
