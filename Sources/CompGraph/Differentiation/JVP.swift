/// Forward mode as a graph-to-graph transform: one forward loop that builds
/// each active node's tangent ẏ = Σ_k (∂y/∂x_k)·ẋ_k from the same derivative
/// table that reverse mode reads.  Inactive inputs contribute nothing (no
/// zero nodes are built).
extension GraphBuilder {
  /// The tangents of `ys` when each variable in `tangents` moves along its
  /// given direction (a node of the variable's shape), in one sweep.
  public func jvp(of ys: [NodeID], tangents: [NodeID: NodeID]) throws -> [NodeID] {
    guard let last = ys.map(\.index).max() else { return [] }
    let zero = { (y: NodeID) in self.constantNode(Tensor(repeating: 0, shape: self.shape(y))) }
    guard let first = tangents.keys.map(\.index).min(), first <= last else { return ys.map(zero) }
    visits += 2 * (last + 1 - first)
    var tangent = [NodeID?](repeating: nil, count: last + 1)
    for (x, t) in tangents where x.index <= last {
      guard shape(t) == shape(x) else {
        throw GraphError.shapeMismatch(
          op: "jvp", shapes: [shape(x), shape(t)],
          reason: "differ: a tangent must have its variable's shape")
      }
      tangent[x.index] = t
    }
    // Only nodes that some y depends on need a tangent (one backward loop).
    var needed = [Bool](repeating: false, count: last + 1)
    for y in ys { needed[y.index] = true }
    for index in stride(from: last, through: first, by: -1) where needed[index] {
      for input in borrowedInputs(NodeID(index)) { needed[input.index] = true }
    }
    for index in first...last where needed[index] && tangent[index] == nil {
      // Most needed nodes have no active input (a Hessian's sweep along one
      // variable reaches a few nodes): checked before anything is copied.
      guard borrowedInputs(NodeID(index)).contains(where: { tangent[$0.index] != nil }) else {
        continue
      }
      let op = nodes.ops[index]
      let inputIDs = Array(inputs(NodeID(index)))
      let x = inputIDs.map(expr)
      let outShape = shape(NodeID(index))
      var terms: [NodeID] = []
      for (k, input) in inputIDs.enumerated() {
        guard let t = tangent[input.index] else { continue }
        let ṫ = expr(t)
        let term: Expr
        switch localDerivative(op, k, x, expr(NodeID(index))) {
        case .zero: continue
        case .scale(let factor): term = factor * ṫ
        case .select(let mask, let passes):
          term = passes ? select(mask, ṫ, ṫ.constant(0)) : select(mask, ṫ.constant(0), ṫ)
        case .linear(let apply, _): term = apply(ṫ)
        }
        var id = try term.node()
        if shape(id) != outShape { id = try node(.broadcastTo(outShape), [id]) }
        terms.append(id)
      }
      if terms.isEmpty { continue }  // locally constant in every active input
      tangent[index] = try terms.count == 1 ? terms[0] : node(.add, terms)
    }
    return ys.map { tangent[$0.index] ?? zero($0) }
  }
}

/// The directional derivative of `y` along `tangents` (variable ↦ direction):
/// ẏ = Σᵢ (∂y/∂xᵢ)·ẋᵢ, as a new graph in the same builder.
public func jvp(of y: Expr, tangents: [(variable: Expr, direction: Expr)]) throws -> Expr {
  var map: [NodeID: NodeID] = [:]
  for (v, d) in tangents { map[try v.node()] = try d.node() }
  return y.builder.expr(try y.builder.jvp(of: [y.node()], tangents: map)[0])
}

/// The Jacobian ∂yᵢ/∂xⱼ of scalar outputs with respect to scalar variables,
/// by forward mode (one tangent sweep per variable).
public func jacobian(of ys: [Expr], wrt xs: [Expr]) throws -> [[Expr]] {
  guard let builder = ys.first?.builder else { return [] }
  let outputs = try ys.map { try $0.node() }
  let columns = try xs.map { x in
    try builder.jvp(of: outputs, tangents: [scalarVariable(x, in: "jacobian"): unit(builder)])
  }
  return ys.indices.map { i in columns.map { builder.expr($0[i]) } }
}

/// The Hessian ∂²f/∂xᵢ∂xⱼ of a scalar f, forward-over-reverse: the gradient
/// graph is built once (and simplified, when `simplify` is set, as each order
/// of a `derivativeTower` is, so the sweeps differentiate its compact form),
/// then one tangent sweep per variable.  Second partials commute
/// (∂²f/∂xᵢ∂xⱼ = ∂²f/∂xⱼ∂xᵢ wherever f is twice continuously
/// differentiable), so sweep j differentiates only ∂f/∂xᵢ for i ≥ j, along
/// xⱼ, and reaches only the part of ∇f those partials depend on; each entry
/// above the diagonal is the node of its mirror, Hⱼᵢ = Hᵢⱼ.
public func hessian(of f: Expr, wrt xs: [Expr], simplify: Bool = true) throws -> [[Expr]] {
  let builder = f.builder
  let raw = try gradient(of: f, wrt: xs).map { try $0.node() }
  let grad = simplify ? builder.simplify(raw) : raw
  var h = [[NodeID]](repeating: [], count: xs.count)
  for (j, x) in xs.enumerated() {
    let lower = try builder.jvp(
      of: Array(grad[j...]), tangents: [scalarVariable(x, in: "hessian"): unit(builder)])
    for (i, entry) in zip(j..., lower) { h[i].append(entry) }
  }
  return xs.indices.map { i in
    xs.indices.map { j in builder.expr(j <= i ? h[i][j] : h[j][i]) }
  }
}

/// `x`'s node, when `x` is a scalar: the Jacobian and Hessian take one
/// tangent sweep per scalar variable.
private func scalarVariable(_ x: Expr, in transform: String) throws -> NodeID {
  guard x.shape == [] else {
    throw GraphError.unsupported(
      "\(transform): variable of shape \(x.shape?.shapeDescription ?? "?") is not a scalar")
  }
  return try x.node()
}

/// The tangent 1 of a sweep along one scalar variable.
private func unit(_ builder: GraphBuilder) throws -> NodeID {
  try builder.constant(1.0).node()
}

/// The Hessian-vector product H·v = d/dε ∇f(x + εv), without forming H:
/// one reverse sweep, then one forward sweep over the gradient graph.
public func hessianVectorProduct(of f: Expr, wrt xs: [Expr], direction v: [Expr]) throws -> [Expr] {
  let grad = try gradient(of: f, wrt: xs)
  let builder = f.builder
  var map: [NodeID: NodeID] = [:]
  for (x, d) in zip(xs, v) { map[try x.node()] = try d.node() }
  return try builder.jvp(of: grad.map { try $0.node() }, tangents: map).map(builder.expr)
}
