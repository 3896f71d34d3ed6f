/// Grouping derivative nodes per parameter, for pictures: after a reverse
/// sweep, every new node that feeds exactly one parameter's gradient moves
/// into the scope `∂ wrt <name>`, which the DOT encoder draws as a cluster.
/// Nodes shared by several gradients (the cotangents flowing back through
/// the model) stay where they are.
extension GraphBuilder {
  /// Moves each node with id ≥ `start` that only `gradients[i]` depends on
  /// into the root-level scope `∂ wrt names[i]`.  One backward loop: a node's
  /// owner is known once every user (a larger id) has been seen.
  func groupDerivatives(_ gradients: [NodeID], names: [String], builtFrom start: Int) {
    let none: Int32 = -1, shared: Int32 = -2
    var owner = [Int32](repeating: none, count: count - start)
    func claim(_ id: NodeID, _ k: Int32) {
      guard id.index >= start else { return }
      let current = owner[id.index - start]
      owner[id.index - start] = current == none || current == k ? k : shared
    }
    for (k, g) in gradients.enumerated() { claim(g, Int32(k)) }
    for index in stride(from: count - 1, through: start, by: -1) {
      let k = owner[index - start]
      guard k >= 0 else { continue }
      for input in inputs(NodeID(index)) { claim(input, k) }
    }
    let outer = currentScope
    for (k, name) in names.enumerated() {
      let ids = owner.indices.filter { owner[$0] == Int32(k) }.map { NodeID($0 + start) }
        .filter { !op($0).isLeaf && scopes.internKey(scope(of: $0)) == 0 }
      rescope(ids, to: scopes.child(of: outer, named: "∂ wrt \(name)", kind: .derivative))
    }
  }
}

/// ∂y/∂xᵢ with the nodes that feed only one xᵢ's gradient grouped in a
/// scope `∂ wrt name` per variable (so a picture draws a cluster per
/// parameter).  Each xᵢ must be a variable.
public func gradient(of y: Expr, wrt xs: [Expr], groupingPerParameter: Bool) throws -> [Expr] {
  let builder = y.builder
  let start = builder.count
  let grads = try gradient(of: y, wrt: xs)
  if groupingPerParameter {
    let names = try xs.map { x -> String in
      guard case .variable(let name) = try builder.op(x.node()) else {
        throw GraphError.unsupported(
          "grouping derivatives per parameter needs variables to differentiate by")
      }
      return name
    }
    builder.groupDerivatives(try grads.map { try $0.node() }, names: names, builtFrom: start)
  }
  return grads
}
