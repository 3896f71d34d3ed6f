/// Differentiation inside the polynomial ring over a partial's atoms, the
/// derivative tower's shortcut past a sweep and its normal form.
///
/// Lowering sees a simplified partial as a polynomial P in *atoms* a₁ … aₖ
/// (the nodes it does not look inside: variables, `tanh`, `exp`, `sin`,
/// sums kept whole, …).  When each atom's own derivative is again a
/// polynomial in atoms (x′ = 1, tanh′ = 1 − tanh², (eᵘ)′ = u′·eᵘ, sin′ = cos
/// and cos′ = −sin, and so on: elementary functions are closed this way),
/// the chain rule is arithmetic on P's terms:
///
///     ∂P/∂x = Σᵢ ∂P/∂aᵢ · ∂aᵢ/∂x
///
/// and the result is built once, lowered as lowering would build it
/// (`RuleContext.synthesize`).  Each atom's derivative is taken once, by a
/// tangent sweep over the atom alone and simplified.  The tower keeps the
/// polynomial of each partial built this way, so the next order starts
/// from it instead of expanding the graph again; the n-th derivative of
/// tanh is n steps on a polynomial in t = tanh x.
///
/// Exact in real arithmetic, as lowering is: the expansion assumes finite
/// atoms (`SimplifyOptions.assumeFinite`).
struct PolynomialDifferentiator {
  private let builder: GraphBuilder
  private let context: RuleContext
  private let one: NodeID
  /// The polynomial each partial built here was built from.
  private var built: [NodeID: Expansion] = [:]
  /// ∂a/∂x, simplified, by atom and variable.
  private var slopes: [Pair: NodeID] = [:]
  /// Whether a partial needed more than `Polynomial.maxAtoms` atoms: the
  /// orders above it would need more still (x^x^x brings a new power each
  /// order), so the tower stops asking.
  private(set) var outgrown = false

  private struct Pair: Hashable {
    let atom: NodeID
    let variable: NodeID
  }

  init(builder: GraphBuilder) {
    self.builder = builder
    context = RuleContext(builder: builder, options: SimplifyOptions())
    one = builder.constantNode(1.0)
  }

  /// ∂p/∂x built in the polynomial ring, or `nil` when p or x is not a
  /// scalar, or p is not a polynomial in atoms closed under ∂/∂x (at most
  /// `Polynomial.maxAtoms` of them, within the term limit): the caller
  /// sweeps instead.
  mutating func derivative(of p: NodeID, wrt x: NodeID) throws -> NodeID? {
    guard builder.shape(p).isEmpty, builder.shape(x).isEmpty else { return nil }
    let parents: [Expansion]
    if let known = built[p] {
      parents = [known]
    } else if context.isPolynomial(p) {
      parents = context.expansions(of: p)
    } else {
      parents = [Expansion(keepSums: false, polynomial: .atom(0), atoms: [p])]
    }
    // As lowering does: the cheapest rebuild, over p's expansions and both
    // ways of reading the atoms' derivatives (sums of atoms kept whole, or
    // expanded), of those that divide by nothing new.
    var best: (node: NodeID, cost: Int, expansion: Expansion)?
    for parent in parents {
      for keepSums in [true, false] {
        guard let (d, readsSums) = try derivative(of: parent, wrt: x, keepSums: keepSums) else {
          continue
        }
        let node = try context.synthesize(d.polynomial, atoms: d.atoms)
        let cost = context.regionCost(node)
        if (best == nil || cost < best!.cost) && dividesOnlyAsBefore(node, d) {
          best = (node, cost, d)
        }
        if !readsSums { break }
      }
    }
    guard let best else { return nil }
    if built[best.node] == nil { built[best.node] = best.expansion }
    return best.node
  }

