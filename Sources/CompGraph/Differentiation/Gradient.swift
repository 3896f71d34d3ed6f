/// Reverse mode as a graph-to-graph transform.
///
/// One backward loop over the arena from the output: each active node's
/// cotangent is the sum of the contributions its users sent it, and the
/// pullback table sends contributions on to its inputs.  The new nodes are
/// appended to the same arena and point at the forward nodes they reuse
/// (ARCHITECTURE.md invariant 6); no zero is materialised during the sweep.
/// Nodes of a checkpoint segment are read through their recomputed copies
/// (see `Recomputation`).
extension GraphBuilder {
  /// ∂y/∂xᵢ for each xᵢ, as nodes of this builder.  `y` must be a scalar.
  public func gradient(of y: NodeID, wrt xs: [NodeID]) throws -> [NodeID] {
    guard shape(y).isEmpty else {
      throw GraphError.unsupported(
        "gradient needs a scalar output, but it has shape \(shape(y).shapeDescription); take sum() of it first"
      )
    }
    return try vjp(of: [y], seeds: [constantNode(1.0)], wrt: xs)
  }

  /// Σᵢ ⟨seedᵢ, ∂yᵢ/∂x⟩ for each x in `xs` (a vector–Jacobian product): the reverse sweep
  /// started from a cotangent `seeds[i]` (of yᵢ's shape) at each `ys[i]`.
  func vjp(of ys: [NodeID], seeds: [NodeID], wrt xs: [NodeID]) throws -> [NodeID] {
    guard let top = ys.map(\.index).max() else {
      return xs.map { constantNode(Tensor(repeating: 0, shape: shape($0))) }
    }
    let end = top + 1
    visits += 2 * end
    // Active: depends on some x (forward loop).
    var active = [Bool](repeating: false, count: end)
    for x in xs where x.index < end { active[x.index] = true }
    if let first = xs.map(\.index).min(), first < end {
      for index in first..<end where !active[index] {
        active[index] = inputs(NodeID(index)).contains { active[$0.index] }
      }
    }
    var contributions = Contributions(count: end)
    var adjoint = [NodeID?](repeating: nil, count: end)
    var recomputation = Recomputation(self, end: end)
    // The operands as handles, one array reused from node to node.
    var x: [Expr] = []
    for (y, seed) in zip(ys, seeds) where active[y.index] {
      contributions.append(seed, to: y.index)
    }
    for index in stride(from: top, through: 0, by: -1) {
      guard active[index], let g = try contributions.sum(at: index, in: self) else { continue }
      adjoint[index] = g
      let op = nodes.ops[index]
      if op.isLeaf { continue }
      let inputIDs = Array(inputs(NodeID(index)))
      let (read, this) = try recomputation.operands(of: index, inputs: inputIDs, in: self)
      if case .scan(let spec) = op {  // pulled back whole, through a reverse scan
        let pulled = try scanCotangents(
          spec, inputs: read, cotangent: g, active: inputIDs.map { active[$0.index] })
        for (k, input) in inputIDs.enumerated() where active[input.index] {
          if let c = pulled[k] { contributions.append(c, to: input.index) }
        }
        continue
      }
      x.removeAll(keepingCapacity: true)
      for r in read { x.append(expr(r)) }
      let madeFrom = count
      for (k, input) in inputIDs.enumerated() where active[input.index] {
        let ḡ = expr(g)
        let pulled: Expr
        switch localDerivative(op, k, x, expr(this)) {
        case .zero: continue
        case .scale(let factor):
          pulled = try maskedCotangent(g).map { try $0.scaled(by: factor, in: self) } ?? ḡ * factor
        case .select(let mask, let passes):
          pulled = passes ? select(mask, ḡ, ḡ.constant(0)) : select(mask, ḡ.constant(0), ḡ)
        case .linear(_, let transpose): pulled = transpose(ḡ)
        }
        var c = try pulled.node()
        if nodes.shapes[c.index] != nodes.shapes[input.index] {
          c = try node(.sumTo(shape(input)), [c])
        }
        // In the input's type (an f32 operand of an f64 op gets an f32 adjoint).
        c = try converted(c, to: nodes.types[input.index], literalIsF64: true) ?? c
        // x·x sends x·ḡ twice: one x·ḡ·2, as the normal form collects it
        // (bit for bit the sum: doubling is exact).  Only a product made
        // here is flattened: ḡ itself, sent on twice by p + p, is shared.
        if c.index >= madeFrom, kind(c) == .mul, contributions.last(at: input.index) == c {
          let doubled = try node(.mul, Array(inputs(c)) + [constantNode(2)])
          contributions.replaceLast(at: input.index, with: doubled)
          continue
        }
        contributions.append(c, to: input.index)
      }
    }
    return try xs.map { x in
      let g =
        (x.index < end ? adjoint[x.index] : nil)
        ?? constantNode(Tensor(repeating: 0, shape: shape(x)))
      return try converted(g, to: nodes.types[x.index], literalIsF64: true) ?? g
    }
  }
}

