/// Phase 3: algebraic identities that shrink the graph.  Each one names the
/// domain where it holds; the condition enforces it.
let algebraicRules: [RewriteRule] = [
  .mulZero, .lnExp, .expLn, .expScaledLn, .powerConstant, .pythagoras, .sinOdd, .tanhOdd, .cosEven,
  .sumToSum, .broadcastToBroadcast, .sumToBroadcast, .selectConstant, .selectSame, .uniformFactor,
  .uniformTerm,
]

private let x = Pattern.node("x")

extension RewriteRule {
  /// 0·x = 0 for finite x (0·∞ and 0·NaN are NaN): fires when every other
  /// factor is finite, provably or by `assumeFinite`.
  static let mulZero = RewriteRule(
    "mul-zero", .algebraic, .any(.mul),
    if: { m, c in
      let ins = c.builder.inputs(m.root)
      return ins.contains { c.builder.scalarConstant($0) == 0 } && ins.allSatisfy(c.isFinite)
    },
    domain: "for finite factors: 0·±∞ and 0·NaN are NaN"
  ) { m, c in try c.constant(0, shape: c.builder.shape(m.root)) }

  /// ln(eˣ) = x for every real x (±∞ included; large x no longer overflows).
  static let lnExp = RewriteRule("ln-exp", .algebraic, .ln(.exp(x))) { m, _ in m["x"] }

  /// e^(ln x) = x for x ≥ 0 (for x < 0 the left side is NaN).
  static let expLn = RewriteRule(
    "exp-ln", .algebraic, .exp(.ln(x)), if: { m, c in c.isNonNegative(m["x"]) }
  ) { m, _ in m["x"] }

  /// e^(c·ln x) = xᶜ for x ≥ 0 (both sides are 0 or ∞ at x = 0; for x < 0
  /// the left side is NaN).
  static let expScaledLn = RewriteRule(
    "exp-scaled-ln", .algebraic, .exp(.mul(.scalar("c"), .ln(x))),
    if: { m, c in c.isNonNegative(m["x"]) }
  ) { m, c in try c.power(m["x"], m.number("c")) }

  /// x^y with a constant y is the constant-exponent power xᶜ (the same C
  /// `pow`, with its integer exponents multiplied out exactly).
  static let powerConstant = RewriteRule(
    "power-constant", .algebraic, .op(.power, x, .scalar("c"))
  ) { m, c in try c.power(m["x"], m.number("c")) }

  /// k·sin²a + k·cos²a = k, inside any sum (exact for finite a; NaN for ±∞).
  static let pythagoras = RewriteRule("pythagoras", .algebraic, .any(.add)) { m, c in
    try c.pythagoras(m.root)
  }

  /// sin(−y) = −sin y: the sign moves out so that sin y + sin(−y) cancels.
  static let sinOdd = RewriteRule("sin-odd", .algebraic, .sin(.any(.mul))) { m, c in
    guard let y = try c.negated(c.builder.inputs(m.root).first!) else { return nil }
    return try c.scaled(c.node(.sin, [y]), by: -1)
  }

  /// tanh(−y) = −tanh y.
  static let tanhOdd = RewriteRule("tanh-odd", .algebraic, .tanh(.any(.mul))) { m, c in
    guard let y = try c.negated(c.builder.inputs(m.root).first!) else { return nil }
    return try c.scaled(c.node(.tanh, [y]), by: -1)
  }

  /// cos(−y) = cos y.
  static let cosEven = RewriteRule("cos-even", .algebraic, .cos(.any(.mul))) { m, c in
    guard let y = try c.negated(c.builder.inputs(m.root).first!) else { return nil }
    return try c.node(.cos, [y])
  }

  /// Σ→s(Σ→t(x)) = Σ→s(x).
  static let sumToSum = RewriteRule("sum-to-sum", .algebraic, .op(.sumTo, .any(.sumTo))) {
    m, c in
    let inner = c.builder.inputs(m.root).first!
    return try c.node(c.builder.op(m.root), [c.builder.inputs(inner).first!])
  }

  /// ⇑s(⇑t(x)) = ⇑s(x).
  static let broadcastToBroadcast = RewriteRule(
    "broadcast-to-broadcast", .algebraic, .op(.broadcastTo, .any(.broadcastTo))
  ) { m, c in
    let inner = c.builder.inputs(m.root).first!
    return try c.node(c.builder.op(m.root), [c.builder.inputs(inner).first!])
  }

  /// Σ→shape(x)(⇑s(x)) = (|s| / |x|)·x: summing n copies is scaling by n.
  static let sumToBroadcast = RewriteRule(
    "sum-to-broadcast", .algebraic, .op(.sumTo, .any(.broadcastTo)),
    if: { m, c in
      let inner = c.builder.inputs(m.root).first!
      return c.builder.shape(c.builder.inputs(inner).first!) == c.builder.shape(m.root)
    }
  ) { m, c in
    let inner = c.builder.inputs(m.root).first!
    let x = c.builder.inputs(inner).first!
    let copies = c.builder.shape(inner).elementCount / max(1, c.builder.shape(x).elementCount)
    return try c.scaled(x, by: Double(copies))
  }

