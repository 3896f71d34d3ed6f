/// Linear algebra on the last two axes, batched over the leading ones (`jnp.linalg`'s
/// convention).  Each is one op with a LAPACK kernel; see the DocC article "Linear algebra".

/// X = A⁻¹B, the solution of A·X = B, for square A (…, n, n) and B (…, n, k) with the same
/// leading axes, or a vector b (n) (then x has A's leading axes and n).  LU with partial
/// pivoting; NaN (and an error from `Graph.evaluate`) for an exactly singular A.
/// dX = A⁻¹(dB − dA·X).
public func solve(_ a: Expr, _ b: Expr) -> Expr {
  guard let bShape = b.shape, bShape.count == 1, let aShape = a.shape, aShape.count >= 2 else {
    return Expr.apply(.solve, a, b)
  }
  let lead = Array(aShape.dropLast(2))
  let column = reshape(b, [bShape[0], 1]).broadcast(to: lead + [bShape[0], 1])
  return reshape(Expr.apply(.solve, a, column), lead + [bShape[0]])
}

/// A⁻¹ of square A (…, n, n).  dA⁻¹ = −A⁻¹·dA·A⁻¹.
public func inv(_ a: Expr) -> Expr { Expr.apply(.inverse, a) }

/// det A of square A (…, n, n), one number per matrix (…).  d det A = det A · tr(A⁻¹dA).
public func det(_ a: Expr) -> Expr { Expr.apply(.determinant, a) }

/// The lower-triangular Cholesky factor L of S = ½(A + Aᵀ), L·Lᵀ = S, with a positive diagonal,
/// for A (…, n, n); NaN (and an error from `Graph.evaluate`) when S is not positive definite.
/// dL = L·Φ(L⁻¹·dS·L⁻ᵀ), Φ taking the lower triangle and halving the diagonal.
public func cholesky(_ a: Expr) -> Expr { Expr.apply(.cholesky, a) }

/// X = T⁻¹B (or T⁻ᵀB when `transpose`), T the lower (`lower`) or upper triangle of L (…, n, n)
/// — the other triangle is not read — and B (…, n, k) with L's leading axes.  NaN (and an
/// error from `Graph.evaluate`) when T's diagonal holds a 0.
public func triangularSolve(
  _ l: Expr, _ b: Expr, lower: Bool = true, transpose: Bool = false
) -> Expr {
  Expr.apply(.triangularSolve(lower: lower, transpose: transpose), l, b)
}

/// ln det S of S = ½(A + Aᵀ) positive definite, A (…, n, n): 2·Σᵢ ln Lᵢᵢ with L = cholesky(A).
/// NaN (and an error from `Graph.evaluate`) when S is not positive definite.
/// d logdet = tr(S⁻¹dA).
public func logdet(_ a: Expr) -> Expr { Expr.apply(.logdet, a) }