/// The contributions a reverse sweep has sent to each node, summed into
/// its cotangent when the sweep reaches it.  Most nodes get exactly one, so
/// the first is kept inline and only a second one makes an array.
private struct Contributions {
  private var first: [NodeID?]
  private var more: [[NodeID]]

  init(count: Int) {
    first = [NodeID?](repeating: nil, count: count)
    more = [[NodeID]](repeating: [], count: count)
  }

  mutating func append(_ c: NodeID, to index: Int) {
    if first[index] == nil { first[index] = c } else { more[index].append(c) }
  }

  /// The contribution sent last to `index`.
  func last(at index: Int) -> NodeID? { more[index].last ?? first[index] }

  mutating func replaceLast(at index: Int, with c: NodeID) {
    if more[index].isEmpty { first[index] = c } else { more[index][more[index].count - 1] = c }
  }

  /// The sum of `index`'s contributions (`nil`: none), which are then dropped.
  mutating func sum(at index: Int, in builder: GraphBuilder) throws -> NodeID? {
    guard let head = first[index] else { return nil }
    first[index] = nil
    if more[index].isEmpty { return head }
    let parts = [head] + more[index]
    more[index] = []
    return try builder.sumKeepingMask(parts)
  }
}

/// A cotangent that is zero wherever `mask` selects the other side:
/// `sumTo(select(mask, value, 0))` (or `select(mask, 0, value)`; the
/// `sumTo` only when the selection broadcast the node).  The pullback of a
/// branch of `where`, `min` or `max` is one, and the sweep keeps the mask
/// outermost on the way down, ḡ·f = select(m, a·f, 0), so an infinite or
/// NaN local derivative f on the side not taken is never multiplied by the
/// 0 (0·∞ = NaN): the derivative flows only through the branch taken, as
/// forward mode's select of tangents does.
struct MaskedCotangent {
  let mask: NodeID
  let value: NodeID
  /// Whether `value` is taken where the mask is nonzero.
  let passes: Bool
  /// The shape the selection is summed down to, if it is.
  let summedTo: Shape?

  /// select(mask, value·factor, 0), summed as the cotangent was: ḡ·factor
  /// (`factor` broadcasts to ḡ's shape, so it is constant along any axis
  /// the sum removes).
  func scaled(by factor: Expr, in builder: GraphBuilder) throws -> Expr {
    try rebuilt(with: builder.expr(value) * factor, in: builder)
  }

  func rebuilt(with value: Expr, in builder: GraphBuilder) throws -> Expr {
    let mask = builder.expr(self.mask), zero = value.constant(0)
    let selected = passes ? select(mask, value, zero) : select(mask, zero, value)
    return summedTo.map { selected.sum(to: $0) } ?? selected
  }
}

extension GraphBuilder {
  /// `g` as a `MaskedCotangent`, if it is one.
  func maskedCotangent(_ g: NodeID) -> MaskedCotangent? {
    var selection = g
    var summedTo: Shape? = nil
    if case .sumTo(let s) = op(g) {
      selection = inputs(g)[0]
      summedTo = s
    }
    guard kind(selection) == .select else { return nil }
    let x = inputs(selection)
    if scalarConstant(x[2]) == 0 {
      return MaskedCotangent(mask: x[0], value: x[1], passes: true, summedTo: summedTo)
    }
    if scalarConstant(x[1]) == 0 {
      return MaskedCotangent(mask: x[0], value: x[2], passes: false, summedTo: summedTo)
    }
    return nil
  }

