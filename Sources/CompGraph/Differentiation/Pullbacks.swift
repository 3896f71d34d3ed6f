/// The pullback table: for each op, the cotangent contribution to input `k`,
/// written with ordinary graph ops so gradients of gradients just work.
/// `g` is the cotangent ∂L/∂y, `y` the op's own (forward) node, `x` its inputs.
///
/// The driver (`Gradient.swift`) sums fan-out, skips inactive inputs and
/// sums contributions back down to the input's shape after broadcasting, so
/// each rule is one line.
func pullback(_ op: Op, _ k: Int, _ x: [Expr], _ y: Expr, _ g: Expr) -> Expr {
    switch op {
    case .variable, .constant: preconditionFailure("leaves have no pullback")
    case .add: g                                                  // ∂(Σ xᵢ)/∂x_k = 1
    case .mul: g * product(x, without: k)                          // ∂(Π xᵢ)/∂x_k = Π_{i≠k} xᵢ
    case .pow(let c): c == 1 ? g : g * (c * pow(x[0], c - 1))     // d xᶜ = c·xᶜ⁻¹ dx
    case .exp: g * y                                              // d eˣ = eˣ dx
    case .ln: g * pow(x[0], -1)                                   // d ln x = x⁻¹ dx
    case .sqrt: g * (0.5 * pow(y, -1))                            // d √x = ½ (√x)⁻¹ dx
    case .sin: g * cos(x[0])                                      // d sin x = cos x dx
    case .cos: g * -sin(x[0])                                     // d cos x = −sin x dx
    case .tanh: g * (1 - pow(y, 2))                               // d tanh x = (1 − tanh²x) dx
    case .einsum(let spec): spec.pullback(k, x, g)
    case .sumTo: g.broadcast(to: x[0].shape ?? [])               // adjoint of summing is repeating
    case .broadcastTo: g.sum(to: x[0].shape ?? [])               // adjoint of repeating is summing
    }
}

/// Π_{i≠k} xᵢ (at least one factor remains: a product has ≥ 2 inputs here).
func product(_ x: [Expr], without k: Int) -> Expr {
  let others = x.indices.filter { $0 != k }.map { x[$0] }
  return others.count == 1 ? others[0] : Expr.apply(.mul, others)
}