  /// Σᵢ ∂P/∂aᵢ · ∂aᵢ/∂x over P's atoms and the atoms their derivatives
  /// bring, each ∂aᵢ/∂x read with sums of atoms kept whole or not; also
  /// whether that choice mattered to any of them.
  private mutating func derivative(of e: Expansion, wrt x: NodeID, keepSums: Bool) throws -> (
    Expansion, readsSums: Bool
  )? {
    var atoms = e.atoms
    var result = Polynomial.zero
    var readsSums = false
    for (slot, atom) in e.atoms.enumerated() {
      guard
        let (slope, both) = try polynomial(
          of: slope(of: atom, wrt: x), over: &atoms, keepSums: keepSums)
      else { return nil }
      readsSums = readsSums || both
      // The derivative of a sum (or of its power) in several terms would be
      // multiplied out where the graph keeps it factored: the derivatives of
      // ln(x² − 2x + 2) hold (2x − 2)ᵏ.  Such towers are swept instead.
      if slope.terms.count > 1 && holdsSum(atom) { return nil }
      if slope.terms.isEmpty { continue }
      result = result + e.polynomial.partial(slot) * slope
      guard result.terms.count <= context.options.maxPolynomialTerms, result.isBounded else {
        return nil
      }
    }
    // Atoms P′ no longer has are dropped (moved past the kept ones), so a
    // tower that trades one atom for the next (x^½, x^−½, x^−³ᐟ², …) stays
    // within the limit.
    let kept = atoms.indices.filter { slot in result.terms.contains { $0.monomial[slot] != 0 } }
    if kept.count == atoms.count {
      return (Expansion(keepSums: e.keepSums, polynomial: result, atoms: atoms), readsSums)
    }
    let order = kept + atoms.indices.filter { !kept.contains($0) }
    var slots = [Int](repeating: 0, count: atoms.count)
    for (new, old) in order.enumerated() { slots[old] = new }
    let relabeled = result.relabeled(slots)
    return (
      Expansion(keepSums: e.keepSums, polynomial: relabeled, atoms: kept.map { atoms[$0] }),
      readsSums
    )
  }

  /// Whether an atom is a sum or a power of one.
  private func holdsSum(_ atom: NodeID) -> Bool {
    context.isAdd(atom)
      || (context.kind(atom) == .pow && context.isAdd(builder.borrowedInputs(atom)[0]))
  }

  /// Whether `node`, built from `e`, divides only by atoms `e` has negative
  /// powers of.  Horner in z = x·(x − 2)⁻¹ (both atoms) would divide by
  /// x − 2, a pole ∂P/∂x does not have, and give NaN there.
  private func dividesOnlyAsBefore(_ node: NodeID, _ e: Expansion) -> Bool {
    // At most `Polynomial.maxAtoms` atoms: a list, not a set.
    let denominators = e.atoms.indices.filter { slot in
      e.polynomial.terms.contains(where: { $0.monomial[slot] < 0 })
    }.map { e.atoms[$0] }
    let stamp = context.nextVisitStamp()
    context.visited[node.index] = stamp
    var stack = [node]
    while let id = stack.popLast() {
      guard context.isPolynomial(id), !e.atoms.contains(id) else { continue }
      let ins = builder.borrowedInputs(id)
      if let c = context.powExponent(id), c < 0, !denominators.contains(ins[0]) { return false }
      for input in ins where context.visited[input.index] != stamp {
        context.visited[input.index] = stamp
        stack.append(input)
      }
    }
    return true
  }

  /// ∂a/∂x for one atom: a tangent sweep over a alone, simplified.
  private mutating func slope(of atom: NodeID, wrt x: NodeID) throws -> NodeID {
    let key = Pair(atom: atom, variable: x)
    if let known = slopes[key] { return known }
    let tangent = try builder.jvp(of: [atom], tangents: [x: one])
    let slope = builder.simplify(tangent)[0]
    slopes[key] = slope
    return slope
  }

  /// `node` as a polynomial over `atoms`, adding the atoms it brings (`nil`
  /// past `Polynomial.maxAtoms`), read with sums of atoms kept whole or
  /// expanded; also whether those two readings differ.  An atom is matched
  /// by its node, so a derivative that is another atom
  /// (∂(eˣ − e⁻ˣ) = eˣ + e⁻ˣ) stays one.
  private mutating func polynomial(
    of node: NodeID, over atoms: inout [NodeID], keepSums: Bool
  ) -> (
    Polynomial, differs: Bool
  )? {
    if let v = context.scalar(node) { return (.constant(v), false) }
    var expansion = Expansion(keepSums: false, polynomial: .atom(0), atoms: [node])
    var differs = false
    if !atoms.contains(node) && context.isPolynomial(node) {
      let expansions = context.expansions(of: node)
      guard let e = expansions.first(where: { $0.keepSums == keepSums }) ?? expansions.last
      else { return nil }
      expansion = e
      differs = expansions.count > 1
    }
    var slots: [Int] = []
    for atom in expansion.atoms {
      if let slot = atoms.firstIndex(of: atom) {
        slots.append(slot)
      } else {
        guard atoms.count < Polynomial.maxAtoms else {
          outgrown = true
          return nil
        }
        atoms.append(atom)
        slots.append(atoms.count - 1)
      }
    }
    return (expansion.polynomial.relabeled(slots), differs)
  }
}
