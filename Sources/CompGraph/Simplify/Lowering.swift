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
    "polynomial-horner", .lowering, .node("x"), on: [.add, .mul, .pow],
    if: { m, c in c.isPolynomial(m.root) && c.isRegionRoot(m.root) }
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

/// What lowering chose for a region: keep it, replay the first rebuild's
/// recipe, or (when the rebuild had none) rebuild from one of its expansions.
enum LoweringChoice {
  case keep
  case replay(LoweringRecipe)
  case rebuild(keepSums: Bool)
}

/// One expansion of a region: a polynomial in its atoms, and whether sums
/// of atoms were kept whole.
struct Expansion {
  var keepSums: Bool
  var polynomial: Polynomial
  var atoms: [NodeID]
}

extension RuleContext {
  /// Lowers the polynomial region under `root`; `nil` when no rebuild is cheaper.
  ///
  /// Regions of one structure (`regionKey`) lower alike, so the choice made
  /// for the first is replayed for the others: the first rebuild's recipe
  /// (`LoweringRecipe`), or else only the winning expansion, and no losing
  /// candidate (W2's ∇f is 10⁴ regions of one shape).
  func lowerPolynomial(_ root: NodeID) throws -> NodeID? {
    if isLowered(root) { return nil }
    // Two operations or fewer cannot get cheaper (cancellation is the normal
    // form's job).
    guard let (region, cost) = polynomialRegion(root, over: 2) else { return nil }
    var best = root
    var bestCost = cost
    setPositions(region)
    defer { clearPositions(region) }
    let (key, atoms) = regionKey(region)
    switch loweringChoices[key] {
    case .keep?:
      markLowered(root)
      return nil
    case .replay(let recipe)?:
      best = try replay(recipe, region: region, atoms: atoms)
      markLowered(best)
      return best
    case .rebuild(let keepSums)?:
      if let e = expansion(of: region, root: root, keepSums: keepSums, cost: bestCost) {
        best = try rebuild(e, as: root)
        markLowered(best)
        return best
      }
    case nil:
      break
    }
    var choice = LoweringChoice.keep
    let expansions = self.expansions(of: region, root: root, cost: bestCost)
    // Polynomials on a line (Horner) first: their cost, usually the lowest,
    // then prunes the others before anything is built for them.
    let onLine = expansions.map { collinear($0.polynomial.terms.map(\.monomial)) != nil }
    let order = expansions.indices.sorted { (onLine[$0] ? 0 : 1) < (onLine[$1] ? 0 : 1) }
    for e in order.map({ expansions[$0] }) {
      // Any rebuild of k terms needs k − 1 additions at least.
      if e.polynomial.terms.count - 1 >= bestCost { continue }
      let candidate = try rebuild(e, as: root)
      let cost = regionCost(candidate)
      if cost < bestCost {
        best = candidate
        bestCost = cost
        choice = .rebuild(keepSums: e.keepSums)
      }
    }
    if case .rebuild = choice, let recipe = recipe(for: best, region: region, atoms: atoms) {
      choice = .replay(recipe)
    }
    loweringChoices[key] = choice
    markLowered(best)
    return best == root ? nil : best
  }

  /// An expansion of `root`'s region built back, at `root`'s shape.
  private func rebuild(_ e: Expansion, as root: NodeID) throws -> NodeID {
    try broadcast(synthesize(e.polynomial, atoms: e.atoms), to: builder.shape(root))
  }

  /// The expansions of the polynomial region under `root`, a polynomial
  /// node, into a polynomial and its atoms (see `expansions(of:root:cost:)`);
  /// none when the region is too big.
  func expansions(of root: NodeID) -> [Expansion] {
    guard let (region, cost) = polynomialRegion(root) else { return [] }
    setPositions(region)
    defer { clearPositions(region) }
    return expansions(of: region, root: root, cost: cost)
  }

