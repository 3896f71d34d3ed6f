/// The partial derivatives of scalar outputs f₀, f₁, … up to some order with
/// respect to variables x₀ … x_{m−1}, each distinct mixed partial built once.
///
/// Mixed partials commute, so a partial is a *multiset* of variables, written
/// as its non-decreasing index list: ∂³f/∂x∂y∂x and ∂³f/∂x²∂y are both
/// `[0, 0, 1]`.  Each is built from the partial one order below:
///
///     ∂ᵏf / ∂x_{i₁}…∂x_{iₖ} = ∂/∂x_{iₖ} (∂ᵏ⁻¹f / ∂x_{i₁}…∂x_{iₖ₋₁})      (i₁ ≤ … ≤ iₖ)
///
/// so every order reuses the one below, and all partials up to order n
/// number C(m + n, n) per output (not mⁿ).  An order is built by whichever
/// sweep is cheaper: with P partials of order k − 1 to extend, one reverse
/// sweep per partial (all its children at once) when P < m, else one tangent
/// sweep per variable (forward mode, ẋⱼ = 1, over every partial that extends
/// by xⱼ).  So an order costs min(P, m) sweeps, each over the graph built so
/// far; `sweeps` reports the total.
///
/// Tensors follow `jax.jacobian`'s convention: the partial of an output of
/// shape S by variables of shapes T₁, …, Tₖ (in index order) has shape
/// S + T₁ + … + Tₖ, so ∂²f/∂W² of a scalar f and a 3×2 W is 3×2×3×2.  A
/// scalar partial is extended by a tensor variable with a reverse sweep (its
/// gradient has the variable's shape); a tensor partial by a tangent sweep,
/// which for a tensor variable T is batched: seeded with the identity of
/// shape T + T (`GraphBuilder.identitySeed`), one sweep gives the whole
/// Jacobian (`GraphBuilder.jvp(of:tangents:batch:)`).  A partial of more
/// than `maxElements` elements is refused before its order is built
/// (`GraphError.derivativeTooManyElements`).  With simplification on, each order is simplified as a whole before the next
/// is taken, so high orders stay small and share structure; the outputs
/// themselves are taken as given.  A tower of one output in one variable
/// takes each order in the polynomial ring over its atoms where it can
/// (`PolynomialDifferentiator`: no sweep, and the polynomial carried up from
/// the order below); several partials of an order are swept and simplified
/// together instead, which shares their subexpressions.
///
/// A `nodeBudget` bounds the work: an order grows the arena by about the
/// factor the order below did, so before order k is built its growth is
/// projected as gₖ ≈ gₖ₋₁ · gₖ₋₁ / gₖ₋₂ (g₀ the arena's size at the start),
/// and an order projected past the budget is refused before it starts
/// (`GraphError.derivativeTooLarge`); one that grows past it anyway stops
/// at the next sweep, as is one with more partials than the budget (each is at
/// least a node).  Order 1 is never refused: its min(outputs, variables)
/// sweeps are each linear in the graph, however large.  Building costs roughly
/// linear time in the nodes added, so the budget is a time limit known in
/// advance.
public struct DerivativeTower {
  /// One partial derivative of one output.
  public struct Partial {
    /// Which output (an index into the outputs the tower was built from).
    public let output: Int
    /// The variables differentiated by, as non-decreasing indices (empty
    /// for the output itself).
    public let variables: [Int]
    /// The node, in the builder the tower was built in.
    public let node: NodeID

    public var order: Int { variables.count }
  }

  /// The most elements one partial may hold: 2²⁴, 128 MiB of doubles.
  public static let maxElements = 1 << 24

  /// Every partial, output by output; each output's by order, then in
  /// lexicographic order of its variables (`[]`, `[0]`, `[1]`, `[0,0]`,
  /// `[0,1]`, `[1,1]`, …).
  public let partials: [Partial]
  /// Reverse and tangent sweeps it took.
  package let sweeps: Int
  private let position: [PartialKey: Int]

  /// How many distinct partials the tower holds (the outputs included).
  public var count: Int { partials.count }

