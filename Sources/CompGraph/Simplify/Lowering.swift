/// Phase 4: lowering for evaluation.  The normal form is good for spotting
/// equal values, not for evaluating them; these rules trade it for fewer
/// operations.  They run after the other phases, which would undo them.
let loweringRules: [RewriteRule] = [.polynomialHorner, .expPowerSharing, .powHalfAsSqrt]

extension RewriteRule {
  /// A polynomial region — the sums, products and integer powers under a
  /// node, down to its *atoms* (everything else) — is expanded into a sparse
  /// Laurent polynomial and rebuilt in the cheapest form found:
  ///
  ///     Σₖ cₖ·m·zᵏᵍ = m · ((c_K·zᵍ + c_{K−1})·zᵍ + … + c₀)      (Horner in zᵍ)
  ///
  /// where every exponent vector lies on one line m + k·v (z = Πa^v, the
  /// monomial v spans; g the gcd of the k).  So the derivatives of tanh,
  /// polynomials in t = tanh x with only every other power, become Horner
  /// in t² with one factor t, and a polynomial in N/D (sums N, D kept as
  /// atoms) becomes Horner in N·D⁻¹.  Atoms are tried at two depths (every
  /// sum expanded; sums of atoms kept whole) and the original is kept unless
  /// a rebuild has strictly fewer operations.
  ///
  /// Expansion is exact in real arithmetic; in floating point it can
  /// cancel differently, and it assumes finite atoms (∞ − ∞ vanishes), so it
  /// runs only under `assumeFinite` or when every atom is provably finite.
  static let polynomialHorner = RewriteRule(
    "polynomial-horner", .lowering, .node("x"),
    if: { m, c in c.builder.op(m.root).isPolynomial && c.isRegionRoot(m.root) }
  ) { m, c in try c.lowerPolynomial(m.root) }

  /// e^(c·a) = (eᵃ)ᶜ for an integer c, when eᵃ is already computed: one
  /// `pow` instead of a product and an `exp` (`e⁻ˣ = (eˣ)⁻¹`).  Exact in real
  /// arithmetic; in floating point the two round differently (≤ a few ulp).
  static let expPowerSharing = RewriteRule(
    "exp-power-sharing", .lowering, .exp(.mul(.scalar("c"), .node("a"))),
    if: { m, c in m.number("c").isInteger && abs(m.number("c")) <= 4 }
  ) { m, c in
    let e = try c.node(.exp, [m["a"]])
    guard c.isLive(e) else { return nil }
    return try c.power(e, m.number("c"))
  }

  /// x^½ = √x (exact: both are `sqrt`); the normal form's `x^½` prints and
  /// compiles better as `√x`.
  static let powHalfAsSqrt = RewriteRule("pow-half-as-sqrt", .lowering, .pow(.node("x"), 0.5)) {
    m, c in
    try c.node(.sqrt, [m["x"]])
  }
}

extension RuleContext {
  /// Lowers the polynomial region under `root`; `nil` when no rebuild is cheaper.
  func lowerPolynomial(_ root: NodeID) throws -> NodeID? {
    guard let region = polynomialRegion(root) else { return nil }
    var best = root
    var bestCost = regionCost(root)
    for keepSums in [false, true] {
      guard let (p, atoms) = expand(region, root: root, keepSums: keepSums) else { continue }
      if !options.assumeFinite && !atoms.allSatisfy({ facts($0).contains(.finite) }) { continue }
      let candidate = try broadcast(synthesize(p), to: builder.shape(root))
      let cost = regionCost(candidate)
      if cost < bestCost {
        best = candidate
        bestCost = cost
      }
    }
    return best == root ? nil : best
  }

  /// The polynomial nodes under `root` (root included), in id order: `nil`
  /// when the region is too big.
  private func polynomialRegion(_ root: NodeID) -> [NodeID]? {
    var seen: Set<NodeID> = [root]
    var stack = [root]
    var region: [NodeID] = []
    while let id = stack.popLast() {
      region.append(id)
      if region.count > options.maxRegionNodes { return nil }
      for input in builder.inputs(id)
      where builder.op(input).isPolynomial && seen.insert(input).inserted {
        stack.append(input)
      }
    }
    return region.sorted()
  }

  /// The expanded polynomial of `root` and its atoms.  With `keepSums`, a sum
  /// none of whose inputs contains a sum is an atom too (`eˣ + e⁻ˣ`).
  private func expand(_ region: [NodeID], root: NodeID, keepSums: Bool) -> (Polynomial, [NodeID])? {
    var polynomials: [NodeID: Polynomial] = [:]
    var containsSum: [NodeID: Bool] = [:]
    var atoms: [NodeID] = []
    var atomSeen: Set<NodeID> = []
    let limit = options.maxPolynomialTerms
    func polynomial(of id: NodeID) -> Polynomial {
      if let p = polynomials[id] { return p }
      if let v = builder.scalarConstant(id) { return .constant(v) }
      if atomSeen.insert(id).inserted { atoms.append(id) }
      return .atom(id)
    }
    for id in region {
      let ins = builder.inputs(id)
      let op = builder.op(id)
      containsSum[id] = op == .add || ins.contains { containsSum[$0] ?? false }
      if keepSums && op == .add && id != root && !ins.contains(where: { containsSum[$0] ?? false })
      {
        continue  // an atom
      }
      var p: Polynomial
      switch op {
      case .add:
        p = .zero
        for input in ins { p = p + polynomial(of: input) }
      case .mul:
        p = .constant(1)
        for input in ins { p = p * polynomial(of: input) }
      case .pow(let c):
        guard abs(c) <= 64, let q = polynomial(of: ins.first!).power(Int(c), limit: limit) else {
          continue  // an atom
        }
        p = q
      default:
        continue
      }
      if p.terms.count > limit { return nil }
      polynomials[id] = p
    }
    guard let p = polynomials[root] else { return nil }
    return (p, atoms)
  }

