import CompGraph
import Foundation

/// The Optimize example: min f(x) subject to l ≤ x ≤ u, by a primal log-barrier method
///
///     φ_μ(x) = f(x) − μ Σᵢ [ln(xᵢ − lᵢ) + ln(uᵢ − xᵢ)],   μ → 0,
///
/// each φ_μ minimised by Newton's method with f's sparse Hessian (`Graph.sparseHessian`: the
/// pattern, a star colouring and one sweep per colour) plus the barrier's diagonal
///
///     ∇²φ_μ = ∇²f + diag(μ/(x − l)² + μ/(u − x)²),
///
/// factored by `EnvelopeCholesky` (shifted by λ·I when it is not positive definite, as
/// Levenberg–Marquardt does far from a minimum), the step cut to stay strictly inside the
/// bounds (99.5 % of the way to the nearest one) and backtracked until φ_μ falls enough
/// (Armijo); primal-dual, as IPOPT treats bounds (`minimize`). A minimiser satisfies the bound-constrained KKT conditions: its projected gradient
/// x − clamp(x − ∇f(x), l, u) is zero.
public struct BarrierNewton {
  /// One Newton step.
  public struct Iteration: Sendable {
    public let barrier: Double
    public let objective: Double
    /// ‖∇φ_μ‖∞ before the step.
    public let barrierGradient: Double
    /// ‖x − clamp(x − ∇f, l, u)‖∞ after the step: 0 at a KKT point.
    public let projectedGradient: Double
    public let step: Double
    /// The shift λ that made the Newton matrix positive definite (0: none).
    public let shift: Double
    /// Variables within 10⁻⁶ of a bound after the step.
    public let atBounds: Int
  }

  public let lower: [Double]
  public let upper: [Double]
  /// f and ∇f, and the Hessian's nonzeros.
  let objective: Program
  let hessian: Program
  /// Each program's inputs as positions in x.
  let objectiveInputs: [Int]
  let hessianInputs: [Int]
  public let sparse: SparseDerivative

  /// f of the scalar variables `x` (all of f's variables), between `lower` and `upper`.
  public init(f: Expr, x: [Expr], lower: [Double], upper: [Double]) throws {
    let names = try x.map { expr -> String in
      guard case .variable(let name) = expr.builder.op(try expr.node()) else {
        throw GraphError.unsupported("BarrierNewton: x must be variables")
      }
      return name
    }
    let position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    let g = try gradient(of: f, wrt: x)
    objective = try Program(f.graph(with: g))
    sparse = try f.graph().sparseHessian(wrt: names)
    hessian = try Program(sparse.graph)
    objectiveInputs = objective.inputNames.map { position[$0]! }
    hessianInputs = hessian.inputNames.map { position[$0]! }
    self.lower = lower
    self.upper = upper
  }

  /// f(x) and ∇f(x).
  public func valueAndGradient(_ x: [Double]) throws -> (Double, [Double]) {
    let values = try objective.evaluate(point: objectiveInputs.map { x[$0] })
    return (values[0], Array(values.dropFirst()))
  }

  /// ‖x − clamp(x − g, l, u)‖∞.
  public func projectedGradient(_ x: [Double], _ g: [Double]) -> Double {
    x.indices.reduce(0) { m, i in
      max(m, abs(x[i] - min(max(x[i] - g[i], lower[i]), upper[i])))
    }
  }

