/// Phase 1: the normal form, in the spirit of SymEngine.
///
/// - a **sum** is a map term → coefficient plus one constant:
///   `c₀ + Σ cᵢ·tᵢ`, each term `tᵢ` free of a numeric factor, nested sums flattened;
/// - a **product** is a map base → exponent times one coefficient:
///   `c · Π bᵢ^eᵢ`, nested products flattened, `eᵃ·eᵇ` merged into `eᵃ⁺ᵇ`;
/// - a numeric coefficient is distributed over a sum (`2·(x+y) = 2x+2y`);
/// - `√x` is `x^½`, `(eᵃ)ᶜ` is `e^(c·a)`, and integer powers of products are
///   products of powers.
///
/// Equal values in this form are equal nodes, so `x + x`, `x·x⁻¹` and
/// `eˣ·e⁻ˣ` collapse by hash-consing.  Lowering undoes what costs operations.
let canonicalizeRules: [RewriteRule] = [
  .sumCollect, .productCollect, .distributeCoefficient, .powOne, .powZero, .powPow, .powProduct,
  .powExp, .sqrtAsPow,
]

private let x = Pattern.node("x")

extension RewriteRule {
  /// Flatten, collect like terms, one constant:
  ///
  ///     a + (b + c) = a + b + c        c₁·t + c₂·t = (c₁+c₂)·t        x + 0 = x
  ///
  /// An inner sum is flattened when this sum is its only user (a shared one
  /// stays a node: copying its terms would grow the graph), and a sum used
  /// only by a sum is left for its user to flatten, so a chain of n
  /// additions is collected once, in O(n).
  /// Exact (up to rounding of the coefficients), except where coefficients
  /// cancel: `t − t = 0` is wrong for t = ±∞ or NaN (it is NaN there), so a
  /// cancelled term is dropped only when t is finite (`isFinite`: provably,
  /// or by `assumeFinite`), and kept as `0·t` otherwise.
  static let sumCollect = RewriteRule(
    "sum-collect", .canonicalize, .any(.add), if: { m, c in !c.isAbsorbed(m.root) }
  ) { m, c in
    try c.collectSum(m.root)
  }

  /// Flatten (single-use inner products, as for sums), one coefficient,
  /// base → exponent, exponentials merged:
  ///
  ///     a·(b·c) = a·b·c      xᵃ·xᵇ = xᵃ⁺ᵇ      eᵃ·eᵇ = eᵃ⁺ᵇ      x⁰ = 1
  ///
  /// `xᵃ·xᵇ = xᵃ⁺ᵇ` holds for x ≥ 0, and for x < 0 when a and b are integers
  /// or a + b is not (both sides are then NaN); other pairs stay apart.
  /// Exponents that cancel give `x·x⁻¹ = 1`, wrong at x = 0, ±∞ and NaN
  /// (there the product is NaN): applied anyway, as SymPy and SymEngine do.
  static let productCollect = RewriteRule(
    "product-collect", .canonicalize, .any(.mul), if: { m, c in !c.isAbsorbed(m.root) }
  ) { m, c in
    try c.collectProduct(m.root)
  }

  /// `c·(a + b + k) = c·a + c·b + c·k` for a numeric c, where that does not
  /// grow the graph: every term but at most one already has a numeric factor
  /// (or is a constant) to absorb c, and a sum with a plain term is used only
  /// here (distributing a shared sum would duplicate it).  So `2·(1 − t²)`
  /// becomes `2 − 2t²`, while `2·(eˣ + e⁻ˣ)` keeps the sum, which other
  /// nodes may share.  Exact up to rounding.
  static let distributeCoefficient = RewriteRule(
    "distribute-coefficient", .canonicalize, .mul(.scalar("c"), .any(.add)),
    if: { m, c in
      let sum = c.builder.inputs(m.root).first { c.isAdd($0) }!
      let plain = c.builder.inputs(sum).filter { t in
        c.scalar(t) == nil
          && !(c.isMul(t)
            && c.builder.inputs(t).contains { c.scalar($0) != nil })
      }
      return plain.isEmpty || (plain.count == 1 && c.useCount(sum) == 1)
    }
  ) { m, c in
    guard let sum = c.builder.inputs(m.root).first(where: { c.isAdd($0) }) else {
      return nil
    }
    let k = m.number("c")
    let terms = try Array(c.builder.inputs(sum)).map { t -> NodeID in
      if let v = c.scalar(t) { return c.constant(k * v) }
      let (key, coefficient) = try c.splitCoefficient(t)
      return try c.scaled(key, by: k * coefficient)
    }
    return try c.broadcast(c.sum(terms), to: c.builder.shape(m.root))
  }

  /// x¹ = x (exact).
  static let powOne = RewriteRule("pow-one", .canonicalize, .pow(x, 1)) { m, _ in m["x"] }

  /// x⁰ = 1 (exact: IEEE `pow(x, 0)` is 1 for every x, NaN included).
  static let powZero = RewriteRule("pow-zero", .canonicalize, .pow(x, 0)) { m, c in
    try c.constant(1, shape: c.builder.shape(m.root))
  }

