/// The simplifier's driver.
///
/// One *pass* is one forward loop over the arena (which is already in
/// topological order): each node reachable from the roots is rebuilt on its
/// inputs' replacements, then the rules of the running phases are tried on it,
/// first match first, until none fires (at most `maxRewritesPerNode` times).
/// Nodes a rule makes are visited by the next pass, and passes repeat until
/// one changes nothing (the fixpoint) or `maxPasses` is reached.  Nothing
/// recurses on graph depth, so a million-deep chain simplifies.
///
/// Stages: canonicalize, fold constants and algebraic identities run together
/// (a node tries the phases' rules in that order); stabilize and then
/// lowering run afterwards on the normal form.  With lowering on, the result
/// never has more operations than the input (or, with stabilize on, than the
/// stabilized graph, which buys accuracy with operations): if it would, that
/// is returned.
extension GraphBuilder {
  /// Simplifies the graphs rooted at `roots` inside this arena; returns the
  /// new roots (old nodes stay in the arena until the graph is frozen).
  public func simplify(
    _ roots: [NodeID], options: SimplifyOptions = .init(), trace: ((RuleFiring) -> Void)? = nil
  ) -> [NodeID] {
    let context = RuleContext(builder: self, options: options)
    var driver = RewriteDriver(builder: self, context: context, trace: trace)
    let normalizing = [Phase.canonicalize, .foldConstants, .algebraic].filter(
      options.phases.contains)
    var result = roots
    if !normalizing.isEmpty {
      let table =
        normalizing.count == 3
        ? RewriteDriver.normalizingTable : RuleTable(normalizing.flatMap(\.rules))
      result = driver.run(table, roots: result, remembering: normalizing.count == 3)
    }
    var reference = roots
    if options.phases.contains(.stabilize) {
      result = driver.run(RewriteDriver.stabilizeTable, roots: result)
      reference = result
    }
    if options.phases.contains(.lowering) {
      result = driver.run(RewriteDriver.loweringTable, roots: result)
      var live = reachableInOrder(from: result).order
      if mayShareProducts(live) {
        let lowered = graph(outputs: result)
        let shared = shareProducts(lowered, work: &visits)
        if shared.operationCount < lowered.operationCount, let ids = try? append(shared) {
          result = ids
          live = reachableInOrder(from: result).order
        }
      }
      if elementWork(of: live) > elementWork(of: reachableInOrder(from: reference).order) {
        return reference
      }
    }
    return result
  }

  /// Whether two scalar products of three or more factors among the `live`
  /// nodes can share a pair (`shareProducts`): some such product must hold
  /// two factors that each occur in another one.  Without one the graph is
  /// not frozen for that pass (W2's ∇f has 10⁴ products `eᵢ·qᵢ⁻¹·2` that
  /// share only the 2).
  private func mayShareProducts(_ live: [NodeID]) -> Bool {
    let products = live.filter { id in
      kind(id) == .mul && borrowedInputs(id).count >= 3 && shape(id).isEmpty
    }
    // A product's inputs are sorted, so a repeated factor is adjacent.
    func distinctFactors(_ id: NodeID, _ body: (NodeID) -> Void) {
      let ins = borrowedInputs(id)
      for k in ins.indices where k == 0 || ins[k - 1] != ins[k] { body(ins[k]) }
    }
    var occurrences = [Int32](repeating: 0, count: count)
    for id in products {
      distinctFactors(id) { occurrences[$0.index] += 1 }
    }
    return products.contains { id in
      var shared = 0
      distinctFactors(id) { if occurrences[$0.index] >= 2 { shared += 1 } }
      return shared >= 2
    }
  }

  /// The operation count (as `Graph.operationCount`) of the nodes reachable
  /// from `roots`.
  public func operationCount(of roots: [NodeID]) -> Int {
    reachableInOrder(from: roots).order.reduce(0) { $0 + nodes.operationWeight($1) }
  }

  /// The operation count weighted by tensor size: each operation counts
  /// once per element of its largest operand or result, an einsum once per
  /// point of its loop nest (the product of all its labels' extents).  A
  /// scalar graph's work is its operation count, and a product of sums is
  /// cheaper than the n⁴-element broadcast product it replaces, though it
  /// has more operations.  `live` is a graph's nodes (`reachableInOrder`).
  func elementWork(of live: [NodeID]) -> Double {
    var total = 0.0
    // Shapes read in place (a copy costs reference counting), and only
    // tensor ones multiplied out.
    let shapes = nodes.shapes
    for id in live {
      let weight = nodes.operationWeight(id)
      guard weight > 0 else { continue }
      if kind(id) == .einsum, case .einsum(let spec) = op(id),
        let sizes = try? spec.labelSizes(for: inputs(id).map(shape))
      {
        total += sizes.reduce(1.0) { $0 * Double($1) }
        continue
      }
      let elements = borrowedInputs(id).reduce(shapes[id.index].elementCount) {
        shapes[$1.index].isEmpty ? $0 : max($0, shapes[$1.index].elementCount)
      }
      total += Double(weight) * Double(elements)
    }
    return total
  }