  /// Minimises from `start` (moved 1 % of the way in from any bound it is not strictly
  /// inside), primal-dual as IPOPT does for bounds: with multipliers z_l, z_u ≥ 0 for the
  /// bounds, the Newton matrix's barrier diagonal is z_l/(x − l) + z_u/(u − x) (μ/(x − l)² +
  /// μ/(u − x)² at their central values μ/(x − l), μ/(u − x)), and the multipliers take the
  /// Newton step of (x − l)·z_l = μ, (u − x)·z_u = μ. μ goes from `barrier` to
  /// min(μ/5, μ^1.5) each time φ_μ's minimiser is reached (‖∇φ_μ‖∞ ≤ 10μ, or a Newton step
  /// that moves no variable by 10⁻¹²), until μ ≤ `tolerance` and the projected gradient is below it or
  /// no step moves x. (A variable at a bound stays about μ/z inside it, z its multiplier.)
  /// Calls `report` after each step.
  public func minimize(
    from start: [Double], barrier: Double = 0.1, tolerance: Double = 1e-9,
    maxSteps: Int = 300, report: (Iteration) -> Void = { _ in }
  ) throws -> [Double] {
    let n = start.count
    var x = start.indices.map { i in
      let margin = 0.01 * (upper[i] - lower[i])
      return min(max(start[i], lower[i] + margin), upper[i] - margin)
    }
    var mu = barrier
    var zl = (0..<n).map { mu / (x[$0] - lower[$0]) }
    var zu = (0..<n).map { mu / (upper[$0] - x[$0]) }
    func phi(_ x: [Double]) throws -> Double {
      var value = try valueAndGradient(x).0
      for i in 0..<n { value -= mu * (log(x[i] - lower[i]) + log(upper[i] - x[i])) }
      return value
    }
    for _ in 0..<maxSteps {
      let (f, g) = try valueAndGradient(x)
      let gradient = (0..<n).map { (i: Int) -> Double in
        g[i] - mu / (x[i] - lower[i]) + mu / (upper[i] - x[i])
      }
      let size = gradient.reduce(0) { max($0, abs($1)) }
      if size <= 10 * mu {
        if mu <= tolerance && projectedGradient(x, g) <= tolerance { return x }
        mu = max(min(mu / 5, pow(mu, 1.5)), tolerance / 10)
        continue
      }
      let h = try hessian.evaluate(point: hessianInputs.map { x[$0] })
      let diagonal = (0..<n).map { (i: Int) -> Double in
        let below = zl[i] / (x[i] - lower[i])
        return below + zu[i] / (upper[i] - x[i])
      }
      var shift = 0.0
      var factor: EnvelopeCholesky?
      while true {
        factor = EnvelopeCholesky(
          size: n, rows: sparse.pattern.rows, columns: sparse.pattern.columns, values: h,
          shift: diagonal.map { $0 + shift })
        if factor != nil { break }
        shift = max(4 * shift, 1e-4)
      }
      let p = factor!.solve(gradient.map { -$0 })
      let dzl = (0..<n).map { (i: Int) -> Double in
        mu / (x[i] - lower[i]) - zl[i] - zl[i] / (x[i] - lower[i]) * p[i]
      }
      let dzu = (0..<n).map { (i: Int) -> Double in
        mu / (upper[i] - x[i]) - zu[i] + zu[i] / (upper[i] - x[i]) * p[i]
      }
      // 99.5 % of the way to the nearest bound (or zero multiplier) at most.
      var alpha = 1.0, alphaZ = 1.0
      for i in 0..<n {
        if p[i] < 0 { alpha = min(alpha, 0.995 * (x[i] - lower[i]) / -p[i]) }
        if p[i] > 0 { alpha = min(alpha, 0.995 * (upper[i] - x[i]) / p[i]) }
        if dzl[i] < 0 { alphaZ = min(alphaZ, 0.995 * zl[i] / -dzl[i]) }
        if dzu[i] < 0 { alphaZ = min(alphaZ, 0.995 * zu[i] / -dzu[i]) }
      }
      // Halving until φ_μ falls enough (Armijo), up to its rounding error.
      let slope = zip(gradient, p).reduce(0) { $0 + $1.0 * $1.1 }
      let current = try phi(x)
      let slack = 1e-13 * max(1, abs(current))
      var next = zip(x, p).map { $0 + alpha * $1 }
      while try phi(next) > current + 1e-4 * alpha * slope + slack {
        alpha /= 2
        guard alpha > 1e-12 else {
          throw GraphError.unsupported("BarrierNewton: the line search failed at μ = \(mu)")
        }
        next = zip(x, p).map { $0 + alpha * $1 }
      }
      // A step that moves no variable by 10⁻¹²: φ_μ's minimiser, as closely as rounding in ∇φ_μ
      // lets Newton's method tell.
      if zip(x, next).allSatisfy({ abs($0 - $1) <= 1e-12 * max(1, abs($0)) }) {
        if mu <= tolerance { return x }
        mu = max(min(mu / 5, pow(mu, 1.5)), tolerance / 10)
        continue
      }
      x = next
      for i in 0..<n {
        zl[i] += alphaZ * dzl[i]
        zu[i] += alphaZ * dzu[i]
      }
      let after = try valueAndGradient(x).1
      report(
        Iteration(
          barrier: mu, objective: f, barrierGradient: size,
          projectedGradient: projectedGradient(x, after), step: alpha, shift: shift,
          atBounds: (0..<n).filter { x[$0] - lower[$0] < 1e-6 || upper[$0] - x[$0] < 1e-6 }
            .count))
    }
    throw GraphError.unsupported("BarrierNewton: no KKT point within \(maxSteps) Newton steps")
  }
}