  /// (xᵃ)ᵇ = xᵃᵇ when a and b are integers (exact, 0 and ∞ included), when
  /// x ≥ 0, or when b is an integer and ab is not (for x < 0 both sides are
  /// NaN).  Not otherwise: (x²)^½ = |x|, and (√x)² = x only for x ≥ 0.
  static let powPow = RewriteRule(
    "pow-pow", .canonicalize, .pow(.pow(x, "a"), "b"),
    if: { m, c in
      let (a, b) = (m.number("a"), m.number("b"))
      return (a.isInteger && b.isInteger) || c.isNonNegative(m["x"])
        || (b.isInteger && !(a * b).isInteger)
    }
  ) { m, c in try c.power(m["x"], m.number("a") * m.number("b")) }

  /// (a·b)ᵏ = aᵏ·bᵏ for an integer k (exact), or for any k when every factor
  /// is ≥ 0 (for a, b < 0 and k = ½ the left side is real, the right NaN).
  static let powProduct = RewriteRule(
    "pow-product", .canonicalize, .pow(.any(.mul), "k"),
    if: { m, c in
      m.number("k").isInteger
        || c.builder.inputs(c.builder.inputs(m.root).first!).allSatisfy(c.isNonNegative)
    }
  ) { m, c in
    let k = m.number("k")
    let product = c.builder.inputs(m.root).first!
    let factors = try Array(c.builder.inputs(product)).map { f -> NodeID in
      if let v = c.scalar(f) { return c.constant(powExact(v, k)) }
      return try c.power(f, k)
    }
    return try c.broadcast(c.product(factors), to: c.builder.shape(m.root))
  }

  /// (eᵃ)ᶜ = e^(c·a) for every real c (eᵃ > 0).
  static let powExp = RewriteRule("pow-exp", .canonicalize, .pow(.exp(x), "c")) { m, c in
    try c.node(.exp, [c.scaled(m["x"], by: m.number("c"))])
  }

  /// √x = x^½ (exact: `x^½` is evaluated with `sqrt`).  Lowering turns it back.
  static let sqrtAsPow = RewriteRule("sqrt-as-pow", .canonicalize, .sqrt(x)) { m, c in
    try c.power(m["x"], 0.5)
  }
}

extension RuleContext {
  /// A term as (term without its numeric factor, the factor): `3·x·y` is
  /// (`x·y`, 3), `x` is (`x`, 1).
  func splitCoefficient(_ t: NodeID) throws -> (NodeID, Double) {
    guard isMul(t) else { return (t, 1) }
    var k = 1.0
    var rest: [NodeID] = []
    for f in builder.inputs(t) {
      if let v = scalar(f) { k *= v } else { rest.append(f) }
    }
    if rest.count == builder.inputs(t).count || rest.isEmpty { return (t, 1) }
    let key = try product(rest)
    guard builder.shape(key) == builder.shape(t) else { return (t, 1) }
    return (key, k)
  }

  /// Whether a sum's term has a key the fast check can compare: it is not
  /// a product with several numeric factors or a factor 0 or 1.
  private func hasTermKey(_ t: NodeID) -> Bool {
    guard isMul(t) else { return true }
    var constants = 0
    for f in builder.borrowedInputs(t) {
      guard let v = scalar(f) else { continue }
      constants += 1
      if constants > 1 || v == 0 || v == 1 { return false }
    }
    return true
  }

  /// Whether two terms have one key, their non-numeric factors (`3·x·y`
  /// and `x·y` share [x, y]; `x`'s is [x]), compared without building the
  /// keys (this runs on every sum of every pass).
  private func sameTermKey(_ s: NodeID, _ t: NodeID) -> Bool {
    // A product's non-numeric factors, in place.
    func factors(_ p: NodeID) -> LazyFilterSequence<UnsafeBufferPointer<NodeID>> {
      builder.borrowedInputs(p).lazy.filter { self.scalar($0) == nil }
    }
    switch (isMul(s), isMul(t)) {
    case (false, false): return s == t
    case (true, true): return factors(s).elementsEqual(factors(t))
    case (true, false): return factors(s).elementsEqual(CollectionOfOne(t))
    case (false, true): return factors(t).elementsEqual(CollectionOfOne(s))
    }
  }

  /// Whether a sum is already in normal form (so collecting would rebuild it).
  private func isNormalSum(_ root: NodeID) -> Bool {
    let ins = builder.borrowedInputs(root)
    guard ins.count <= 16 else { return false }
    var constants = 0
    for (i, t) in ins.enumerated() {
      if isAdd(t) { return false }
      if let v = scalar(t) {
        constants += 1
        if constants > 1 || v == 0 { return false }
        continue
      }
      guard hasTermKey(t) else { return false }
      if ins[..<i].contains(where: { scalar($0) == nil && sameTermKey($0, t) }) { return false }
    }
    return true
  }

