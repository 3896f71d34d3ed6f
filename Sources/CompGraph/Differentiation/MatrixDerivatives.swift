/// The local derivatives of the linear-algebra ops, written with ops of the set (so every
/// order works): each is linear in the tangent, `.linear(apply:transpose:)`.
///
/// Matrices are the last two axes, batched over the leading ones (`...` in the einsums).  A
/// batch of tangents, shaped shape(x) + B, is flattened to one trailing axis `b` of |B|
/// (`withTangentBatch`); a solve then takes the b tangents as b·k more columns of its
/// right-hand side (`columnwise`), and a product carries `b` as an einsum label.
extension MatrixFunction {
  func localDerivative(_ k: Int, _ x: [Expr], _ y: Expr) -> LocalDerivative {
    let a = x[0]
    switch self {
    // X = A⁻¹B: dX = A⁻¹(dB − dA·X); B̄ = A⁻ᵀX̄, Ā = −B̄·Xᵀ.
    case .solve where k == 1:
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in columnwise(t, b) { CompGraph.solve(a, $0) } }
        },
        transpose: { g in CompGraph.solve(swapLast(a), g) })
    case .solve:
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in
            -columnwise(einsum(b ? "...ijb,...jk->...ikb" : "...ij,...jk->...ik", t, y), b) {
              CompGraph.solve(a, $0)
            }
          }
        },
        transpose: { g in -einsum("...ik,...jk->...ij", CompGraph.solve(swapLast(a), g), y) })
    // Y = A⁻¹: dY = −Y·dA·Y; Ā = −Yᵀ·Ȳ·Yᵀ.
    case .inverse:
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in
            -einsum(b ? "...ij,...jkb,...kl->...ilb" : "...ij,...jk,...kl->...il", y, t, y)
          }
        },
        transpose: { g in -einsum("...ji,...jk,...lk->...il", y, g, y) })
    // d = det A: dd = d·tr(A⁻¹·dA); Ā = d̄·d·A⁻ᵀ.
    case .determinant:
      let inverse = Expr.apply(.inverse, a)
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in
            einsum(b ? "...,...ij,...jib->...b" : "...,...ij,...ji->...", y, inverse, t)
          }
        },
        transpose: { g in einsum("...,...,...ji->...ij", g, y, inverse) })
    // l = ln det S, S = ½(A + Aᵀ): dl = tr(S⁻¹·dA) (S⁻¹ is symmetric); Ā = l̄·S⁻¹, with
    // S⁻¹ = L⁻ᵀL⁻¹ from L = cholesky(A).
    case .logdet:
      let l = CompGraph.cholesky(a)
      let inverse = CompGraph.triangularSolve(
        l, CompGraph.triangularSolve(l, identity(like: a)), lower: true, transpose: true)
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in
            einsum(b ? "...ij,...ijb->...b" : "...ij,...ij->...", inverse, t)
          }
        },
        transpose: { g in einsum("...,...ij->...ij", g, inverse) })
    // L·Lᵀ = S = ½(A + Aᵀ): dL = L·Φ(L⁻¹·dS·L⁻ᵀ), Φ the lower triangle with the diagonal
    // halved; Ā = sym(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹) (Φ is its own transpose), sym(Z) = ½(Z + Zᵀ).
    case .cholesky:
      let lowerSolve = { (m: Expr) in CompGraph.triangularSolve(y, m) }
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in
            let ds = 0.5 * (t + swapLast(t, batched: b))
            let m = columnwise(swapLast(columnwise(ds, b, lowerSolve), batched: b), b, lowerSolve)
            let phi = m * trailing(halvedLowerMask(like: a), b ? [1] : [])
            return einsum(b ? "...ij,...jkb->...ikb" : "...ij,...jk->...ik", y, phi)
          }
        },
        transpose: { g in
          let q = einsum("...ji,...jk->...ik", y, g) * halvedLowerMask(like: a)
          let r = CompGraph.triangularSolve(y, q, lower: true, transpose: true)  // L⁻ᵀ·Q
          let z = swapLast(CompGraph.triangularSolve(y, swapLast(r), lower: true, transpose: true))  // R·L⁻¹
          return 0.5 * (z + swapLast(z))
        })
    // X = op(T)⁻¹B, T = tri(L): dX = op(T)⁻¹(dB − op(tri(dL))·X); B̄ = op(T)⁻ᵀX̄, and
    // L̄ = −tri(B̄·Xᵀ) (op = identity) or −tri(X·B̄ᵀ) (op = transpose).
    case .triangularSolve(let lower, let transpose):
      let solveT = { (m: Expr) in
        CompGraph.triangularSolve(a, m, lower: lower, transpose: transpose)
      }
      let adjoint = { (g: Expr) in
        CompGraph.triangularSolve(a, g, lower: lower, transpose: !transpose)
      }
      if k == 1 {
        return .linear(
          apply: { t, batch in withTangentBatch(t, batch) { t, b in columnwise(t, b, solveT) } },
          transpose: adjoint)
      }
      return .linear(
        apply: { t, batch in
          withTangentBatch(t, batch) { t, b in
            let dl = t * trailing(triangleMask(like: a, lower: lower), b ? [1] : [])
            let spec =
              transpose
              ? (b ? "...jib,...jk->...ikb" : "...ji,...jk->...ik")
              : (b ? "...ijb,...jk->...ikb" : "...ij,...jk->...ik")
            return -columnwise(einsum(spec, dl, y), b, solveT)
          }
        },
        transpose: { g in
          let product =
            transpose
            ? einsum("...ik,...jk->...ij", y, adjoint(g))
            : einsum("...ik,...jk->...ij", adjoint(g), y)
          return -(product * triangleMask(like: a, lower: lower))
        })
    }
  }
}