  /// where(c, a, b) = ⇑a when every element of the constant c is ≠ 0 (NaN
  /// included, as evaluation takes it), ⇑b when every element is 0: the
  /// gradient of kʸ for a constant k ≠ 0 is where(k = 0, 0, ln k·kʸ).
  static let selectConstant = RewriteRule("select-constant", .algebraic, .any(.select)) { m, c in
    let ins = c.builder.inputs(m.root)
    guard case .constant(let t) = c.builder.op(ins[0]) else { return nil }
    let branch: NodeID
    if t.scalars.allSatisfy({ $0 != 0 }) {
      branch = ins[1]
    } else if t.scalars.allSatisfy({ $0 == 0 }) {
      branch = ins[2]
    } else {
      return nil
    }
    return try c.broadcast(branch, to: c.builder.shape(m.root))
  }

  /// x·⇑k = k·x for a constant tensor ⇑k of one repeated value k, where
  /// another factor already has the product's shape: elementwise the same,
  /// exactly, and the scalar k then folds with the other constants
  /// (2·v·⇑½ = v, the gradient of sum(v·v)/2), so no format prints a
  /// no-op factor.
  static let uniformFactor = RewriteRule(
    "uniform-factor", .algebraic, .any(.mul), if: { m, c in c.uniformOperand(of: m.root) != nil }
  ) { m, c in try c.withScalarUniformOperand(m.root) }

  /// x + ⇑k = x + k, as `uniform-factor` (v + ⇑0 = v).
  static let uniformTerm = RewriteRule(
    "uniform-term", .algebraic, .any(.add), if: { m, c in c.uniformOperand(of: m.root) != nil }
  ) { m, c in try c.withScalarUniformOperand(m.root) }

  /// where(c, a, a) = ⇑a: both branches give the same value.
  static let selectSame = RewriteRule(
    "select-same", .algebraic, .any(.select),
    if: { m, c in
      let ins = c.builder.inputs(m.root)
      return ins[1] == ins[2]
    }
  ) { m, c in try c.broadcast(c.builder.inputs(m.root)[1], to: c.builder.shape(m.root)) }
}

extension RuleContext {
  /// The position and value of an operand of the sum or product `id` that is a constant
  /// tensor of one repeated value, when another operand has `id`'s shape (so the scalar in its
  /// place changes no shape).
  func uniformOperand(of id: NodeID) -> (index: Int, value: Double)? {
    let operands = builder.inputs(id), shape = builder.shape(id)
    for (k, operand) in operands.enumerated() {
      guard case .constant(let t) = builder.op(operand), !t.isScalar, let first = t.scalars.first,
        t.scalars.allSatisfy({ $0.bitPattern == first.bitPattern }),
        operands.indices.contains(where: { $0 != k && builder.shape(operands[$0]) == shape })
      else { continue }
      return (k, first)
    }
    return nil
  }

  /// The sum or product `id` with its `uniformOperand` a scalar.
  func withScalarUniformOperand(_ id: NodeID) throws -> NodeID? {
    guard let (k, value) = uniformOperand(of: id) else { return nil }
    var operands = Array(builder.inputs(id))
    operands[k] = constant(value)
    return try node(builder.op(id), operands)
  }

  /// −y when `id` is a product with a negative numeric factor (`−2·a` gives `2·a`).
  func negated(_ id: NodeID) throws -> NodeID? {
    guard builder.op(id) == .mul else { return nil }
    let (rest, k) = try splitCoefficient(id)
    guard k < 0, rest != id else { return nil }
    return try scaled(rest, by: -k)
  }

  /// Replaces each pair k·sin²a, k·cos²a of a sum's terms by k.
  func pythagoras(_ root: NodeID) throws -> NodeID? {
    // Cheap test first: some term is, or has a factor, sin(a)².
    func isSinSquared(_ id: NodeID) -> Bool {
      builder.op(id) == .pow(2) && builder.op(builder.inputs(id).first!) == .sin
    }
    guard
      builder.inputs(root).contains(where: { t in
        isSinSquared(t)
          || (builder.op(t) == .mul && builder.inputs(t).contains(where: isSinSquared))
      })
    else { return nil }
    var terms = Array(builder.inputs(root))
    var split = try terms.map(splitCoefficient)
    func squared(_ id: NodeID, _ op: Op) -> NodeID? {
      guard builder.op(id) == .pow(2), let base = builder.inputs(id).first, builder.op(base) == op
      else {
        return nil
      }
      return builder.inputs(base).first
    }
    var changed = false
    var i = 0
    while i < terms.count {
      if let a = squared(split[i].0, .sin),
        let j = split.indices.first(where: {
          squared(split[$0].0, .cos) == a && split[$0].1 == split[i].1
        })
      {
        let k = split[i].1
        for index in [i, j].sorted(by: >) {
          terms.remove(at: index)
          split.remove(at: index)
        }
        terms.append(constant(k))
        split.append((terms.last!, 1))
        changed = true
      } else {
        i += 1
      }
    }
    guard changed else { return nil }
    return try broadcast(sum(terms), to: builder.shape(root))
  }
}