  /// The expansions of `region` (the polynomial nodes under `root`) into a
  /// polynomial and its atoms: sums of atoms kept whole as atoms, and (when
  /// that differs) every sum expanded.
  private func expansions(of region: [NodeID], root: NodeID, cost: Int) -> [Expansion] {
    // Keeping sums whole differs from expanding them only if some sum below
    // the root has no sum inside.
    let hasLeafSum = region.contains { id in
      id != root && isAdd(id)
        && !builder.borrowedInputs(id).contains { isAdd($0) }
    }
    return (hasLeafSum ? [true, false] : [false]).compactMap { keepSums in
      expansion(of: region, root: root, keepSums: keepSums, cost: cost)
    }
  }

  /// One expansion of `region`; `nil` past the term limit (set by the
  /// region's `cost`), or when an atom may be infinite without `assumeFinite`.
  private func expansion(of region: [NodeID], root: NodeID, keepSums: Bool, cost: Int)
    -> Expansion?
  {
    guard let (p, atoms) = expand(region, root: root, keepSums: keepSums, cost: cost) else {
      return nil
    }
    if !options.assumeFinite && !atoms.allSatisfy({ facts($0).contains(.finite) }) { return nil }
    return Expansion(keepSums: keepSums, polynomial: p, atoms: atoms)
  }

  /// Records each region node's position in `region`, which `expand` and
  /// `regionKey` look up.
  private func setPositions(_ region: [NodeID]) {
    if regionPosition.count < builder.count {
      // Grown geometrically: the arena grows a few nodes per region.
      regionPosition += repeatElement(
        -1, count: max(builder.count, 2 * regionPosition.count) - regionPosition.count)
    }
    for (k, id) in region.enumerated() { regionPosition[id.index] = Int32(k) }
  }

  private func clearPositions(_ region: [NodeID]) {
    for id in region { regionPosition[id.index] = -1 }
  }

  /// The structure of a region, atoms abstracted: per node its op (a
  /// `pow`'s exponent too) and shape, and per input whether it is a region
  /// node (by position), a constant (by value) or an atom (numbered by first
  /// use; with its shape, and its finiteness when that is not assumed).
  /// Regions with one key expand to one polynomial up to renaming atoms, and
  /// each rebuild of them has one cost.  Also the atoms, by number.
  private func regionKey(_ region: [NodeID]) -> (key: RegionKey, atoms: [NodeID]) {
    var key: [UInt64] = []
    key.reserveCapacity(region.count * 4)
    var atoms: [NodeID] = []
    // An atom is marked in `regionPosition` as −2 − its number while the
    // key is built.
    defer { for atom in atoms { regionPosition[atom.index] = -1 } }
    // Shapes are read in place: a copy of each would cost reference counting.
    let shapes = builder.nodes.shapes
    for id in region {
      let ins = builder.borrowedInputs(id)
      key.append(
        UInt64(kind(id).key) | UInt64(ins.count) << 8 | UInt64(shapes[id.index].count) << 40)
      if !shapes[id.index].isEmpty { key += shapes[id.index].lazy.map(UInt64.init) }
      if let e = powExponent(id) { key.append(e.bitPattern) }
      for input in ins {
        let k = regionPosition[input.index]
        if k >= 0 {
          key.append(1 << 62 | UInt64(k))
        } else if let v = scalar(input) {
          key.append(2 << 62)
          key.append(v.bitPattern)
        } else if k < -1 {
          key.append(3 << 62 | UInt64(-2 - k))
        } else {
          regionPosition[input.index] = -2 - Int32(atoms.count)
          let finite: UInt64 = !options.assumeFinite && facts(input).contains(.finite) ? 1 << 32 : 0
          key.append(
            3 << 62 | finite | UInt64(shapes[input.index].count) << 40 | UInt64(atoms.count))
          if !shapes[input.index].isEmpty { key += shapes[input.index].lazy.map(UInt64.init) }
          atoms.append(input)
        }
      }
    }
    return (RegionKey(words: key), atoms)
  }