  /// Marks the nodes reachable from `roots` (one backward loop) and lists
  /// them in id order (a topological order), so that a pass visits the live
  /// nodes, not the whole arena (which keeps every earlier graph built in it).
  func reachableInOrder(from roots: [NodeID]) -> (marks: [Bool], order: [NodeID]) {
    let end = (roots.map(\.index).max() ?? -1) + 1
    visits += end
    var live = [Bool](repeating: false, count: end)
    var order: [NodeID] = []
    order.reserveCapacity(end)
    for root in roots { live[root.index] = true }
    for index in stride(from: end - 1, through: 0, by: -1) where live[index] {
      order.append(NodeID(index))
      for input in borrowedInputs(NodeID(index)) { live[input.index] = true }
    }
    order.reverse()
    return (live, order)
  }
}

/// Simplifies a graph: the same outputs, in the same order, with the same names.
public func simplify(
  _ graph: Graph, options: SimplifyOptions = .init(), trace: ((RuleFiring) -> Void)? = nil
) -> Graph {
  let builder = GraphBuilder(graph)
  let roots = builder.simplify(graph.outputs, options: options, trace: trace)
  return builder.graph(outputs: roots, names: graph.outputNames)
}

/// Simplifies expressions that share one builder, in place in that builder.
/// A failed handle is passed through unchanged.
public func simplify(
  _ exprs: [Expr], options: SimplifyOptions = .init(), trace: ((RuleFiring) -> Void)? = nil
) -> [Expr] {
  guard let builder = exprs.first?.builder else { return [] }
  let ids = exprs.compactMap { try? $0.node() }
  let simplified = builder.simplify(ids, options: options, trace: trace)
  var next = simplified.makeIterator()
  return exprs.map { e in (try? e.node()) == nil ? e : builder.expr(next.next()!) }
}

/// Simplifies one expression in place in its builder.
public func simplify(
  _ expr: Expr, options: SimplifyOptions = .init(), trace: ((RuleFiring) -> Void)? = nil
) -> Expr {
  simplify([expr], options: options, trace: trace)[0]
}

/// Runs rule tables over an arena to a fixpoint.
struct RewriteDriver {
  let builder: GraphBuilder
  let context: RuleContext
  let trace: ((RuleFiring) -> Void)?

  /// The indexed tables of the two stages with every phase on (the default).
  static let normalizingTable = RuleTable(
    Phase.canonicalize.rules + Phase.foldConstants.rules + Phase.algebraic.rules)
  static let stabilizeTable = RuleTable(Phase.stabilize.rules)
  static let loweringTable = RuleTable(Phase.lowering.rules)

  /// With `remembering` (the normalizing stage with every phase on), the
  /// nodes found in normal form are marked in the builder, and marked nodes
  /// are not tried again by later runs: simplifying a graph that contains
  /// an already simplified one (a derivative contains the forward graph)
  /// tries rules on the new nodes only.
  mutating func run(_ table: RuleTable, roots: [NodeID], remembering: Bool = false)
    -> [NodeID]
  {
    var roots = roots
    // Nodes on which every rule was tried, with full information (they
    // existed when the pass began, or no rule reads what was missing), and
    // none fired: not tried again.
    var marks: [Bool] = remembering ? builder.normalForm.take(under: context.options) : []
    var settled = marks
    defer { if remembering { builder.normalForm.store(marks, under: context.options) } }
    // A node of a recomputed checkpoint segment is rebuilt, and rewritten,
    // in its own scope, so that it is never merged back into the forward
    // node it copies (`Recomputation`).
    let outer = builder.currentScope
    let keepsScopes = builder.scopes.entries.contains { $0.kind == .recompute }
    defer { builder.enter(outer) }
    let maxRewrites = context.options.maxRewritesPerNode
    for _ in 0..<context.options.maxPasses {
      let end = builder.count
      let (live, order) = builder.reachableInOrder(from: roots)
      context.countUses(order, in: live.count, roots: roots)
      builder.visits += 2 * live.count
      var replacement = [Int32](repeating: -1, count: live.count)
      var changed = false
      for original in order {
        let index = original.index
        var id = original
        if keepsScopes { builder.enter(builder.scope(of: original)) }
        if let rebuilt = rebuild(original, on: replacement) { id = rebuilt }
        for _ in 0..<maxRewrites {
          if id.index < settled.count && settled[id.index] { break }
          guard let next = fire(table.byKind[builder.kind(id).key], at: id) else {
            // A node made during this pass had unknown use counts: that
            // matters only to the rules `isNormalInAnyGraph` rules out.
            let normal = remembering && isNormalInAnyGraph(id)
            if id.index < end || normal { Self.set(id, in: &settled) }
            if normal { Self.set(id, in: &marks) }
            break
          }
          id = next
          changed = true
        }
        replacement[index] = id.rawValue
      }
      roots = roots.map { NodeID(Int(replacement[$0.index])) }
      if !changed { break }
    }
    return roots
  }

