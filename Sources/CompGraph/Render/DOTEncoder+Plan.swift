/// Which nodes a picture draws, and as what: itself, a constant written
/// into its consumers' labels, a term written into a long sum's label, or a
/// member of a collapsed group drawn as one node.
extension DOTEncoder {
  /// What to collapse into one node each (`Options.collapse`).
  public enum Collapse: String, CaseIterable, Sendable {
    /// Draw every node.
    case none
    /// Each output's private subgraph — the operations only that output
    /// needs — as one node, `g<k>` for output k.
    case outputs
    /// Each top-level scope (a module call, a checkpoint segment, a `.cg`
    /// `scope name { … }` block) with everything inside it as one node,
    /// `g<k>` for scope k.  Variables stay drawn.
    case scopes
  }

  /// A collapsed group: its DOT node `g<key>`, label and fill.
  struct Group {
    let key: Int
    let lines: [String]
    let fill: String
  }

  /// How each node is drawn.
  enum Place: Equatable {
    case node
    /// A scalar constant written into its `+`/`×` consumers' labels.
    case constant(String)
    /// A node written into the label of a long sum or product (the node).
    case term(of: NodeID)
    /// A member of the collapsed group with this key.
    case group(Int)
  }

  /// The place of every node, the groups, and the terms each long sum or
  /// product writes into its label.
  struct Plan {
    var places: [Place]
    var groups: [Group] = []
    var terms: [NodeID: [String]] = [:]

    /// The DOT node that stands for `id` (`nil` for a folded constant).
    func name(_ id: NodeID) -> String? {
      var current = id
      while true {
        switch places[current.index] {
        case .node: return "n\(current.rawValue)"
        case .constant: return nil
        case .group(let key): return "g\(key)"
        case .term(let sum): current = sum
        }
      }
    }

    /// Nodes and groups drawn: the size the node limit is checked against.
    var drawnCount: Int { places.count(where: { $0 == .node }) + groups.count }
  }

  /// Operands beyond which a sum or product writes its small private terms
  /// into its label, lines filled to about `termLineLength` characters.
  static let longOperandCount = 8
  static let termLineLength = 48
  /// Operations a term may hold to be written into a label, and the
  /// characters of its text (longer ones end in `…`).
  static let termOperationLimit = 6
  static let termTextLimit = 40

  func plan(_ graph: Graph, orders: [Int]) -> Plan {
    var plan = Plan(places: foldedConstants(graph).map { $0.map(Place.constant) ?? .node })
    switch options.collapse {
    case .none: break
    case .outputs: collapseOutputs(graph, orders: orders, into: &plan)
    case .scopes: collapseScopes(graph, into: &plan)
    }
    if options.values.isEmpty && options.adjoints.isEmpty { foldLongSums(graph, into: &plan) }
    return plan
  }

  /// How many times each node is used: as an input (each position counts)
  /// and as an output.
  private static func uses(_ graph: Graph) -> [Int] {
    var uses = [Int](repeating: 0, count: graph.nodeCount)
    for id in graph.ids { for input in graph.inputs(id) { uses[input.index] += 1 } }
    for output in graph.outputs { uses[output.index] += 1 }
    return uses
  }

  /// Groups each output's private operations (those no other output needs),
  /// when there are at least two of them and the group is not expanded.
  /// One backward pass per output marks who needs what.
  private func collapseOutputs(_ graph: Graph, orders: [Int], into plan: inout Plan) {
    // owner: the one output needing a node, or -1 when several do.
    var owner = [Int?](repeating: nil, count: graph.nodeCount)
    for (k, output) in graph.outputs.enumerated() {
      var needed = [Bool](repeating: false, count: output.index + 1)
      needed[output.index] = true
      for index in stride(from: output.index, through: 0, by: -1) where needed[index] {
        owner[index] = owner[index].map { $0 == k ? k : -1 } ?? k
        for input in graph.inputs(NodeID(index)) { needed[input.index] = true }
      }
    }
    for (k, name) in graph.outputNames.enumerated() where !options.expandedGroups.contains(k) {
      let members = graph.ids.filter {
        owner[$0.index] == k && !graph.op($0).isLeaf && plan.places[$0.index] == .node
      }
      guard members.count >= 2 else { continue }
      for id in members { plan.places[id.index] = .group(k) }
      let order = k < options.outputOrders.count ? options.outputOrders[k] : 0
      plan.groups.append(
        Group(
          key: k, lines: [name, Self.count(members.count, "operation")],
          fill: Self.orderColor(order)))
    }
  }

  /// Groups everything inside each top-level scope except variables.
  private func collapseScopes(_ graph: Graph, into plan: inout Plan) {
    let entries = graph.scopes.entries
    var members = [Int](repeating: 0, count: entries.count)
    for id in graph.ids where plan.places[id.index] == .node {
      if case .variable = graph.op(id) { continue }
      var scope = Int(graph.scope(of: id))
      while scope > 0 && entries[scope].parent != 0 { scope = Int(entries[scope].parent) }
      guard scope > 0, !options.expandedGroups.contains(scope) else { continue }
      plan.places[id.index] = .group(scope)
      members[scope] += 1
    }
    for scope in entries.indices where members[scope] > 0 {
      plan.groups.append(
        Group(
          key: scope, lines: [entries[scope].name, Self.count(members[scope], "node")],
          fill: "#eeeeee"))
    }
  }

  /// Writes the small private terms of each long sum or product into its
  /// label: an operand used by nothing else whose private cone (the
  /// operations only it uses) holds at most `termOperationLimit` operations
  /// is not drawn; its cone's other inputs are drawn as inputs of the sum.
  private func foldLongSums(_ graph: Graph, into plan: inout Plan) {
    let uses = Self.uses(graph)
    let isOutput = Set(graph.outputs)
    let drawn = plan.places.map { $0 == .node }
    let foldable = { (id: NodeID) in
      drawn[id.index] && !graph.op(id).isLeaf && uses[id.index] == 1 && !isOutput.contains(id)
    }
    var folded: [(term: NodeID, sum: NodeID)] = []
    for sum in graph.ids where graph.op(sum) == .add || graph.op(sum) == .mul {
      guard plan.places[sum.index] == .node,
        graph.inputs(sum).count > Self.longOperandCount
      else { continue }
      for term in graph.inputs(sum) where foldable(term) {
        var cone: [NodeID] = []
        var stack = [term]
        while let u = stack.popLast(), cone.count <= Self.termOperationLimit {
          cone.append(u)
          stack += graph.inputs(u).filter(foldable)
        }
        guard cone.count <= Self.termOperationLimit, stack.isEmpty else { continue }
        for u in cone { plan.places[u.index] = .term(of: sum) }
        folded.append((term, sum))
      }
    }
    let texts = graph.infix(of: folded.map(\.term), limit: Self.termTextLimit)
    for (k, (_, sum)) in folded.enumerated() { plan.terms[sum, default: []].append(texts[k]) }
  }

  /// `1 operation`, `12 operations`.
  static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
