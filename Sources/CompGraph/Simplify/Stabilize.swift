import Foundation

/// Phase: stabilize (PyTensor's `stabilize`).  Rewrites whose results keep
/// the value and every derivative finite and accurate where the naive form
/// overflows (e^1000 = ∞, ∞·0 = NaN) or cancels (1 − tanh² 20 = 0).  Each
/// row gives its identity and where it holds.
///
/// The results are built so that differentiating them stays stable at every
/// order: each exponential has an argument ≤ 0, so it lies in (0, 1]; the
/// kinks are `max`, `min` and `where`, whose derivatives flow only through
/// the side taken and agree on both sides of each tie (softplus′(0) = ½);
/// and the forms never contain `ln(1 + e^z)`, `(1 + e^z)⁻¹` or a `tanh` of
/// an unclamped argument again (they use `log1p` and `2 + expm1`), so no
/// rule re-fires on its own result.
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

  /// ln(Σᵢ e^(uᵢ)) = fold of lse(a, b) = max(a, b) + log1p(e^(−|a − b|)),
  /// every uᵢ: two or more terms, each an exponential or a positive
  /// constant c (= e^(ln c)).  Max-shifted, so nothing overflows, and the
  /// larger exponent is kept whole, so ln(1 + e⁻³⁰) is not lost to rounding.
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

  /// tanh u = where(|u| ≤ 1, tanh(clamp(u, −1, 1)), h(−2·max(u, 0)) −
  /// h(2·min(0, u))) with h(z) = −expm1(z) / (2 + expm1(z)) = tanh(−z/2),
  /// every u.  Far from 0 the derivative 1 − tanh²u cancels (to 0 at
  /// u = 20); the expm1 form's derivatives are sums of terms of one sign in
  /// e^z ≤ 1 there, so tanh′(20) = 4e⁻⁴⁰/(1 + e⁻⁴⁰)² to the last digit.
  /// Near 0 it is the other way round: the expm1 form's even derivatives
  /// cancel to their O(u) values (tanh″(1e-20) = −2e-20 would come out 0),
  /// while tanh's own, polynomials in tanh u (tanh″ = −2 tanh·(1 − tanh²)),
  /// keep every digit and 1 − tanh²u ≥ 0.41.  The clamp marks the inner
  /// tanh as done (and keeps the branch not taken finite).
  static let tanhStable = RewriteRule(
    "tanh", .stabilize, .tanh(u), if: { m, c in !c.isClampedToUnit(m["u"]) }
  ) { m, c in
    let x = m["u"]
    let inside = try c.node(.lessEqual, [c.node(.abs, [x]), c.constant(1)])
    let clamped = try c.node(.maximum, [c.node(.minimum, [x, c.constant(1)]), c.constant(-1)])
    let outside = try c.sum([
      c.halfTanh(c.scaled(c.positivePart(x), by: -2)),
      c.scaled(c.halfTanh(c.scaled(c.negativePart(x), by: 2)), by: -1),
    ])
    return try c.node(.select, [inside, c.node(.tanh, [clamped]), outside])
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

  /// softplus(u) = ln(1 + eᵘ) = lse(u, 0) = max(u, 0) + log1p(e^(−|u|)).
  func softplus(_ u: NodeID) throws -> NodeID {
    try logSumExp(u, constant(0))
  }

  /// lse(a, b) = ln(eᵃ + eᵇ) = max(a, b) + log1p(e^(−|a − b|)): the max
  /// whole (b + softplus(a − b) would round ln(1 + e⁻³⁰) away in
  /// −30 + 30), and an exponential ≤ 1.
  func logSumExp(_ a: NodeID, _ b: NodeID) throws -> NodeID {
    let difference = scalar(b) == 0 ? a : try sum([a, scaled(b, by: -1)])
    return try sum([
      node(.maximum, [a, b]), node(.log1p, [node(.exp, [minusAbs(difference)])]),
    ])
  }

  /// Whether `u` is max(min(x, 1), −1): a tanh argument `tanh` clamped.
  func isClampedToUnit(_ u: NodeID) -> Bool {
    guard kind(u) == .maximum, scalar(builder.inputs(u)[1]) == -1 else { return false }
    let inner = builder.inputs(u)[0]
    return kind(inner) == .minimum && scalar(builder.inputs(inner)[1]) == 1
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
  /// a positive finite constant c (exponent ln c, put last), at least one
  /// an exponential; else nil.
  func exponents(of sum: NodeID) -> [NodeID]? {
    guard kind(sum) == .add else { return nil }
    let terms = builder.inputs(sum)
    guard terms.count >= 2, terms.contains(where: { kind($0) == .exp }) else { return nil }
    var exponents: [NodeID] = [], constants: [NodeID] = []
    for term in terms {
      if kind(term) == .exp {
        exponents.append(builder.inputs(term).first!)
      } else if let c = scalar(term), c > 0, c.isFinite {
        constants.append(constant(Foundation.log(c)))
      } else {
        return nil
      }
    }
    return exponents + constants
  }
}
