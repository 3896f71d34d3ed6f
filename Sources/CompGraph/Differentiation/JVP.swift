/// Forward mode as a graph-to-graph transform: one forward loop that builds
/// each active node's tangent ẏ = Σ_k (∂y/∂x_k)·ẋ_k from the same derivative
/// table that reverse mode reads.  Inactive inputs contribute nothing (no
/// zero nodes are built).
extension GraphBuilder {
  /// The tangent of `y` when each variable in `tangents` moves along its
  /// given direction (a node of the variable's shape).
  public func jvp(of y: NodeID, tangents: [NodeID: NodeID]) throws -> NodeID {
    guard let first = tangents.keys.map(\.index).min(), first <= y.index else {
      return constantNode(Tensor(repeating: 0, shape: shape(y)))
    }
    var tangent = [NodeID?](repeating: nil, count: y.index + 1)
    for (x, t) in tangents where x.index <= y.index {
      guard shape(t) == shape(x) else {
        throw GraphError.shapeMismatch(op: "jvp", shapes: [shape(x), shape(t)], reason: "differ: a tangent must have its variable's shape")
      }
      tangent[x.index] = t
    }
    for index in first...y.index where tangent[index] == nil {
      let op = nodes.ops[index]
      if op.isLeaf { continue }
      let inputIDs = Array(inputs(NodeID(index)))
      guard inputIDs.contains(where: { tangent[$0.index] != nil }) else { continue }
      let x = inputIDs.map(expr)
      let outShape = shape(NodeID(index))
      var terms: [NodeID] = []
      for (k, input) in inputIDs.enumerated() {
        guard let t = tangent[input.index] else { continue }
        let ṫ = expr(t)
        let term =
          switch localDerivative(op, k, x, expr(NodeID(index))) {
          case .scale(let factor): factor * ṫ
          case .linear(let apply, _): apply(ṫ)
          }
        var id = try term.node()
        if shape(id) != outShape { id = try node(.broadcastTo(outShape), [id]) }
        terms.append(id)
      }
      tangent[index] = try terms.count == 1 ? terms[0] : node(.add, terms)
    }
    return tangent[y.index] ?? constantNode(Tensor(repeating: 0, shape: shape(y)))
  }
}

/// The directional derivative of `y` along `tangents` (variable ↦ direction):
/// ẏ = Σᵢ (∂y/∂xᵢ)·ẋᵢ, as a new graph in the same builder.
public func jvp(of y: Expr, tangents: [(variable: Expr, direction: Expr)]) throws -> Expr {
  var map: [NodeID: NodeID] = [:]
  for (v, d) in tangents { map[try v.node()] = try d.node() }
  return y.builder.expr(try y.builder.jvp(of: y.node(), tangents: map))
}

/// The Jacobian ∂yᵢ/∂xⱼ of scalar outputs with respect to scalar variables,
/// by forward mode (one tangent sweep per variable).
public func jacobian(of ys: [Expr], wrt xs: [Expr]) throws -> [[Expr]] {
  guard let builder = ys.first?.builder else { return [] }
  let one = builder.constant(1.0)
  var columns: [[Expr]] = []
  for x in xs {
    guard x.shape == [] else {
      throw GraphError.unsupported("jacobian: variable of shape \(x.shape?.shapeDescription ?? "?") is not a scalar")
    }
    columns.append(try ys.map { try jvp(of: $0, tangents: [(x, one)]) })
  }
  return ys.indices.map { i in columns.map { $0[i] } }
}

/// The Hessian ∂²f/∂xᵢ∂xⱼ of a scalar f, forward-over-reverse: the gradient
/// graph is built once, then one tangent sweep per variable.
public func hessian(of f: Expr, wrt xs: [Expr]) throws -> [[Expr]] {
  let grad = try gradient(of: f, wrt: xs)
  return try jacobian(of: grad, wrt: xs)
}

/// The Hessian-vector product H·v = d/dε ∇f(x + εv), without forming H:
/// one reverse sweep, then one forward sweep over the gradient graph.
public func hessianVectorProduct(of f: Expr, wrt xs: [Expr], direction v: [Expr]) throws -> [Expr] {
  let grad = try gradient(of: f, wrt: xs)
  let tangents = Array(zip(xs, v)).map { (variable: $0.0, direction: $0.1) }
  return try grad.map { try jvp(of: $0, tangents: tangents) }
}
