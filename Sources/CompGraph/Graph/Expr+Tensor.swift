/// Tensor sugar, all over `einsum`, `sumTo` and `broadcastTo`.
extension Expr {
  /// Σ of all elements: a scalar.
  public func sum() -> Expr { Expr.apply(.sumTo([]), [self]) }

  /// The mean of all elements.
  public func mean() -> Expr {
    let count = shape?.elementCount ?? 1
    return sum() / Double(count)
  }

  /// Repeats this tensor up to `shape` (NumPy broadcasting).
  public func broadcast(to shape: Shape) -> Expr { Expr.apply(.broadcastTo(shape), [self]) }

  /// Sums this tensor down to `shape` (the adjoint of broadcasting).
  public func sum(to shape: Shape) -> Expr { Expr.apply(.sumTo(shape), [self]) }
}

/// `einsum("ij,jk->ik", A, B)`: NumPy's notation, including repeated indices
/// (`"ii->"`), `...` and the implicit output form (`"ij,jk"`).
public func einsum(_ subscripts: String, _ operands: Expr...) -> Expr {
  einsum(subscripts, operands)
}

public func einsum(_ subscripts: String, _ operands: [Expr]) -> Expr {
  precondition(!operands.isEmpty, "einsum needs at least one operand")
  let builder = operands[0].builder
  do {
    let shapes = try operands.map { try builder.shape($0.node()) }
    let spec = try EinsumSpec.parse(subscripts, shapes: shapes)
    return Expr.apply(.einsum(spec), operands)
  } catch let error as GraphError {
    return Expr(builder, .failure(error))
  } catch {
    return Expr(builder, .failure(.unsupported("\(error)")))
  }
}

/// Matrix product (`ij,jk->ik`; a vector on either side works too).
public func matmul(_ a: Expr, _ b: Expr) -> Expr {
  switch (a.shape?.count, b.shape?.count) {
  case (1, 1): return einsum("i,i->", a, b)
  case (1, _): return einsum("j,jk->k", a, b)
  case (_, 1): return einsum("ij,j->i", a, b)
  default: return einsum("...ij,...jk->...ik", a, b)
  }
}

/// Inner product of two vectors: Σᵢ aᵢbᵢ.
public func dot(_ a: Expr, _ b: Expr) -> Expr { einsum("i,i->", a, b) }

/// Reverses the axes (`ij->ji`).
public func transpose(_ a: Expr) -> Expr {
  guard let rank = a.shape?.count else { return a }
  return transpose(a, (0..<rank).reversed())
}

/// Σᵢ Aᵢᵢ.
public func trace(_ a: Expr) -> Expr { einsum("ii->", a) }
