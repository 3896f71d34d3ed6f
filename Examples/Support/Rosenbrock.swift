import CompGraph

/// The NewtonRosenbrock example: minimising Rosenbrock's function
///
///     f(x, y) = (1 − x)² + 100·(y − x²)²,   minimum f(1, 1) = 0,
///
/// by Newton's method with the exact symbolic Hessian and by gradient descent.
/// f, ∇f and the Hessian H are one compiled program.
public struct Rosenbrock: Sendable {
  /// Outputs f, ∂f/∂x, ∂f/∂y, ∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y².
  public let graph: Graph
  let program: Program

  public init() throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x"), y = try builder.variable("y")
    let f = pow(1 - x, 2) + 100 * pow(y - pow(x, 2), 2)
    let g = try gradient(of: f, wrt: [x, y])
    let h = try hessian(of: f, wrt: [x, y])
    graph = try f.graph(
      names: ["f", "∂f/∂x", "∂f/∂y", "∂²f/∂x²", "∂²f/∂x∂y", "∂²f/∂y²"],
      with: [g[0], g[1], h[0][0], h[0][1], h[1][1]])
    program = try Program(graph)
    precondition(program.inputNames == ["x", "y"], "variables are numbered in creation order")
  }

  /// f, ∇f and H at p.
  func derivatives(at p: SIMD2<Double>) throws -> (
    f: Double, g: SIMD2<Double>, h: (Double, Double, Double)
  ) {
    let v = try program.evaluate(point: [p.x, p.y])
    return (v[0], SIMD2(v[1], v[2]), (v[3], v[4], v[5]))
  }

  /// Newton's method: solve H·s = −∇f (2×2, by Cramer's rule) and step to
  /// p + s.  Returns every iterate, from `start` until ‖p − (1, 1)‖ ≤
  /// `tolerance` or `maxIterations` steps.
  public func newton(from start: SIMD2<Double>, tolerance: Double = 1e-12, maxIterations: Int = 100)
    throws -> [SIMD2<Double>]
  {
    try iterate(from: start, tolerance: tolerance, maxIterations: maxIterations) { p in
      let (_, g, (a, b, c)) = try derivatives(at: p)
      let det = a * c - b * b
      return p - SIMD2(c * g.x - b * g.y, a * g.y - b * g.x) / det
    }
  }

  /// Gradient descent with a backtracking (Armijo) line search: the step
  /// t starts at 1 and halves until f(p − t∇f) ≤ f(p) − 10⁻⁴·t·‖∇f‖².
  public func gradientDescent(
    from start: SIMD2<Double>, tolerance: Double = 1e-12, maxIterations: Int = 100_000
  ) throws -> [SIMD2<Double>] {
    try iterate(from: start, tolerance: tolerance, maxIterations: maxIterations) { p in
      let (f, g, _) = try derivatives(at: p)
      let slope = (g * g).sum()
      var t = 1.0
      while try derivatives(at: p - t * g).f > f - 1e-4 * t * slope, t > 1e-20 { t /= 2 }
      return p - t * g
    }
  }

  private func iterate(
    from start: SIMD2<Double>, tolerance: Double, maxIterations: Int,
    step: (SIMD2<Double>) throws -> SIMD2<Double>
  ) rethrows -> [SIMD2<Double>] {
    var path = [start]
    while path.count <= maxIterations, Self.error(path[path.count - 1]) > tolerance {
      path.append(try step(path[path.count - 1]))
    }
    return path
  }

  /// The distance ‖p − (1, 1)‖ to the minimum.
  public static func error(_ p: SIMD2<Double>) -> Double {
    let d = p - SIMD2(1, 1)
    return (d * d).sum().squareRoot()
  }
}
