import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// Each example's core computation, at small sizes, checked against numbers
/// known independently.
@Suite struct ExampleTests {
  /// dᵏ tanh/dxᵏ = Pₖ(tanh x) with P₀ = t and Pₖ₊₁ = Pₖ′·(1 − t²): the
  /// polynomial coefficients, lowest power first.
  private func tanhPolynomials(upTo order: Int) -> [[Double]] {
    var polynomials: [[Double]] = [[0, 1]]
    for _ in 0..<order {
      let p = polynomials[polynomials.count - 1]
      let derivative = p.indices.dropFirst().map { Double($0) * p[$0] }
      var next = [Double](repeating: 0, count: derivative.count + 2)
      for (i, c) in derivative.enumerated() {
        next[i] += c
        next[i + 2] -= c
      }
      polynomials.append(next)
    }
    return polynomials
  }

  /// ARCHITECTURE.md invariant 1: the derivative graphs are in topological order
  /// (`checkInvariants`), and their values match the closed forms.
  @Test func tanhDerivativesMatchClosedForms() throws {
    let tanhs = try TanhDerivatives(order: 6)
    try tanhs.graph.checkInvariants()
    let xs = [-2.0, -0.5, 0, 0.3, 1, 3]
    let compiled = try tanhs.values(at: xs)
    let polynomials = tanhPolynomials(upTo: 6)
    #expect(polynomials[3] == [-2, 0, 8, 0, -6])  // tanh‴ = −2 + 8t² − 6t⁴
    for (i, x) in xs.enumerated() {
      let reference = try tanhs.graph.evaluate(["x": x]).map { $0.scalars[0] }
      let t = Foundation.tanh(x)
      for k in 0...6 {
        let exact = polynomials[k].reversed().reduce(0) { $0 * t + $1 }
        #expect(isClose(reference[k], exact, tolerance: 1e-12), "order \(k) at \(x)")
        #expect(isClose(compiled[k][i], exact, tolerance: 1e-12), "compiled order \(k) at \(x)")
      }
    }
    #expect((0...6).map(tanhs.operationCount(order:)) == [1, 4, 5, 6, 7, 8, 9])
  }

  /// The best forward step is near √ε ≈ 1.5·10⁻⁸, the best central step
  /// near ∛ε ≈ 6·10⁻⁶ (truncation h² against rounding ε/h).
  @Test func finiteDifferenceErrorsBottomOutWhereTheoryPuts() throws {
    let steps = (4...64).map { pow(10, -Double($0) / 4) }
    let errors = try FiniteDifferenceErrors(at: 1, steps: steps)
    let sigma = 1 / (1 + Foundation.exp(-1.0))
    #expect(isClose(errors.exact, sigma * (1 - sigma) * (1 - 2 * sigma), tolerance: 1e-14))  // σ″
    let forward = try #require(errors.bestStep(errors.forward))
    let central = try #require(errors.bestStep(errors.central))
    #expect(forward >= 1e-10 && forward <= 1e-6)
    #expect(central >= 1e-6 && central <= 1e-4)
    #expect(errors.central.min()! < 1e-10 && errors.central.min()! < errors.forward.min()! / 100)
    // Truncation: at h = 0.1 → 0.01, forward error falls ~10×, central ~100×.
    #expect(errors.forward[0] / errors.forward[4] > 8 && errors.central[0] / errors.central[4] > 80)
    #expect(try FiniteDifferenceErrors(at: 1, steps: []).bestStep([]) == nil)
  }

  @Test func newtonConvergesToTheMinimumAndGradientDescentLags() throws {
    let rosenbrock = try Rosenbrock()
    let newton = try rosenbrock.newton(from: SIMD2(-1.2, 1))
    let end = newton[newton.count - 1]
    #expect(abs(end.x - 1) < 1e-12 && abs(end.y - 1) < 1e-12)
    #expect(newton.count <= 10)
    let descent = try rosenbrock.gradientDescent(
      from: SIMD2(-1.2, 1), tolerance: 1e-2, maxIterations: 20_000)
    #expect(Rosenbrock.error(descent[descent.count - 1]) <= 1e-2)
    #expect(descent.count > 10 * newton.count)
  }

  /// W12's likelihood reproduces JAX's reference values (BENCHMARKS.md § W12) to 1e-10: the
  /// NLL, its gradient and its Hessian's diagonal at θ = (0, 0, −2), N = 100; and the Hessian
  /// is symmetric.
  @Test func gaussianProcessLikelihoodMatchesTheReference() throws {
    let gp = try GaussianProcess.w12(n: 100)
    let (value, gradient) = try gp.valueAndGradient([0, 0, -2])
    let hessian = try gp.valueAndHessian([0, 0, -2]).hessian
    let reference = [
      -7.28869282727700e1, -1.73752138194014e1, 8.57706641196214, 8.61067065530448e1,
      6.77809150339687e1, 1.12313090922814e1, 2.06669580478320,
    ]
    for (ours, theirs) in zip([value] + gradient + [hessian[0], hessian[4], hessian[8]], reference)
    {
      #expect(abs(ours - theirs) <= 1e-10 * abs(theirs), "\(ours) against \(theirs)")
    }
    for (i, j) in [(0, 1), (0, 2), (1, 2)] {
      #expect(isClose(hessian[i * 3 + j], hessian[j * 3 + i], tolerance: 1e-10))
    }
  }