  /// The polynomial nodes under `root` (root included), in id order, and
  /// their operation count: `nil` when the region is too big, or has
  /// `floor` operations or fewer (then nothing is allocated).
  private func polynomialRegion(_ root: NodeID, over floor: Int = 0) -> (
    nodes: [NodeID], cost: Int
  )? {
    walkRegion(root, limit: options.maxRegionNodes) { found, cost in
      cost > floor ? (found.sorted(), cost) : nil
    } ?? nil
  }

  /// Walks the polynomial region under `root` (a polynomial node, included): the nodes reached
  /// from it through polynomial nodes, found breadth first into a lent array (it is its own
  /// work list) and marked with a fresh visit stamp, and the operations they add up to; `body`
  /// reads them.  `nil` past `limit` nodes.
  private func walkRegion<R>(
    _ root: NodeID, limit: Int, _ body: (_ found: [NodeID], _ cost: Int) -> R
  ) -> R? {
    let stamp = nextVisitStamp()
    visited[root.index] = stamp
    var found = takeScratch()
    defer { giveBack(found) }
    found.append(root)
    var next = 0
    var cost = 0
    while next < found.count {
      let id = found[next]
      next += 1
      cost += operations(at: id)
      for input in builder.borrowedInputs(id)
      where isPolynomial(input) && visited[input.index] != stamp {
        visited[input.index] = stamp
        found.append(input)
      }
      if found.count > limit { return nil }
    }
    return body(found, cost)
  }

  /// The expanded polynomial of `root` and its atoms (by slot).  With
  /// `keepSums`, a sum none of whose inputs contains a sum is an atom too
  /// (`eˣ + e⁻ˣ`).  `nil` past the term limit or the atom limit.
  private func expand(_ region: [NodeID], root: NodeID, keepSums: Bool, cost: Int) -> (
    Polynomial, [NodeID]
  )? {
    // Indexed by position in `region` (`regionPosition`).
    var polynomials = [Polynomial?](repeating: nil, count: region.count)
    var containsSum = [Bool](repeating: false, count: region.count)
    var atoms: [NodeID] = []
    // A polynomial of k terms costs k − 1 additions at least; intermediate
    // ones beyond twice the region's cost rarely cancel back down, so the
    // expansion gives up there.
    let limit = min(options.maxPolynomialTerms, 2 * cost + 8)
    func position(_ id: NodeID) -> Int? {
      let k = id.index < regionPosition.count ? regionPosition[id.index] : -1
      return k >= 0 ? Int(k) : nil
    }
    func polynomial(of id: NodeID) -> Polynomial? {
      if let k = position(id), let p = polynomials[k] { return p }
      if let v = scalar(id) { return .constant(v) }
      if let slot = atoms.firstIndex(of: id) { return .atom(slot) }
      guard atoms.count < Polynomial.maxAtoms else { return nil }
      atoms.append(id)
      return .atom(atoms.count - 1)
    }
    for (k, id) in region.enumerated() {
      let ins = builder.borrowedInputs(id)
      let isSum = isAdd(id)
      let hasSumInput = ins.contains { position($0).map { containsSum[$0] } ?? false }
      containsSum[k] = isSum || hasSumInput
      if keepSums && isSum && id != root && !hasSumInput { continue }  // an atom
      var p: Polynomial
      switch builder.op(id) {
      case .add:
        p = .zero
        for input in ins {
          guard let q = polynomial(of: input) else { return nil }
          p = p + q
        }
      case .mul:
        p = .constant(1)
        for input in ins {
          guard let q = polynomial(of: input) else { return nil }
          p = p * q
          if p.terms.count > limit { return nil }
        }
      case .pow(let c):
        guard abs(c) <= 64, let base = polynomial(of: ins.first!),
          let q = base.power(Int(c), limit: limit)
        else { continue }  // an atom
        p = q
      default:
        continue
      }
      if p.terms.count > limit || !p.isBounded { return nil }
      polynomials[k] = p
    }
    guard let p = polynomials[region.count - 1] else { return nil }
    return (p, atoms)
  }

