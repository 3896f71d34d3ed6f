import Foundation
import Testing

@testable import CompGraph

/// `derivative(of:wrt:order:)` with simplification: tanh's derivatives as
/// polynomials in t = tanh x, and W1's op counts (BENCHMARKS.md).
@Suite struct SimplifyDerivativeTests {
  /// tanh⁽ⁿ⁾(x) = Pₙ(tanh x), n = 1…6.
  static let closedForms: [@Sendable (Double) -> Double] = [
    { t in 1 - t * t },
    { t in -2 * t + 2 * t * t * t },
    { t in -2 + 8 * t * t - 6 * pow(t, 4) },
    { t in 16 * t - 40 * pow(t, 3) + 24 * pow(t, 5) },
    { t in 16 - 136 * t * t + 240 * pow(t, 4) - 120 * pow(t, 6) },
    { t in -272 * t + 1232 * pow(t, 3) - 1680 * pow(t, 5) + 720 * pow(t, 7) },
  ]

  /// tanh⁽ⁿ⁾(0.5), n = 1…10 (BENCHMARKS.md W1 check values).
  static let checkValues = [
    0.786447732965927, -0.726861981383587, -0.56520928825977, 3.95221956372458, -3.26668647197139,
    -36.2795402917916, 144.152047592846, 322.859318123668, -4889.21397093169, 7300.98329719489,
  ]

  static func f(_ variant: String, _ x: Expr) -> Expr {
    variant == "tanh" ? tanh(x) : (exp(x) - exp(-x)) / (exp(x) + exp(-x))
  }

  @Test(arguments: ["tanh", "exp"])
  func tanhDerivativesMatchTheirClosedForms(_ variant: String) throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    for (n, closed) in Self.closedForms.enumerated() {
      let d = try derivative(of: Self.f(variant, x), wrt: x, order: n + 1)
      for p in [-1.7, -0.8, 0.1, 0.5, 1.3] {
        let got = try d.evaluate(["x": p]) as Double
        #expect(
          isClose(got, closed(Foundation.tanh(p)), tolerance: 1e-12),
          "\(variant) order \(n + 1) at \(p)")
      }
    }
  }

  /// Op counts at or below SymEngine's (after its cse) at every order, and
  /// the values at 0.5 to 1e-12.  tanh: n + 3 (Horner in t² with a factor
  /// t); exp: n + 9 (Horner in z = (eˣ − e⁻ˣ)·(eˣ + e⁻ˣ)⁻¹).
  @Test(arguments: ["tanh", "exp"])
  func w1OperationCounts(_ variant: String) throws {
    // SymEngine (BENCHMARKS.md), linearly interpolated between the orders given.
    let symEngine: [Double] =
      variant == "tanh"
      ? [4, 6.5, 9, 11.5, 14, 16.33, 18.67, 21, 23.5, 26]
      : [10, 12.5, 15, 17.5, 20, 22.67, 25.33, 28, 30.5, 33]
    for n in 1...10 {
      let g = GraphBuilder()
      let x = try g.variable("x")
      let d = try derivative(of: Self.f(variant, x), wrt: x, order: n)
      let graph = try d.graph()
      try graph.checkInvariants()
      #expect(graph.operationCount == n + (variant == "tanh" ? 3 : 9), "\(variant) order \(n)")
      #expect(Double(graph.operationCount) <= symEngine[n - 1], "\(variant) order \(n)")
      #expect(
        isClose(try d.evaluate(["x": 0.5]), Self.checkValues[n - 1], tolerance: 1e-12),
        "\(variant) order \(n)")
    }
  }

  @Test func derivativeOfOrderZeroIsTheSimplifiedFunction() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let d = try derivative(of: x * x + x * x, wrt: x, order: 0)
    #expect(try d.node() == (2 * pow(x, 2)).node())
  }

  @Test func derivativeWithoutSimplifyingMatches() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let f = sin(x) * exp(x)
    let raw = try derivative(of: f, wrt: x, order: 3, simplify: false)
    let simplified = try derivative(of: f, wrt: x, order: 3)
    for p in [-1.0, 0.3, 2.0] {
      #expect(isClose(try simplified.evaluate(["x": p]), try raw.evaluate(["x": p])))
    }
    #expect(try simplified.graph().operationCount < raw.graph().operationCount)
  }

  /// d/dx kˣ = ln k·kˣ for a constant k ≠ 0: the power rule's where(k = 0, …)
  /// guard is decided by the constant and leaves no select behind.
  @Test func derivativeOfAConstantBasePowerHasNoSelect() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let d = try derivative(of: pow(g.constant(3), x), wrt: x, order: 2)
    #expect(try d.node() == (Foundation.log(3) * Foundation.log(3) * pow(g.constant(3), x)).node())
  }

  @Test func derivativeOfAConstantIsZero() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    #expect(try derivative(of: exp(y), wrt: x, order: 2).evaluate(["y": 1]) == 0)
  }

  @Test func derivativeRejectsBadArguments() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), v = try g.variable("v", [3])
    #expect(throws: GraphError.self) { try derivative(of: x, wrt: x * 2) }
    #expect(throws: GraphError.self) { try derivative(of: v, wrt: x) }
    #expect(throws: GraphError.self) { try derivative(of: x, wrt: x, order: -1) }
  }
}
