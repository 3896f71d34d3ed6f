/// dⁿf/dxⁿ of a scalar f with respect to a scalar variable x, built one order
/// at a time: the k-th derivative is the derivative of the (simplified)
/// (k−1)-th, so each step differentiates a small graph.
///
///     f⁽⁰⁾ = simplify(f),   f⁽ᵏ⁾ = simplify(d f⁽ᵏ⁻¹⁾ / dx)
///
/// For one scalar input the gradient and the tangent are the same number;
/// each step uses the tangent sweep (forward mode, ẋ = 1) because it builds
/// the chain rule per node (d(u − v) = du − dv, which the normal form makes
/// the node `u + v` itself when dv = −v) instead of summing fan-out at x.
/// With `simplify: false` the raw graphs are kept (they grow exponentially).
public func derivative(of f: Expr, wrt x: Expr, order: Int = 1, simplify: Bool = true) throws
  -> Expr
{
  let builder = f.builder
  let y = try f.node(), v = try x.node()
  guard x.builder === builder else {
    throw GraphError.unsupported("derivative: f and x belong to different builders")
  }
  guard case .variable(let name) = builder.op(v), builder.shape(v).isEmpty else {
    throw GraphError.unsupported("derivative: x must be a scalar variable")
  }
  guard builder.shape(y).isEmpty else {
    throw GraphError.unsupported(
      "derivative: f must be a scalar, but it has shape \(builder.shape(y).shapeDescription) (differentiating with respect to \(name))"
    )
  }
  guard order >= 0 else {
    throw GraphError.unsupported("derivative: order must be ≥ 0, got \(order)")
  }
  // Each order runs in a fresh arena holding only the live graph: the
  // tangent sweep visits every node after x, and the dead nodes that
  // simplifying leaves behind would otherwise pile up order after order.
  var graph = builder.graph(outputs: [y])
  for step in 0...order {
    let scratch = GraphBuilder(graph)
    var root = graph.outputs[0]
    if step > 0 {
      guard let variable = scratch.existingVariable(name) else {
        return builder.expr(builder.constantNode(0.0))  // f does not depend on x
      }
      root = try scratch.jvp(of: [root], tangents: [variable: scratch.constantNode(1.0)])[0]
    }
    if simplify { root = scratch.simplify([root])[0] }
    graph = scratch.graph(outputs: [root])
  }
  return builder.expr(try builder.append(graph)[0])
}

extension GraphBuilder {
  /// Copies `graph` into this arena (interning, so shared structure is
  /// reused); returns the ids of its outputs here.
  func append(_ graph: Graph) throws -> [NodeID] {
    var map: [NodeID] = []
    map.reserveCapacity(graph.nodeCount)
    for id in graph.ids {
      switch graph.op(id) {
      case .variable(let name): map.append(try variableNode(name, shape: graph.shape(id)))
      case .constant(let value): map.append(constantNode(value))
      case let op: map.append(try node(op, graph.inputs(id).map { map[$0.index] }))
      }
    }
    return graph.outputs.map { map[$0.index] }
  }
}