  /// Ops under `root` that belong to polynomial regions (atoms' own
  /// subgraphs are shared by every candidate, so they are not counted).
  func regionCost(_ root: NodeID) -> Int {
    guard isPolynomial(root) else { return 0 }
    return walkRegion(root, limit: .max) { $1 } ?? 0
  }

  /// What a polynomial node adds to its region's cost: k − 1 for a sum or
  /// product of k inputs, 1 for a power.
  private func operations(at id: NodeID) -> Int {
    isAdd(id) || isMul(id) ? builder.borrowedInputs(id).count - 1 : 1
  }

  /// A stamp no node of `visited` carries yet (a walk marks with it instead
  /// of clearing the marks), with `visited` covering the arena.
  func nextVisitStamp() -> UInt32 {
    visitStamp += 1
    if visited.count < builder.count {
      visited += repeatElement(0, count: max(builder.count, 2 * visited.count) - visited.count)
    }
    return visitStamp
  }

  /// Builds a polynomial: Horner form when its exponents lie on a line;
  /// otherwise the common monomial m is factored out and the rest split on
  /// the atom a that occurs in most terms (greedy multivariate Horner):
  ///
  ///     P = m · (a·Q + R)
  ///
  /// The recursion follows the polynomial (every split has fewer terms, and
  /// polynomials are capped at `maxPolynomialTerms`), not the graph.
  func synthesize(_ p: Polynomial, atoms: [NodeID]) throws -> NodeID {
    guard let first = p.terms.first else { return constant(0) }
    if p.terms.count == 1 { return try monomial(first.monomial, first.coefficient, atoms) }
    if let line = collinear(p.terms.map(\.monomial)) {
      let h = try horner(p, atoms, line)
      // Any two terms lie on a line: for two, Horner in z competes with factoring.
      guard p.terms.count == 2 else { return h }
      let f = try factored(p, atoms: atoms)
      return regionCost(f) < regionCost(h) ? f : h
    }
    return try factored(p, atoms: atoms)
  }

  /// m · (a·Q + R), or a plain sum when no atom is shared.
  private func factored(_ p: Polynomial, atoms: [NodeID]) throws -> NodeID {
    let first = p.terms[0]
    // The common factor: per atom, the smallest power when every term has a
    // positive one (the largest when every term has a negative one).
    var low = first.monomial, high = first.monomial
    for t in p.terms {
      low = pointwiseMin(low, t.monomial)
      high = pointwiseMax(high, t.monomial)
    }
    var m = Polynomial.Monomial.zero
    for lane in 0..<Polynomial.maxAtoms {
      if low[lane] > 0 { m[lane] = low[lane] } else if high[lane] < 0 { m[lane] = high[lane] }
    }
    if m != .zero {
      let rest = Polynomial(terms: p.terms.map { ($0.monomial &- m, $0.coefficient) })
      return try node(.mul, [monomial(m, 1, atoms), synthesize(rest, atoms: atoms)])
    }
    // Split on the atom power shared by most terms.
    var best: (lane: Int, sign: Int32, count: Int) = (0, 0, 1)
    for lane in 0..<Polynomial.maxAtoms {
      for sign: Int32 in [1, -1] {
        let count = p.terms.count { $0.monomial[lane] * sign > 0 }
        if count > best.count { best = (lane, sign, count) }
      }
    }
    guard best.sign != 0 else {
      return try sum(p.terms.map { try monomial($0.monomial, $0.coefficient, atoms) })
    }
    var unit = Polynomial.Monomial.zero
    unit[best.lane] = best.sign
    let inQ = p.terms.filter { $0.monomial[best.lane] * best.sign > 0 }
    let q = Polynomial(terms: inQ.map { ($0.monomial &- unit, $0.coefficient) })
    let r = Polynomial(terms: p.terms.filter { $0.monomial[best.lane] * best.sign <= 0 })
    let aq = try node(.mul, [monomial(unit, 1, atoms), synthesize(q, atoms: atoms)])
    return try node(.add, [aq, synthesize(r, atoms: atoms)])
  }