/// `rule` applied to a tangent of shape shape(x) + `batch`, flattened to shape(x) + [|B|] (its
/// `b` axis; none for B = []), and its result shaped back to shape(y) + B.
private func withTangentBatch(
  _ t: Expr, _ batch: Shape, _ rule: (Expr, _ batched: Bool) -> Expr
) -> Expr {
  guard !batch.isEmpty, let shape = t.shape else { return rule(t, false) }
  let own = Array(shape.dropLast(batch.count))
  let result = rule(reshape(t, own + [batch.elementCount]), true)
  guard let resultShape = result.shape else { return result }
  return reshape(result, Array(resultShape.dropLast()) + batch)
}

/// A solve `f` (linear in its right-hand side, column by column) of `m` (…, n, k), or of a batch
/// `m` (…, n, k, b) taken as the b·k columns of (…, n, k·b).
private func columnwise(_ m: Expr, _ batched: Bool, _ f: (Expr) -> Expr) -> Expr {
  guard batched, let shape = m.shape, shape.count >= 3 else { return f(m) }
  let n = shape[shape.count - 3], columns = shape[shape.count - 2] * shape[shape.count - 1]
  return reshape(f(reshape(m, Array(shape.dropLast(3)) + [n, columns])), shape)
}

/// The matrices of `m` transposed (…, j, i), keeping a trailing tangent axis when `batched`.
private func swapLast(_ m: Expr, batched: Bool = false) -> Expr {
  einsum(batched ? "...ijb->...jib" : "...ij->...ji", m)
}

/// The n×n identity for `a` (…, n, n), broadcast over its leading axes.
private func identity(like a: Expr) -> Expr {
  let shape = a.shape ?? []
  let n = shape.last ?? 0
  let eye = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
  return a.builder.constant(eye).broadcast(to: shape)
}

/// Φ's weights for `a` (…, n, n): 1 below the diagonal, ½ on it, 0 above.
private func halvedLowerMask(like a: Expr) -> Expr {
  let n = a.shape?.last ?? 0
  let w = (0..<(n * n)).map { $0 / n > $0 % n ? 1 : $0 / n == $0 % n ? 0.5 : 0 }
  return a.builder.constant(Tensor(shape: [n, n], scalars: w))
}

/// 1 on the lower (`lower`) or upper triangle of an n×n matrix, the diagonal included; 0 off it.
private func triangleMask(like a: Expr, lower: Bool) -> Expr {
  let n = a.shape?.last ?? 0
  let w = (0..<(n * n)).map { (lower ? $0 / n >= $0 % n : $0 / n <= $0 % n) ? 1.0 : 0 }
  return a.builder.constant(Tensor(shape: [n, n], scalars: w))
}