  /// The partial of `output` by `variables` (in any order), if it was built.
  public func node(output: Int = 0, _ variables: [Int]) -> NodeID? {
    position[PartialKey(output: output, variables: variables.sorted())].map { partials[$0].node }
  }

  fileprivate init(_ partials: [Partial], sweeps: Int) {
    self.partials = partials
    self.sweeps = sweeps
    var position: [PartialKey: Int] = [:]
    for (i, p) in partials.enumerated() {
      position[PartialKey(output: p.output, variables: p.variables)] = i
    }
    self.position = position
  }
}

private struct PartialKey: Hashable {
  let output: Int
  let variables: [Int]
}

extension GraphBuilder {
  /// Every partial of each of `outputs` up to `order` with respect to `xs`.
  public func derivativeTower(
    of outputs: [NodeID], wrt xs: [NodeID], order: Int, simplify: Bool = true,
    nodeBudget: Int? = nil
  ) throws -> DerivativeTower {
    guard order >= 0 else {
      throw GraphError.unsupported("derivative order must be ≥ 0, got \(order)")
    }
    return try buildTower(outputs, xs, order: order, simplify: simplify, budget: nodeBudget) {
      _ in true
    }
  }

  /// The partials of each of `outputs` named by `partials` (variable index
  /// lists, in any order) with respect to `xs`, and the lower orders they
  /// are built from.
  public func derivativeTower(
    of outputs: [NodeID], wrt xs: [NodeID], partials: [[Int]], simplify: Bool = true,
    nodeBudget: Int? = nil
  ) throws -> DerivativeTower {
    var wanted = Set<[Int]>()
    for list in partials {
      guard list.allSatisfy(xs.indices.contains) else {
        throw GraphError.unsupported(
          "derivative: variable index out of range in \(list) (there are \(xs.count) variables)")
      }
      let sorted = list.sorted()
      for k in 0...sorted.count { wanted.insert(Array(sorted.prefix(k))) }
    }
    let order = partials.map(\.count).max() ?? 0
    return try buildTower(
      outputs, xs, order: order, simplify: simplify, budget: nodeBudget, wanted.contains)
  }

