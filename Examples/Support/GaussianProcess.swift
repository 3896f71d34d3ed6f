import CompGraph
import Foundation

/// A Gaussian process on the line with the RBF kernel, its hyperparameters fitted by Newton's
/// method with the exact Hessian of the negative log marginal likelihood (the GaussianProcess
/// example, and W12 of `compgraph-bench`).
///
///     k(x, x′) = σ_f² exp(−(x − x′)²/(2ℓ²)),    K = k(X, X) + σ_n² I,
///     NLL(θ) = ½ yᵀK⁻¹y + ½ ln det K + (N/2) ln 2π
///            = ½ ‖z‖² + Σᵢ ln Lᵢᵢ + (N/2) ln 2π,   L = cholesky(K),  z = L⁻¹y,
///
/// over θ = (ln ℓ, ln σ_f, ln σ_n), three scalar variables `log_l`, `log_sf`, `log_sn`: the
/// gradient is one reverse sweep, and the Hessian three forward sweeps over it (`hessian`).
/// With scalar tangents every product in those sweeps is a plain matrix product (one GEMM);
/// one vector variable θ, whose three tangents ride along as a trailing axis, measured half as
/// fast at N = 100 (products with that axis last need copies into a GEMM's layout).
public struct GaussianProcess: Sendable {
  public let x: [Double]
  public let y: [Double]
  /// Outputs `nll` and `∂nll/∂θ0` … `∂nll/∂θ2`.
  public let gradientGraph: Graph
  /// Outputs `nll` and the Hessian's entries `∂²nll/∂θi∂θj`, row by row.
  public let hessianGraph: Graph
  let gradientProgram: Program
  let hessianProgram: Program

  /// The NLL of the observations `y` at `x`, and its derivatives, compiled.
  public init(x: [Double], y: [Double]) throws {
    self.x = x
    self.y = y
    let n = x.count
    let g = GraphBuilder()
    let theta = try ["log_l", "log_sf", "log_sn"].map { try g.variable($0) }
    let (logL, logF, logN) = (theta[0], theta[1], theta[2])
    let squaredDistances = Tensor(
      shape: [n, n], scalars: (0..<(n * n)).map { pow(x[$0 / n] - x[$0 % n], 2) })
    let identity = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
    let k =
      exp(2 * logF - 0.5 * exp(-2 * logL) * g.constant(squaredDistances))
      + exp(2 * logN) * g.constant(identity)
    let l = cholesky(k)
    let z = triangularSolve(l, g.constant(Tensor(shape: [n, 1], scalars: y)))
    let nll =
      0.5 * (z * z).sum() + ln(einsum("ii->i", l)).sum() + 0.5 * Double(n) * log(2 * Double.pi)
    let gradient = try CompGraph.gradient(of: nll, wrt: theta)
    let hessian = try CompGraph.hessian(of: nll, wrt: theta).flatMap { $0 }
    gradientGraph = try nll.graph(
      names: ["nll"] + theta.indices.map { "∂nll/∂θ\($0)" }, with: gradient)
    hessianGraph = try nll.graph(
      names: ["nll"] + hessian.indices.map { "∂²nll/∂θ\($0 / 3)∂θ\($0 % 3)" }, with: hessian)
    gradientProgram = try Program(gradientGraph)
    hessianProgram = try Program(hessianGraph)
  }

