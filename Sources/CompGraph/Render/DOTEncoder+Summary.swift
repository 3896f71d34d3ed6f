/// The summary of a graph too big to draw node by node: one node per
/// derivative order, with its size.
extension DOTEncoder {
  /// The size of one derivative order's outputs.
  public struct OrderSize: Equatable, Sendable {
    public let order: Int
    /// The names of the outputs of this order.
    public let outputs: [String]
    /// Nodes and operations the outputs of this order need together.
    public let nodes: Int
    public let operations: Int
    /// Nodes no lower order needs: what this order adds.
    public let added: Int
  }

  /// The size of each derivative order of `graph`, lowest first, given the
  /// order of each output (`outputOrders`, as in `Options`; missing entries
  /// count as 0).  One backward pass per order.
  public static func orderSizes(of graph: Graph, outputOrders: [Int]) -> [OrderSize] {
    let orderOf = { (k: Int) in k < outputOrders.count ? outputOrders[k] : 0 }
    let first = graph.derivativeOrders(outputOrders: outputOrders)
    return Set(graph.outputs.indices.map(orderOf)).sorted().map { order in
      let kept = graph.outputs.indices.filter { orderOf($0) == order }
      var needed = [Bool](repeating: false, count: graph.nodeCount)
      for k in kept { needed[graph.outputs[k].index] = true }
      var (nodes, operations, added) = (0, 0, 0)
      for index in stride(from: graph.nodeCount - 1, through: 0, by: -1) where needed[index] {
        let id = NodeID(index)
        nodes += 1
        if !graph.op(id).isLeaf { operations += 1 }
        if first[index] == order { added += 1 }
        for input in graph.inputs(id) { needed[input.index] = true }
      }
      return OrderSize(
        order: order, outputs: kept.map { graph.outputNames[$0] }, nodes: nodes,
        operations: operations, added: added)
    }
  }

  /// The DOT text of the summary of `graph`: one node `o<k>` per derivative
  /// order k, filled in that order's colour, naming its outputs (the first
  /// few) and its size, each order drawn below the one it differentiates.
  /// It never exceeds a node limit (at most 13 orders), so it is what a
  /// picture of a graph past the limit can still show.
  public func summary(_ graph: Graph, name: String = "compgraph") throws(RenderError) -> String {
    try options.validate(for: graph)
    let sizes = Self.orderSizes(of: graph, outputOrders: options.outputOrders)
    var out = "digraph \(DOTSyntax.quoted(name)) {\n"
    out += "  graph " + DOTSyntax.attributeList(Self.graphDefaults(options.rankDirection)) + "\n"
    out += "  node " + DOTSyntax.attributeList(Self.nodeDefaults) + "\n"
    out += "  edge " + DOTSyntax.attributeList(Self.edgeDefaults) + "\n"
    for size in sizes {
      let names =
        size.outputs.prefix(3).joined(separator: ", ") + (size.outputs.count > 3 ? ", …" : "")
      let lines = [
        size.order == 0 ? "original" : Self.orderName(size.order),
        "\(Self.count(size.outputs.count, "output")): \(names)",
        "\(Self.count(size.nodes, "node")), \(Self.count(size.operations, "operation"))",
        size.order == 0 ? nil : "\(size.added) new at this order",
      ].compactMap { $0 }
      out +=
        "  o\(size.order) "
        + DOTSyntax.attributeList([
          "fillcolor": DOTSyntax.quoted(Self.orderColor(size.order)),
          "label": DOTSyntax.quoted(lines.joined(separator: "\n")), "shape": "\"box\"",
          "style": "\"rounded,filled\"",
        ]) + "\n"
    }
    for (lower, higher) in zip(sizes, sizes.dropFirst()) {
      out += "  o\(lower.order) -> o\(higher.order)\n"
    }
    return out + "}\n"
  }
}