  /// Newton's method with the exact Hessian fits the three hyperparameters: the gradient
  /// vanishes, the NLL decreases at every step, the noise level found is near the data's (0.1),
  /// and the posterior mean follows the function within its band.
  @Test func gaussianProcessNewtonFitConverges() throws {
    let (x, y) = GaussianProcess.observations(count: 40, noise: 0.1, seed: 30)
    let gp = try GaussianProcess(x: x, y: y)
    let path = try gp.fit(from: [0, 0, -1])
    let end = path[path.count - 1]
    #expect(end.gradientNorm <= 1e-9)
    #expect(path.count <= 20, "\(path.count) iterations")
    #expect(zip(path, path.dropFirst()).allSatisfy { $0.value >= $1.value })
    #expect(abs(Foundation.exp(end.theta[2]) - 0.1) < 0.05, "σ_n = \(Foundation.exp(end.theta[2]))")
    let grid = stride(from: 0.5, through: 9.5, by: 0.5).map { $0 }
    let (mean, deviation) = try gp.posterior(at: grid, theta: end.theta)
    for (k, point) in grid.enumerated() {
      let truth = Foundation.sin(point) + 0.1 * Foundation.cos(3 * point)
      #expect(abs(mean[k] - truth) <= 3 * deviation[k] + 0.02, "at \(point)")
      #expect(deviation[k] > 0 && deviation[k] < 0.2)
    }
  }

  @Test func logisticRegressionLossDecreases() throws {
    let regression = try LogisticRegression(samples: 40)
    let training = try regression.train(epochs: 10, learningRate: 1)
    #expect(isClose(training.losses[0], Foundation.log(2)))  // w = 0, b = 0: p = ½
    #expect(zip(training.losses, training.losses.dropFirst()).allSatisfy { $0 > $1 })
    #expect(training.losses[10] < 0.4 && training.accuracy > 0.75)
    let again = try LogisticRegression(samples: 40).train(epochs: 10, learningRate: 1)
    #expect(again.losses == training.losses, "the data set is generated deterministically")
  }

  @Test func taylorErrorShrinksWithDegree() throws {
    let series = try TaylorSeries(of: { x in exp(-(x * x)) }, at: 0, degree: 10)
    // exp(−x²) = Σ (−1)ᵏ x²ᵏ / k!
    for (k, c) in series.coefficients.enumerated() {
      let exact =
        k % 2 == 1 ? 0 : (k / 2 % 2 == 0 ? 1 : -1) / Double((1...max(1, k / 2)).reduce(1, *))
      #expect(isClose(c, exact, tolerance: 1e-12), "c\(k)")
    }
    let xs = stride(from: -1.0, through: 1, by: 0.05)
    let worst = stride(from: 2, through: 10, by: 2).map { n in
      xs.map { abs(series.polynomial(degree: n, at: $0) - Foundation.exp(-$0 * $0)) }.max()!
    }
    #expect(zip(worst, worst.dropFirst()).allSatisfy { $0 > 2 * $1 })
    #expect(worst[4] < 2e-3)
  }

  @Test func derivativeTowerBuildsEveryOrder() throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x")
    let tower = try derivatives(of: pow(x, 4), wrt: x, upTo: 5)
    #expect(try tower.map { try $0.evaluate(["x": 2]) } == [16, 32, 48, 48, 24, 0])
  }

  /// The code of the DocC landing page and "Getting started", as written there.
  @Test func documentationCodeRuns() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let f = tanh(x)
    let df = try gradient(of: f, wrt: x)
    let d2f = try gradient(of: df, wrt: x)
    let graph = try f.graph(names: ["f", "f′", "f″"], with: [df, d2f])
    let values = try Program(graph).evaluate(["x": 0.5])
    #expect(
      String(format: "%.3f %.3f %.3f", values[0], values[1], values[2]) == "0.462 0.786 -0.727")

    let p = try g.variable("p"), q = try g.variable("q")
    let e = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let grads = try gradient(of: e, wrt: [p, q])
    let fpp = try gradient(of: grads[0], wrt: p)
    let h = try hessian(of: e, wrt: [p, q])
    let program = try Program(
      try e.graph(names: ["f", "∂f/∂p", "∂²f/∂p²"], with: [grads[0], fpp]))
    let at = try program.evaluate(["p": 2, "q": 3])
    #expect(isClose(at[1], 1 / Foundation.sqrt(7) / 3 + 1))  // ∂f/∂p = 1/(3√(2p+q)) + 2/p
    #expect(isClose(at[2], try h[0][0].evaluate(["p": 2, "q": 3])))
    let batch = try program.evaluate(batch: [[1, 2, 3], [4, 5, 6]], count: 3)
    #expect(isClose(batch[1][batch[1].startIndex + 1], 1 + 1 / 9.0))  // p = 2, q = 5
  }
}
