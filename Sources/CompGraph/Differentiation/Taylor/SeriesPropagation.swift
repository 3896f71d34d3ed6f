/// Reads a graph's nodes: a frozen `Graph` (the numeric fast path) or a `GraphBuilder` (the
/// graph transform, which builds the coefficients' nodes in the same arena).
protocol NodeReader {
  func op(_ id: NodeID) -> Op
  func shape(_ id: NodeID) -> Shape
  func inputs(_ id: NodeID) -> NodeInputs
}

extension Graph: NodeReader {}
extension GraphBuilder: NodeReader {}

extension SeriesAlgebra {
  /// The series of each of `outputs`, `order` + 1 coefficients, in one forward loop over the
  /// nodes they need (ARCHITECTURE.md invariants 1 and 2): each node's series from its inputs'
  /// by `taylorRule`. `leaf` gives a variable's or a constant's series, `value` a node's c₀.
  func propagate<G: NodeReader>(
    _ outputs: [NodeID], in graph: G, order: Int,
    leaf: (NodeID, Op) throws -> [Value?],
    value: (NodeID, Op, [Value], Shape) -> Value
  ) throws -> [[Value?]] {
    guard let last = outputs.map(\.index).max() else { return [] }
    var needed = [Bool](repeating: false, count: last + 1)
    for y in outputs { needed[y.index] = true }
    for index in stride(from: last, through: 0, by: -1) where needed[index] {
      for input in graph.inputs(NodeID(index)) { needed[input.index] = true }
    }
    var series = [[Value?]](repeating: [], count: last + 1)
    for index in 0...last where needed[index] {
      let id = NodeID(index)
      let op = graph.op(id)
      if op.isLeaf {
        series[index] = try leaf(id, op)
        continue
      }
      let x = graph.inputs(id).map { series[$0.index] }
      let shape = graph.shape(id)
      let y = try taylorRule(op, x, value: value(id, op, x.map { $0[0]! }, shape), shape: shape)
      series[index] = conformed(y, to: shape)
    }
    return outputs.map { series[$0.index] }
  }
}