  /// Whether a product is already in normal form.
  private func isNormalProduct(_ root: NodeID) -> Bool {
    let ins = builder.borrowedInputs(root)
    guard ins.count <= 16 else { return false }
    var constants = 0
    var exponentials = 0
    // A factor's base: itself, or what a power raises (nil for a number or
    // an exponential, which are counted instead).
    func base(_ f: NodeID) -> NodeID? {
      if scalar(f) != nil || kind(f) == .exp { return nil }
      return powExponent(f) == nil ? f : builder.borrowedInputs(f).first!
    }
    for (i, f) in ins.enumerated() {
      if isMul(f) { return false }
      if let v = scalar(f) {
        constants += 1
        if constants > 1 || v == 1 { return false }
        continue
      }
      if kind(f) == .exp {
        exponentials += 1
        if exponentials > 1 { return false }
        continue
      }
      if powExponent(f) == 0 { return false }
      let b = base(f)
      if ins[..<i].contains(where: { base($0) == b }) { return false }
    }
    return true
  }

  func collectSum(_ root: NodeID) throws -> NodeID? {
    if isNormalSum(root) { return nil }
    let shape = builder.shape(root)
    // Keys (a term's non-numeric factors) in order of first appearance, with
    // their coefficients: a linear search, since sums are short and the
    // order must not depend on hashing.  Keys are factor lists, so no node
    // is built for them.
    var keys: [[NodeID]] = []
    var coefficients: [Double] = []
    var constantTerm = 0.0
    var index: [[NodeID]: Int] = [:]  // for long sums
    // Only sums used here alone are flattened: a shared one would be copied.
    // A shared offset a + k₁ is the exception when the sum has a constant k₂
    // of its own: (a + k₁) + k₂ = a + (k₁ + k₂) costs one addition either way.
    let hasConstant = builder.inputs(root).contains { scalar($0) != nil }
    func isOffset(_ t: NodeID) -> Bool {
      let ins = builder.inputs(t)
      return ins.count == 2 && ins.contains { scalar($0) != nil }
    }
    var stack = Array(builder.inputs(root).reversed())
    while let t = stack.popLast() {
      if isAdd(t) && (useCount(t) == 1 || hasConstant && isOffset(t)) {
        stack.append(contentsOf: builder.inputs(t).reversed())
        continue
      }
      if let v = scalar(t) {
        constantTerm += v
        continue
      }
      var key: [NodeID] = []
      var k = 1.0
      if isMul(t) {
        for f in builder.inputs(t) {
          if let v = scalar(f) { k *= v } else { key.append(f) }
        }
        if key.isEmpty { key = [t] }
      } else {
        key = [t]
      }
      if let i = keys.count > 16 ? index[key] : keys.firstIndex(of: key) {
        coefficients[i] += k
      } else {
        if keys.count == 16 { for (i, key) in keys.enumerated() { index[key] = i } }
        if keys.count >= 16 { index[key] = keys.count }
        keys.append(key)
        coefficients.append(k)
      }
    }
    var terms: [NodeID] = []
    if constantTerm != 0 || constantTerm.isNaN { terms.append(constant(constantTerm)) }
    for (key, k) in zip(keys, coefficients) {
      if k == 0 && key.allSatisfy(isFinite) { continue }
      terms.append(try product(k == 1 ? key : [constant(k)] + key))
    }
    return try broadcast(sum(terms), to: shape)
  }

  func collectProduct(_ root: NodeID) throws -> NodeID? {
    if isNormalProduct(root) { return nil }
    let shape = builder.shape(root)
    var coefficient = 1.0
    var bases: [NodeID] = []
    var exponents: [Double] = []
    var exponentials: [NodeID] = []
    var index: [NodeID: Int] = [:]  // for long products
    var stack = Array(builder.inputs(root).reversed())
    func include(_ base: NodeID, _ e: Double) {
      if let i = bases.count > 16 ? index[base] : bases.firstIndex(of: base) {
        let a = exponents[i]
        if (a.isInteger && e.isInteger) || isNonNegative(base) || !(a + e).isInteger {
          exponents[i] = a + e
          return
        }
      } else {
        if bases.count == 16 {
          for (i, b) in bases.enumerated() where index[b] == nil { index[b] = i }
        }
        if bases.count >= 16 { index[base] = bases.count }
      }
      bases.append(base)
      exponents.append(e)
    }
    while let f = stack.popLast() {
      if isMul(f) && useCount(f) == 1 {
        stack.append(contentsOf: builder.inputs(f).reversed())
        continue
      }
      if let v = scalar(f) {
        coefficient *= v
      } else if kind(f) == .exp {
        exponentials.append(builder.inputs(f).first!)
      } else if let e = powExponent(f) {
        include(builder.inputs(f).first!, e)
      } else {
        include(f, 1)
      }
    }
    var factors: [NodeID] = []
    if coefficient != 1 { factors.append(constant(coefficient)) }
    for (base, e) in zip(bases, exponents) where e != 0 {
      factors.append(try power(base, e))
    }
    if exponentials.count == 1 {
      factors.append(try node(.exp, exponentials))
    } else if exponentials.count > 1 {
      factors.append(try node(.exp, [sum(exponentials)]))
    }
    return try broadcast(product(factors), to: shape)
  }
}
