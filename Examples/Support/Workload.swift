import CompGraph

/// The graphs of the benchmark workloads W1–W3 (`compgraph-bench`), which the exporters' tests
/// also run.
public enum Workload {
  /// W1: dⁿ tanh(x)/dxⁿ, each order the simplified derivative of the order below; output `f`.
  public static func tanhDerivative(order: Int) throws -> Graph {
    let x = try GraphBuilder().variable("x")
    return try derivative(of: tanh(x), wrt: x, order: order).graph()
  }

  /// W13's chained Rosenbrock function of n scalar variables `x0 … x(n−1)`, whose Hessian is
  /// tridiagonal (3n − 2 nonzeros):
  ///
  ///     f(x) = Σᵢ₌₀ⁿ⁻² 100·(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²
  public static func chainedRosenbrock(_ n: Int) throws -> (f: Expr, x: [Expr]) {
    let g = GraphBuilder()
    let x = try (0..<n).map { try g.variable("x\($0)") }
    var terms: [Expr] = []
    terms.reserveCapacity(2 * n)
    for i in 0..<(n - 1) {
      let u = x[i + 1] - x[i] * x[i]
      let v = 1 - x[i]
      terms.append(100 * (u * u))
      terms.append(v * v)
    }
    return (sum(terms), x)
  }

  /// W2's function of n scalar variables `x0 … x(n−1)` (indices mod n):
  ///
  ///     f(x) = Σᵢ exp(xᵢ)·ln(1 + x²ᵢ₊₁) + √(Σᵢ x²ᵢ)
  public static func w2(_ n: Int) throws -> (f: Expr, x: [Expr]) {
    let g = GraphBuilder()
    let x = try (0..<n).map { try g.variable("x\($0)") }
    var terms: [Expr] = []
    for i in 0..<n { terms.append(exp(x[i]) * ln(1 + x[(i + 1) % n] * x[(i + 1) % n])) }
    let squares = x.map { $0 * $0 }
    return (sum(terms) + sqrt(sum(squares)), x)
  }

  /// W2: ∇f, simplified, with outputs `df/dx0 … df/dx(n−1)`.
  public static func w2Gradient(_ n: Int) throws -> Graph {
    try w2Gradient(of: w2(n))
  }

  /// W2's ∇f of an f built by `w2(_:)`.
  public static func w2Gradient(of w2: (f: Expr, x: [Expr])) throws -> Graph {
    let (f, x) = w2
    let grads = simplify(try gradient(of: f, wrt: x))
    return try grads[0].graph(
      names: x.indices.map { "df/dx\($0)" }, with: Array(grads.dropFirst()))
  }

  /// W3: the dense Hessian of W2's f, forward-over-reverse, simplified; outputs `h0 … h(n²−1)`
  /// row by row.
  public static func w3Hessian(_ n: Int) throws -> Graph {
    let (f, x) = try w2(n)
    let h = simplify(try hessian(of: f, wrt: x).flatMap { $0 })
    return try h[0].graph(names: h.indices.map { "h\($0)" }, with: Array(h.dropFirst()))
  }
}
