extension Graph {
  /// Every node's value at `point`, and for the nodes the first output f
  /// reaches (when f is a scalar) its adjoint ∂f/∂node, from one reverse
  /// sweep over that cone:
  ///
  ///     value(n) = n evaluated at point        adjoint(n) = ∂f/∂n at point
  ///
  /// (what a micrograd-style picture shows beside each node).  `check` sees
  /// each graph before it is evaluated — the graph with every node as an
  /// output, then the adjoint graph — so a caller can refuse one that needs
  /// too much memory.
  public func valuesAndAdjoints(
    at point: [String: Tensor], check: (Graph) throws -> Void = { _ in }
  ) throws -> (values: [NodeID: Tensor], adjoints: [NodeID: Tensor]) {
    let all = ids
    let everyNode = with(outputs: all, names: all.map(\.description))
    try check(everyNode)
    let values = try everyNode.evaluate(point)
    var adjoints: [NodeID: Tensor] = [:]
    if let f = outputs.first, shape(f).isEmpty {
      var inCone = [Bool](repeating: false, count: nodeCount)
      inCone[f.index] = true
      for index in stride(from: f.index, through: 0, by: -1) where inCone[index] {
        for input in inputs(NodeID(index)) { inCone[input.index] = true }
      }
      let nodes = all.filter { inCone[$0.index] }
      let builder = GraphBuilder(self)
      let gradients = try builder.gradient(of: f, wrt: nodes)
      let adjointGraph = builder.graph(outputs: gradients)
      try check(adjointGraph)
      let results = try adjointGraph.evaluate(point)
      adjoints = Dictionary(uniqueKeysWithValues: zip(nodes, results))
    }
    return (Dictionary(uniqueKeysWithValues: zip(all, values)), adjoints)
  }
}
