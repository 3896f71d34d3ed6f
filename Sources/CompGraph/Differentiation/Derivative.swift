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
  let one = builder.constantNode(1.0)
  var current = simplify ? builder.simplify([y])[0] : y
  for _ in 0..<order {
    current = try builder.jvp(of: current, tangents: [v: one])
    if simplify { current = builder.simplify([current])[0] }
  }
  return builder.expr(current)
}
