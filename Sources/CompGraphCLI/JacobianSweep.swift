import CompGraph

/// `eval --jacobian` by forward sweeps seeded with one-hot columns, a chunk
/// at a time (`jax.jacfwd` with its basis split, as ForwardDiff.jl chunks
/// it): for a variable x of n elements, one batched tangent sweep whose seed
/// S, of shape shape(x) + [k], is an input of the sweep's graph, compiled
/// once and run ⌈n/k⌉ times with
///
///     S[e, j] = δ(e, j₀ + j)        (columns j₀ ..< j₀ + k of the identity)
///
/// Each run gives the tangents ∂y/∂x[j₀ + j] of every output y, of shape
/// shape(y) + [k], copied into columns j₀ ..< j₀ + k of ∂y/∂x.  The seed is
/// one tensor of n·k numbers whose ones move between runs, so neither the
/// n×n identity nor n seeds are ever held: the Jacobians themselves are
/// the only memory that grows with n².
struct JacobianSweep {
  /// About how many numbers one run's tangents may hold: k is this (or a
  /// 64th of the budget's numbers, if less) over the elements of the
  /// outputs and of x, at least 1 and at most n.
  static let chunkEntries = 1 << 22

  let builder: GraphBuilder
  let memory: MemoryBudget

  /// `jacobian[o][v]` = ∂outputs[o]/∂variables[v], of shape shape(outputs[o]) +
  /// shape(variables[v]), at `point`.
  func jacobian(of outputs: [NodeID], wrt variables: [NodeID], at point: [String: Tensor])
    throws -> [[Tensor]]
  {
    let rows = outputs.reduce(0) { $0 + builder.shape($1).elementCount }
    let columns = try variables.enumerated().map { v, x in
      try self.columns(of: outputs, wrt: x, seedName: "(seed \(v))", rows: rows, at: point)
    }
    return outputs.indices.map { o in columns.map { $0[o] } }
  }

  /// ∂y/∂x for every output y, by chunks of one-hot seeds.
  private func columns(
    of outputs: [NodeID], wrt x: NodeID, seedName: String, rows: Int, at point: [String: Tensor]
  ) throws -> [Tensor] {
    let shape = builder.shape(x)
    let n = shape.elementCount
    let entries = min(Double(Self.chunkEntries), memory.limit / (64 * 8))
    let k = max(1, min(n, Int(entries) / max(1, rows + n)))
    let dtype = builder.dtype(x)
    // The seed is an input named as no program's variable can be (not an identifier).
    let seed = try builder.variableNode(seedName, shape: shape + [k], dtype: dtype)
    let tangents = try builder.jvp(of: outputs, tangents: [x: seed], batch: [k])
    let sweep = builder.graph(outputs: tangents)
    var result = zip(outputs, tangents).map { y, t in
      let shape = builder.shape(y) + shape
      return Tensor(
        shape: shape, scalars: [Double](repeating: 0, count: shape.elementCount),
        dtype: builder.dtype(t))
    }
    var ones = Tensor(
      shape: shape + [k], scalars: [Double](repeating: 0, count: n * k), dtype: dtype)
    var bindings = point
    for start in stride(from: 0, to: n, by: k) {
      let count = min(k, n - start)
      for j in 0..<count { ones.scalars[(start + j) * k + j] = 1 }
      bindings[seedName] = ones
      let values = try memory.evaluate(sweep, at: bindings)
      bindings[seedName] = nil  // so the ones move in place
      for j in 0..<count { ones.scalars[(start + j) * k + j] = 0 }
      for (o, value) in values.enumerated() {
        let m = result[o].scalars.count / n
        result[o].scalars.withUnsafeMutableBufferPointer { out in
          for r in 0..<m {
            for j in 0..<count { out[r * n + start + j] = value.scalars[r * k + j] }
          }
        }
      }
    }
    return result
  }
}
