/// f, f′, f″, …, f⁽ⁿ⁾ of a scalar expression in one scalar variable, each
/// order built by differentiating the (simplified) order below:
///
///     f⁽⁰⁾ = f,   f⁽ᵏ⁾ = simplify(d f⁽ᵏ⁻¹⁾ / dx)
///
/// All orders live in `f`'s builder and share nodes.  This is the one place
/// the examples build higher derivatives.
public func derivatives(of f: Expr, wrt x: Expr, upTo order: Int) throws -> [Expr] {
  var tower = [f]
  for _ in 0..<order { tower.append(try derivative(of: tower[tower.count - 1], wrt: x)) }
  return tower
}