  private struct Line {
    /// The lowest point m, the primitive direction v, and each term's step k
    /// (term i is m + kᵢ·v, kᵢ ≥ 0).
    var base: Polynomial.Monomial
    var direction: Polynomial.Monomial
    var steps: [Int32]
  }

  /// When every monomial is base + kᵢ·direction with integers kᵢ ≥ 0.
  private func collinear(_ monomials: [Polynomial.Monomial]) -> Line? {
    guard let e0 = monomials.first else { return nil }  // everything cancelled
    guard let d = monomials.first(where: { $0 != e0 }).map({ $0 &- e0 }) else { return nil }
    var g: Int32 = 0
    for lane in 0..<Polynomial.maxAtoms { g = gcd(g, d[lane]) }
    var direction = d / Polynomial.Monomial(repeating: g)
    let lead = (0..<Polynomial.maxAtoms).first { direction[$0] != 0 }!
    if direction[lead] < 0 { direction = 0 &- direction }
    var steps: [Int32] = []
    for m in monomials {
      let diff = m &- e0
      guard diff[lead] % direction[lead] == 0 else { return nil }
      let k = diff[lead] / direction[lead]
      guard diff == direction &* k else { return nil }
      steps.append(k)
    }
    // Of ±direction, the one whose lowest point (the common factor m) is smaller.
    let low = steps.min()!, high = steps.max()!
    let forward = e0 &+ direction &* low
    let backward = e0 &+ direction &* high
    func size(_ m: Polynomial.Monomial) -> Int32 {
      (0..<Polynomial.maxAtoms).reduce(0) { $0 + abs(m[$1]) }
    }
    if size(backward) < size(forward) {
      return Line(base: backward, direction: 0 &- direction, steps: steps.map { high - $0 })
    }
    return Line(base: forward, direction: direction, steps: steps.map { $0 - low })
  }

  /// m · H(zᵍ) with H in Horner form.
  private func horner(_ p: Polynomial, _ atoms: [NodeID], _ line: Line) throws -> NodeID {
    let g = line.steps.reduce(0) { gcd($0, $1) }
    let z = try monomial(line.direction, 1, atoms)
    let zg = try power(z, Double(g))
    // z's powers are kept whole (never flattened into r) so z stays shared.
    func times(_ r: NodeID, _ k: Int32) throws -> NodeID {
      let zk = try power(zg, Double(k))
      return scalar(r) == 1 ? zk : try node(.mul, [r, zk])
    }
    // Coefficients by step, highest first.
    let byStep = zip(line.steps.map { $0 / g }, p.terms.map(\.coefficient)).sorted { $0.0 > $1.0 }
    var r = constant(byStep[0].1)
    var previous = byStep[0].0
    for (k, c) in byStep.dropFirst() {
      r = try node(.add, [times(r, previous - k), constant(c)])
      previous = k
    }
    if previous > 0 { r = try times(r, previous) }
    if line.base == .zero { return r }
    // m = zʲ when m lies on the line through 0 too, else its own monomial.
    let lead = (0..<Polynomial.maxAtoms).first { line.direction[$0] != 0 }!
    let j = line.base[lead] / line.direction[lead]
    let m =
      line.base == line.direction &* j
      ? try power(z, Double(j)) : try monomial(line.base, 1, atoms)
    return try node(.mul, [m, r])
  }

  /// c · Π aᵉ.
  private func monomial(_ m: Polynomial.Monomial, _ c: Double, _ atoms: [NodeID]) throws -> NodeID {
    var factors: [NodeID] = c == 1 ? [] : [constant(c)]
    for (slot, atom) in atoms.enumerated() where m[slot] != 0 {
      factors.append(try power(atom, Double(m[slot])))
    }
    return try product(factors)
  }
}

private func gcd(_ a: Int32, _ b: Int32) -> Int32 {
  var (a, b) = (abs(a), abs(b))
  while b != 0 { (a, b) = (b, a % b) }
  return a
}
