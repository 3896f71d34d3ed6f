/// Forward mode as a graph-to-graph transform: one forward loop that builds
/// each active node's tangent ẏ = Σ_k (∂y/∂x_k)·ẋ_k from the same derivative
/// table that reverse mode reads.  Inactive inputs contribute nothing (no
/// zero nodes are built).
extension GraphBuilder {
  /// The tangents of `ys` when each variable in `tangents` moves along its
  /// given direction (a node of the variable's shape), in one sweep.
  ///
  /// With a `batch` shape B, each direction has shape shape(x) + B: |B|
  /// directions side by side along trailing axes, all swept at once, and
  /// each tangent has shape shape(y) + B.  Seeded with the identity
  /// δ(x, x′) of shape shape(x) + shape(x), the sweep gives the full Jacobian
  /// ∂y/∂x of shape shape(y) + shape(x) (`jacobian(of:wrt:)`).
  public func jvp(of ys: [NodeID], tangents: [NodeID: NodeID], batch: Shape = []) throws
    -> [NodeID]
  {
    guard let last = ys.map(\.index).max() else { return [] }
    let zero = { (y: NodeID) in
      self.constantNode(Tensor(repeating: 0, shape: self.shape(y) + batch))
    }
    guard let first = tangents.keys.map(\.index).min(), first <= last else { return ys.map(zero) }
    visits += 2 * (last + 1 - first)
    var tangent = [NodeID?](repeating: nil, count: last + 1)
    for (x, t) in tangents where x.index <= last {
      guard shape(t) == shape(x) + batch else {
        throw GraphError.shapeMismatch(
          op: "jvp", shapes: [shape(x), shape(t)],
          reason: batch.isEmpty
            ? "differ: a tangent must have its variable's shape"
            : "differ: a batch of tangents must have its variable's shape followed by "
              + batch.shapeDescription)
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
      if case .scan(let spec) = op {  // a scan of the body's jvp, in every input at once
        tangent[index] = try scanTangent(
          spec, inputs: inputIDs, tangents: inputIDs.map { tangent[$0.index] }, batch: batch)
        continue
      }
      let x = inputIDs.map(expr)
      let outShape = shape(NodeID(index)) + batch
      var terms: [NodeID] = []
      for (k, input) in inputIDs.enumerated() {
        guard let t = tangent[input.index] else { continue }
        let ṫ = expr(t)
        let term: Expr
        // A factor or mask gets trailing 1s to meet the batch axes.
        switch localDerivative(op, k, x, expr(NodeID(index))) {
        case .zero: continue
        case .scale(let factor): term = trailing(factor, batch) * ṫ
        case .select(let mask, let passes):
          let m = trailing(mask, batch)
          term = passes ? select(m, ṫ, ṫ.constant(0)) : select(m, ṫ.constant(0), ṫ)
        case .linear(let apply, _): term = apply(ṫ, batch)
        }
        var id = try term.node()
        if shape(id) != outShape { id = try node(.broadcastTo(outShape), [id]) }
        id = try converted(id, to: nodes.types[index], literalIsF64: true) ?? id
        terms.append(id)
      }
      if terms.isEmpty { continue }  // locally constant in every active input
      tangent[index] = try terms.count == 1 ? terms[0] : node(.add, terms)
    }
    return try ys.map { y in
      let t = tangent[y.index] ?? zero(y)
      return try converted(t, to: nodes.types[y.index], literalIsF64: true) ?? t
    }
  }
}

/// The directional derivative of `y` along `tangents` (variable ↦ direction):
/// ẏ = Σᵢ (∂y/∂xᵢ)·ẋᵢ, as a new graph in the same builder.
public func jvp(of y: Expr, tangents: [(variable: Expr, direction: Expr)]) throws -> Expr {
  var map: [NodeID: NodeID] = [:]
  for (v, d) in tangents { map[try v.node()] = try d.node() }
  return y.builder.expr(try y.builder.jvp(of: [y.node()], tangents: map)[0])
}

/// The Jacobian ∂yᵢ/∂xⱼ of outputs with respect to variables, by forward
/// mode: one tangent sweep per variable.  Any shapes, with `jax.jacobian`'s
/// convention: entry [i][j] has shape shape(yᵢ) + shape(xⱼ), its element
/// [a…, b…] being ∂yᵢ[a…]/∂xⱼ[b…] (a scalar for scalar yᵢ and xⱼ).  A tensor
/// xⱼ is swept once with a batch of one tangent per element, seeded with the
/// identity (`GraphBuilder.jvp(of:tangents:batch:)`).
public func jacobian(of ys: [Expr], wrt xs: [Expr]) throws -> [[Expr]] {
  guard let builder = ys.first?.builder else { return [] }
  for x in xs { _ = try checkedVariable(x, in: "jacobian") }
  return try builder.jacobian(of: ys.map { try $0.node() }, wrt: xs.map { try $0.node() })
    .map { $0.map(builder.expr) }
}

extension GraphBuilder {
  /// `jacobian(of:wrt:)` on nodes: entry [i][j] is ∂ys[i]/∂xs[j], of shape
  /// shape(ys[i]) + shape(xs[j]); one tangent sweep per variable.
  public func jacobian(of ys: [NodeID], wrt xs: [NodeID]) throws -> [[NodeID]] {
    let columns = try xs.map { x in
      try jvp(of: ys, tangents: [x: identitySeed(shape(x))], batch: shape(x))
    }
    return ys.indices.map { i in columns.map { $0[i] } }
  }
}

/// The Hessian ∂²f/∂xᵢ∂xⱼ of a scalar f, forward-over-reverse: the gradient
/// graph is built once (and simplified, when `simplify` is set, as each order
/// of a `derivativeTower` is, so the sweeps differentiate its compact form),
/// then one tangent sweep per variable.  Second partials commute
/// (∂²f/∂xᵢ∂xⱼ = ∂²f/∂xⱼ∂xᵢ wherever f is twice continuously
/// differentiable), so sweep j differentiates only ∂f/∂xᵢ for i ≥ j, along
/// xⱼ, and reaches only the part of ∇f those partials depend on; each entry
/// above the diagonal is its mirror, Hⱼᵢ = Hᵢⱼ (for tensors, with xᵢ's axes
/// and xⱼ's exchanged).  Tensor variables give `jax.hessian`'s blocks: Hᵢⱼ
/// has shape shape(xᵢ) + shape(xⱼ).
public func hessian(of f: Expr, wrt xs: [Expr], simplify: Bool = true) throws -> [[Expr]] {
  let builder = f.builder
  let raw = try gradient(of: f, wrt: xs).map { try $0.node() }
  let grad = simplify ? builder.simplify(raw) : raw
  var h = [[NodeID]](repeating: [], count: xs.count)
  for (j, x) in xs.enumerated() {
    let (node, batch) = try checkedVariable(x, in: "hessian")
    let lower = try builder.jvp(
      of: Array(grad[j...]), tangents: [node: builder.identitySeed(batch)], batch: batch)
    for (i, entry) in zip(j..., lower) { h[i].append(entry) }
  }
  return xs.indices.map { i in
    xs.indices.map { j in
      j <= i
        ? builder.expr(h[i][j])
        : exchangingAxes(builder.expr(h[j][i]), first: xs[j].shape?.count ?? 0)
    }
  }
}

/// `x`'s node and shape, when `x` is a variable: the Jacobian and Hessian
/// take one tangent sweep per variable, batched over a tensor's elements.
private func checkedVariable(_ x: Expr, in transform: String) throws -> (NodeID, Shape) {
  let node = try x.node()
  guard case .variable = x.builder.op(node) else {
    throw GraphError.unsupported("\(transform): differentiate with respect to variables only")
  }
  return (node, x.builder.shape(node))
}

extension GraphBuilder {
  /// The tangents that seed a batched sweep along a variable of shape T,
  /// one per element: the identity δ of shape T + T, written as the outer
  /// product of one identity matrix per axis,
  ///
  ///     δ[a₁…aᵣ, b₁…bᵣ] = Π_k δ(a_k, b_k)
  ///
  /// so it holds Σ n_k² numbers rather than (Π n_k)², and the simplifier's
  /// identity-matrix rule contracts each factor into the einsums that use
  /// it.  1 for a scalar, the n×n identity for a vector.
  public func identitySeed(_ shape: Shape) throws -> NodeID {
    guard shape.count > 1 else {
      return constantNode(shape.isEmpty ? Tensor(1.0) : Tensor.identity(shape[0]))
    }
    let r = shape.count
    let spec = EinsumSpec(
      operands: (0..<r).map { [$0, r + $0] }, output: Array(0..<(2 * r)))
    return try node(.einsum(spec), shape.map { constantNode(Tensor.identity($0)) })
  }
}

/// `e` (shape A + B, A of rank `first`) with its axes exchanged to B + A:
/// the other block of a mixed second derivative.  `e` itself when A or B is
/// empty.
func exchangingAxes(_ e: Expr, first: Int) -> Expr {
  let rank = e.shape?.count ?? 0
  guard first > 0, first < rank else { return e }
  let labels = Array(0..<rank)
  let spec = EinsumSpec(operands: [labels], output: Array(labels[first...] + labels[..<first]))
  return Expr.apply(.einsum(spec), [e])
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