  /// `count` observations of sin x + 0.1 cos 3x at uniform random x in [0, 10], sorted, with
  /// Gaussian noise of standard deviation `noise` (Box–Muller on `SplitMix64(seed:)`).
  public static func observations(count: Int, noise: Double, seed: UInt64) -> (
    x: [Double], y: [Double]
  ) {
    var rng = SplitMix64(seed: seed)
    let x = (0..<count).map { _ in Double.random(in: 0...10, using: &rng) }.sorted()
    let y = x.map { x in
      let u = Double.random(in: Double.leastNonzeroMagnitude...1, using: &rng)
      let v = Double.random(in: 0..<1, using: &rng)
      return sin(x) + 0.1 * cos(3 * x) + noise * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    return (x, y)
  }

  /// W12's data: x = linspace(0, 10, n), y = sin x + 0.1 cos 3x.
  public static func w12(n: Int) throws -> GaussianProcess {
    let x = (0..<n).map { 10 * Double($0) / Double(n - 1) }
    return try GaussianProcess(x: x, y: x.map { sin($0) + 0.1 * cos(3 * $0) })
  }

  /// NLL and its gradient at θ.
  public func valueAndGradient(_ theta: [Double]) throws -> (value: Double, gradient: [Double]) {
    let v = try gradientProgram.evaluate(point(theta))
    return (v[0].scalars[0], v.dropFirst().map { $0.scalars[0] })
  }

  /// NLL and its Hessian (row by row) at θ.
  public func valueAndHessian(_ theta: [Double]) throws -> (value: Double, hessian: [Double]) {
    let v = try hessianProgram.evaluate(point(theta))
    return (v[0].scalars[0], v.dropFirst().map { $0.scalars[0] })
  }

  private func point(_ theta: [Double]) -> [String: Tensor] {
    ["log_l": Tensor(theta[0]), "log_sf": Tensor(theta[1]), "log_sn": Tensor(theta[2])]
  }

  /// One iterate of `fit`: θ, the NLL there and the gradient's largest entry.
  public struct Iterate: Sendable {
    public let theta: [Double]
    public let value: Double
    public let gradientNorm: Double
  }

  /// Newton's method from `start`: the step s solves H·s = −∇NLL when H is positive definite,
  /// else the steepest-descent step −∇NLL; the step is halved until the NLL decreases (or the
  /// kernel matrix it reaches cannot be factored).  Stops when the gradient's largest entry is
  /// at most `tolerance`.
  public func fit(from start: [Double], tolerance: Double = 1e-9, maxIterations: Int = 50) throws
    -> [Iterate]
  {
    var theta = start
    var (value, gradient) = try valueAndGradient(theta)
    var path = [Iterate(theta: theta, value: value, gradientNorm: gradient.map(abs).max() ?? 0)]
    while path.count <= maxIterations, path[path.count - 1].gradientNorm > tolerance {
      let h = try valueAndHessian(theta).hessian
      let step = Self.newtonStep(h, gradient) ?? gradient.map { -$0 }
      var t = 1.0
      while t > 1e-12 {
        let trial = zip(theta, step).map { $0 + t * $1 }
        if let (v, g) = try? valueAndGradient(trial), v.isFinite, v <= value {
          (theta, value, gradient) = (trial, v, g)
          break
        }
        t /= 2
      }
      guard t > 1e-12 else { break }
      path.append(Iterate(theta: theta, value: value, gradientNorm: gradient.map(abs).max() ?? 0))
    }
    return path
  }

  /// −H⁻¹g for a symmetric positive-definite 3×3 H (by its Cholesky factor), `nil` otherwise.
  static func newtonStep(_ h: [Double], _ g: [Double]) -> [Double]? {
    var l = [Double](repeating: 0, count: 9)
    for i in 0..<3 {
      for j in 0...i {
        let s = h[i * 3 + j] - (0..<j).reduce(0.0) { $0 + l[i * 3 + $1] * l[j * 3 + $1] }
        if i == j {
          guard s > 0 else { return nil }
          l[i * 3 + i] = s.squareRoot()
        } else {
          l[i * 3 + j] = s / l[j * 3 + j]
        }
      }
    }
    var w = [Double](repeating: 0, count: 3)
    for i in 0..<3 {
      w[i] = (-g[i] - (0..<i).reduce(0.0) { $0 + l[i * 3 + $1] * w[$1] }) / l[i * 3 + i]
    }
    var s = [Double](repeating: 0, count: 3)
    for i in (0..<3).reversed() {
      s[i] = (w[i] - ((i + 1)..<3).reduce(0.0) { $0 + l[$1 * 3 + i] * s[$1] }) / l[i * 3 + i]
    }
    return s
  }

  /// The posterior mean and standard deviation of f at `points` given θ:
  ///
  ///     μ = K*ᵀK⁻¹y,   σ² = σ_f² − ‖L⁻¹K*‖² (per column),   K* = k(X, points),
  ///
  /// one graph of the same ops.
  public func posterior(at points: [Double], theta: [Double]) throws -> (
    mean: [Double], deviation: [Double]
  ) {
    let (n, m) = (x.count, points.count)
    let g = GraphBuilder()
    let (lengthScale, signal, noise) = (exp(theta[0]), exp(theta[1]), exp(theta[2]))
    func kernel(_ a: Double, _ b: Double) -> Double {
      signal * signal * Foundation.exp(-(a - b) * (a - b) / (2 * lengthScale * lengthScale))
    }
    let k = g.constant(
      Tensor(
        shape: [n, n],
        scalars: (0..<(n * n)).map {
          kernel(x[$0 / n], x[$0 % n]) + ($0 / n == $0 % n ? noise * noise : 0)
        }))
    let cross = g.constant(
      Tensor(shape: [n, m], scalars: (0..<(n * m)).map { kernel(x[$0 / m], points[$0 % m]) }))
    let l = cholesky(k)
    let mean = matmul(transpose(cross), solve(k, g.constant(Tensor(shape: [n], scalars: y))))
    let v = triangularSolve(l, cross)
    let variance = signal * signal - sum(v * v, axis: 0)
    let values = try mean.graph(names: ["mean", "variance"], with: [variance]).evaluate(
      [String: Tensor]())
    return (values[0].scalars, values[1].scalars.map { Swift.max(0, $0).squareRoot() })
  }
}
