/// dⁿf/dxⁿ of a scalar f with respect to a scalar variable x: the top of the
/// derivative tower in one variable (`DerivativeTower`), each order the
/// derivative of the simplified order below:
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
  try checkScalarDerivative(of: f, wrt: x, order: order)
  let f0 = simplify ? CompGraph.simplify(f) : f
  let tower = try f.builder.derivativeTower(
    of: [f0.node()], wrt: [x.node()], partials: [Array(repeating: 0, count: order)],
    simplify: simplify)
  return f.builder.expr(tower.node(Array(repeating: 0, count: order))!)
}

/// Checks the arguments of a derivative in one scalar variable.
func checkScalarDerivative(of f: Expr, wrt x: Expr, order: Int) throws {
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