  /// `original` rebuilt on its inputs' replacements (`nil` when none
  /// changed, or the rebuilt node is invalid); one or two inputs are passed
  /// without an array.
  private func rebuild(_ original: NodeID, on replacement: [Int32]) -> NodeID? {
    // The inputs' slice must be gone before a node is appended: a live
    // slice of the arena's input list makes the append copy all of it.
    let ins = builder.borrowedInputs(original)
    guard ins.contains(where: { replacement[$0.index] != $0.rawValue }) else { return nil }
    let op = builder.op(original)
    func mapped(_ k: Int) -> NodeID { NodeID(Int(replacement[ins[k].index])) }
    switch ins.count {
    case 1: return try? context.node(op, mapped(0))
    case 2: return try? context.node(op, mapped(0), mapped(1))
    default: return try? context.node(op, ins.indices.map(mapped))
    }
  }

  /// Sets `id`'s flag in a per-node array (growing it): marks a node as
  /// tried with no rule firing, or as in normal form.
  private static func set(_ id: NodeID, in flags: inout [Bool]) {
    if flags.count <= id.index {
      // Grown geometrically: a pass sets the flags of new nodes one by one.
      flags += repeatElement(false, count: max(id.index + 1, 2 * flags.count) - flags.count)
    }
    flags[id.index] = true
  }

  /// Whether no normalizing rule can fire at `id` in any graph, given that
  /// none fired in this one.  The rules that read the graph around a node
  /// (not just the node) are those that flatten an inner sum or product
  /// used once, distribute a coefficient over a sum used once, or skip a
  /// node its user absorbs (`isAbsorbed`), and the einsum rules: a node
  /// those could reach is not marked.
  private func isNormalInAnyGraph(_ id: NodeID) -> Bool {
    let ins = builder.borrowedInputs(id)
    let kind = builder.kind(id)
    switch kind.category {
    case .variadic where kind == .add:
      return !context.isAbsorbed(id) && !ins.contains(where: context.isAdd)
    case .variadic:
      return !context.isAbsorbed(id) && !ins.contains(where: context.isMul)
        && !(ins.contains(where: context.isAdd) && ins.contains { context.scalar($0) != nil })
    case .contraction: return kind != .einsum
    // `power-constant` reads only the node's own inputs; the other ops have no such rules.
    case .leaf, .unary, .binary, .comparison, .selection, .reduction, .layout, .structured,
      .custom, .linearAlgebra, .loop:
      return true
    }
  }

  /// The result of the first rule that fires at `id`, reported to the trace.
  private func fire(_ rules: [Unmanaged<RewriteRule>], at id: NodeID) -> NodeID? {
    for rule in rules {
      builder.visits += 1
      if let result = rule._withUnsafeGuaranteedRef({ attempt($0, at: id) }) { return result }
    }
    return nil
  }

  /// The result of `rule` at `id`, if it fires.
  private func attempt(_ rule: RewriteRule, at id: NodeID) -> NodeID? {
    guard let match = builder.match(rule, at: id) else { return nil }
    if let condition = rule.condition, !condition(match, context) { return nil }
    guard let made = try? rule.result(match, context), made != id,
      builder.shape(made) == builder.shape(id),
      let result = try? builder.converted(made, to: builder.elementType(id)), result != id
    else { return nil }
    if let trace {
      trace(
        RuleFiring(
          rule: rule.name, location: rule.location,
          before: builder.shortText(id), after: builder.shortText(result), domain: rule.domain,
          node: id, result: result))
    }
    return result
  }
}

/// Rules by the op key of their pattern's head, for the driver; a headless
/// rule is in the list of every kind it may fire on (`RewriteRule.kinds`).
/// The rules are held by `rules` and the lists refer to them unretained,
/// so that trying one costs no reference counting (a pass tries hundreds
/// of thousands).
struct RuleTable {
  let rules: [RewriteRule]
  let byKind: [[Unmanaged<RewriteRule>]]

  init(_ rules: [RewriteRule]) {
    self.rules = rules
    byKind = Op.Kind.allCases.map { kind in
      rules.filter { rule in
        rule.pattern.head.map { $0.kind == kind } ?? rule.kinds?.contains(kind) ?? true
      }.map(Unmanaged.passUnretained)
    }
  }
}

extension Op.Kind {
  /// A small integer per kind, to index rule tables by head.
  var key: Int { Int(rawValue) }
}