  /// Σ parts, as one masked cotangent when every part is one with the same
  /// mask, side and sum (the branch's uses of a node), so that its mask
  /// stays outermost.
  fileprivate func sumKeepingMask(_ parts: [NodeID]) throws -> NodeID {
    let masked = parts.map(maskedCotangent)
    guard let first = masked[0],
      masked.allSatisfy({
        $0?.mask == first.mask && $0?.passes == first.passes && $0?.summedTo == first.summedTo
      })
    else {
      if parts.count == 2, let sum = scalarFastPath(.add, parts[0], parts[1]) { return sum }
      return try node(.add, parts)
    }
    let values = masked.map { $0!.value }
    return try first.rebuilt(with: expr(node(.add, values)), in: self).node()
  }
}

/// ∂y/∂xᵢ for each xᵢ: a new graph in the same builder, so it can be
/// differentiated again (`gradient(of: gradient(of: f, wrt: [x])[0], wrt: [x])`).
///
/// The result is the reverse sweep as built, not simplified (as `jax.grad`'s
/// is not): each adjoint is the sum of the contributions that reach it, so a
/// listing shows `add %14 %16 %20 %20`.  The sweep is the hot path of
/// training steps and of the gradient benchmark, so it does no rewriting;
/// `simplify(_:options:trace:)` the result to read it.
/// `derivative(of:wrt:order:simplify:)` simplifies each order instead.
///
/// Throws `GraphError.notAVariable` for an `xs` that is not a variable
/// (the adjoint of an inner node is `GraphBuilder.gradient(of:wrt:)`'s).
public func gradient(of y: Expr, wrt xs: [Expr]) throws -> [Expr] {
  for x in xs {
    guard x.builder === y.builder else { throw GraphError.mixedBuilders(op: "gradient") }
    let id = try x.node()
    guard case .variable = y.builder.op(id) else {
      let graph = y.builder.graph(outputs: [id])
      throw GraphError.notAVariable("'\(graph.infix(of: graph.outputs[0]))'")
    }
  }
  let ids = try y.builder.gradient(of: y.node(), wrt: xs.map { try $0.node() })
  return ids.map(y.builder.expr)
}

/// ∂y/∂x.
public func gradient(of y: Expr, wrt x: Expr) throws -> Expr {
  try gradient(of: y, wrt: [x])[0]
}

extension Graph {
  /// The gradient graph: outputs `∂f/∂x` for each output `f` (scalar) and
  /// each variable `x` named in `wrt`, keeping the original outputs first.
  public func gradient(wrt names: [String]) throws -> Graph {
    let builder = GraphBuilder(self)
    let vars = try names.map { name -> NodeID in
      guard let v = builder.existingVariable(name) else {
        throw GraphError.unsupported(
          "cannot differentiate with respect to '\(name)': the expression has no variable of that name"
        )
      }
      return v
    }
    var outs = outputs
    var outNames = outputNames
    for (output, name) in zip(outputs, outputNames) {
      let grads = try builder.gradient(of: output, wrt: vars)
      outs += grads
      outNames += names.map { derivativeName(of: name, wrt: [$0]) }
    }
    return builder.graph(outputs: outs, names: outNames)
  }
}

/// `∂f/∂p`, `∂²f/∂p²`, `∂²f/∂p∂q`: the conventional name of a derivative.
package func derivativeName(of f: String, wrt vars: [String]) -> String {
  let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
  func sup(_ n: Int) -> String {
    n == 1 ? "" : String(String(n).map { superscripts[Int(String($0))!] })
  }
  // Group runs of equal variables: p,p,q → ∂p²∂q
  var runs: [(String, Int)] = []
  for v in vars {
    if let last = runs.last, last.0 == v {
      runs[runs.count - 1].1 += 1
    } else {
      runs.append((v, 1))
    }
  }
  let denominator = runs.map { "∂\($0.0)\(sup($0.1))" }.joined()
  return "∂\(sup(vars.count))\(f)/\(denominator)"
}