  /// Ops under `root` that belong to polynomial regions (atoms' own
  /// subgraphs are shared by every candidate, so they are not counted).
  private func regionCost(_ root: NodeID) -> Int {
    var seen: Set<NodeID> = [root]
    var stack = [root]
    var cost = 0
    while let id = stack.popLast() {
      let op = builder.op(id)
      guard op.isPolynomial else { continue }
      cost += op == .add || op == .mul ? builder.inputs(id).count - 1 : 1
      for input in builder.inputs(id) where seen.insert(input).inserted { stack.append(input) }
    }
    return cost
  }

  /// Builds a polynomial: Horner form when its exponents lie on a line,
  /// else a sum of monomials.
  func synthesize(_ p: Polynomial) throws -> NodeID {
    guard let first = p.terms.first else { return constant(0) }
    if p.terms.count == 1 { return try monomial(first.monomial, first.coefficient) }
    // Exponent vectors over the atoms that occur.
    var atomList: [Int32] = []
    for term in p.terms {
      for f in term.monomial.factors where !atomList.contains(f.atom) { atomList.append(f.atom) }
    }
    atomList.sort()
    let vectors = p.terms.map { t in atomList.map { Int(t.monomial.exponent(of: $0)) } }
    if let line = collinear(vectors) {
      return try horner(
        p, atoms: atomList, base: line.base, direction: line.direction, steps: line.steps)
    }
    return try sum(p.terms.map { try monomial($0.monomial, $0.coefficient) })
  }

  /// When vᵢ = base + kᵢ·direction with integers kᵢ ≥ 0 for every i.
  private func collinear(_ vectors: [[Int]]) -> (base: [Int], direction: [Int], steps: [Int])? {
    let e0 = vectors[0]
    let differences = vectors.map { v in zip(v, e0).map { $0 - $1 } }
    guard let d = differences.first(where: { $0.contains { $0 != 0 } }) else { return nil }
    let g = d.reduce(0) { gcd($0, abs($1)) }
    var direction = d.map { $0 / g }
    let lead = direction.firstIndex { $0 != 0 }!
    if direction[lead] < 0 { direction = direction.map { -$0 } }
    var steps: [Int] = []
    for diff in differences {
      guard diff[lead] % direction[lead] == 0 else { return nil }
      let k = diff[lead] / direction[lead]
      guard zip(diff, direction).allSatisfy({ $0 == k * $1 }) else { return nil }
      steps.append(k)
    }
    // Of ±direction, the one whose lowest point (the common factor m) is smaller.
    let low = steps.min()!, high = steps.max()!
    let forward = zip(e0, direction).map { $0 + low * $1 }
    let backward = zip(e0, direction).map { $0 + high * $1 }
    if backward.reduce(0, { $0 + abs($1) }) < forward.reduce(0, { $0 + abs($1) }) {
      return (backward, direction.map { -$0 }, steps.map { high - $0 })
    }
    return (forward, direction, steps.map { $0 - low })
  }

  /// m · H(zᵍ) with H in Horner form.
  private func horner(_ p: Polynomial, atoms: [Int32], base: [Int], direction: [Int], steps: [Int])
    throws -> NodeID
  {
    let g = steps.reduce(0) { gcd($0, $1) }
    func mono(_ exponents: [Int]) -> Polynomial.Monomial {
      Polynomial.Monomial(
        factors: zip(atoms, exponents).filter { $0.1 != 0 }.map {
          .init(atom: $0.0, exponent: Int32($0.1))
        })
    }
    let z = try monomial(mono(direction), 1)
    let zg = try power(z, Double(g))
    // Coefficients by step, highest first.
    let byStep = zip(steps.map { $0 / g }, p.terms.map(\.coefficient)).sorted { $0.0 > $1.0 }
    // z's powers are kept whole (never flattened into r) so z stays shared.
    func times(_ r: NodeID, _ k: Int) throws -> NodeID {
      let zk = try power(zg, Double(k))
      return builder.scalarConstant(r) == 1 ? zk : try node(.mul, [r, zk])
    }
    var r = constant(byStep[0].1)
    var previous = byStep[0].0
    for (k, c) in byStep.dropFirst() {
      r = try node(.add, [times(r, previous - k), constant(c)])
      previous = k
    }
    if previous > 0 { r = try times(r, previous) }
    if base.allSatisfy({ $0 == 0 }) { return r }
    // m = zʲ when m lies on the line through 0 too, else its own monomial.
    let lead = direction.firstIndex { $0 != 0 }!
    let j = base[lead] / direction[lead]
    let m =
      zip(base, direction).allSatisfy({ $0 == j * $1 })
      ? try power(z, Double(j)) : try monomial(mono(base), 1)
    return try node(.mul, [m, r])
  }

  /// c · Π aᵉ.
  private func monomial(_ m: Polynomial.Monomial, _ c: Double) throws -> NodeID {
    var factors: [NodeID] = c == 1 ? [] : [constant(c)]
    for f in m.factors { factors.append(try power(NodeID(Int(f.atom)), Double(f.exponent))) }
    return try product(factors)
  }
}

private func gcd(_ a: Int, _ b: Int) -> Int {
  var (a, b) = (abs(a), abs(b))
  while b != 0 { (a, b) = (b, a % b) }
  return a
}