  private func buildTower(
    _ outputs: [NodeID], _ xs: [NodeID], order: Int, simplify: Bool, budget: Int?,
    _ wanted: ([Int]) -> Bool
  ) throws -> DerivativeTower {
    for x in xs {
      guard case .variable = op(x) else {
        throw GraphError.unsupported("derivative: differentiate with respect to variables only")
      }
    }
    var level = outputs.enumerated().map {
      DerivativeTower.Partial(output: $0, variables: [], node: $1)
    }
    var all = level
    var sweeps = 0
    // (Its rebuilt polynomials would regroup factors across element types.)
    var polynomials =
      simplify && outputs.count == 1 && xs.count == 1 && !holdsF32
      ? PolynomialDifferentiator(builder: self) : nil
    let one = constantNode(1.0)
    let start = count
    // The nodes the last two orders added (g₀ = the arena at the start).
    var growth = (before: max(1, start), last: max(1, start))
    for k in stride(from: 1, through: order, by: 1) where !xs.isEmpty {
      if let budget, k >= 2 {
        let projected = Int(
          min(Double(budget) * 2, Double(growth.last) * Double(growth.last) / Double(growth.before))
        )
        if count - start + projected > budget {
          throw GraphError.derivativeTooLarge(
            order: k, projected: projected, previous: growth.last, budget: budget)
        }
      }
      let orderStart = count
      func checkBudget() throws {
        if let budget, k >= 2, count - start > budget {
          throw GraphError.derivativeTooLarge(
            order: k, projected: nil, previous: growth.last, budget: budget)
        }
      }
      // (parent, variable) for each child wanted.
      var children: [(parent: Int, variable: Int)] = []
      for (p, parent) in level.enumerated() {
        for j in (parent.variables.last ?? 0)..<xs.count where wanted(parent.variables + [j]) {
          children.append((p, j))
        }
      }
      if children.isEmpty { break }
      // Each partial is at least one node and one output: the second derivatives by 3,000
      // variables are 4,501,500 of them, however simple each is.
      if let budget, k >= 2, count - start + children.count > budget {
        throw GraphError.derivativeTooLarge(
          order: k, projected: children.count, previous: growth.last, budget: budget)
      }
      for child in children {
        let size = shape(level[child.parent].node) + shape(xs[child.variable])
        if size.elementCount > DerivativeTower.maxElements {
          throw GraphError.derivativeTooManyElements(
            order: k, shape: size, limit: DerivativeTower.maxElements)
        }
      }
      var nodes = [NodeID](repeating: one, count: children.count)
      // Children the polynomial ring gives, already lowered; the rest are swept.
      var swept: [Int] = []
      for (c, child) in children.enumerated() {
        if let d = try polynomials?.derivative(
          of: level[child.parent].node, wrt: xs[child.variable])
        {
          nodes[c] = d
        } else {
          swept.append(c)
        }
      }
      // A partial past the ring's atom limit brings more atoms to the next
      // order: the orders above are swept without trying it again.
      if polynomials?.outgrown == true { polynomials = nil }
      // Tangent sweeps where they are cheaper (m ≤ P, scalar variables) or
      // the only way (a tensor partial has no reverse sweep); reverse sweeps
      // otherwise.
      let tangentsCheaper = xs.count <= level.count
      var byVariable = [[Int]](repeating: [], count: xs.count)
      var byParent: [Int: [Int]] = [:]
      for c in swept {
        let child = children[c]
        let scalarVariable = shape(xs[child.variable]).isEmpty
        if !shape(level[child.parent].node).isEmpty || (scalarVariable && tangentsCheaper) {
          byVariable[child.variable].append(c)
        } else {
          byParent[child.parent, default: []].append(c)
        }
      }
      for (j, these) in byVariable.enumerated() where !these.isEmpty {
        let ys = these.map { level[children[$0].parent].node }
        let batch = shape(xs[j])
        let seed = batch.isEmpty ? one : try identitySeed(batch)
        let tangents = try jvp(of: ys, tangents: [xs[j]: seed], batch: batch)
        for (c, t) in zip(these, tangents) { nodes[c] = t }
        sweeps += 1
        try checkBudget()
      }
      for (p, these) in byParent.sorted(by: { $0.key < $1.key }) {
        let grads = try gradient(of: level[p].node, wrt: these.map { xs[children[$0].variable] })
        for (c, g) in zip(these, grads) { nodes[c] = g }
        sweeps += 1
        try checkBudget()
      }
      if simplify && !swept.isEmpty {
        for (c, node) in zip(swept, self.simplify(swept.map { nodes[$0] })) { nodes[c] = node }
      }
      growth = (growth.last, max(1, count - orderStart))
      level = zip(children, nodes).map { child, node in
        let parent = level[child.parent]
        return DerivativeTower.Partial(
          output: parent.output, variables: parent.variables + [child.variable], node: node)
      }
      all += level
    }
    // Output by output, order by order, lexicographic within an order.
    all.sort {
      ($0.output, $0.order) != ($1.output, $1.order)
        ? ($0.output, $0.order) < ($1.output, $1.order)
        : $0.variables.lexicographicallyPrecedes($1.variables)
    }
    return DerivativeTower(all, sweeps: sweeps)
  }
}

/// The tower of `f` with respect to the variables `xs`, up to `order`; its
/// node ids are in `f`'s builder (see `expr(_:)` there).
public func derivativeTower(
  of f: Expr, wrt xs: [Expr], order: Int, simplify: Bool = true, nodeBudget: Int? = nil
) throws -> DerivativeTower {
  try f.builder.derivativeTower(
    of: [f.node()], wrt: xs.map { try $0.node() }, order: order, simplify: simplify,
    nodeBudget: nodeBudget)
}

/// f, f′, f″, …, f⁽ⁿ⁾ of a scalar expression in one scalar variable: the
/// tower in one variable over simplify(f), all in `f`'s builder, sharing
/// nodes.  This is
/// the one place the examples build higher derivatives.
public func derivatives(of f: Expr, wrt x: Expr, upTo order: Int) throws -> [Expr] {
  try checkScalarDerivative(of: f, wrt: x, order: order)
  let tower = try derivativeTower(of: simplify(f), wrt: [x], order: order)
  return [f] + tower.partials.dropFirst().map { f.builder.expr($0.node) }
}
