import Foundation
import Testing

@testable import CompGraph

/// A tower of one output in one variable takes its orders in the polynomial
/// ring over the partials' atoms (`PolynomialDifferentiator`); these check
/// it against the tangent sweeps it replaces and against closed forms.
@Suite struct PolynomialDerivativeTests {
  /// Functions whose atoms' derivatives are polynomials in atoms: the ring
  /// takes every order.
  static let closed: [(String, @Sendable (Expr) -> Expr)] = [
    ("tanh", { tanh($0) }),
    ("sigmoid", { 1 / (1 + exp(-$0)) }),
    ("gaussian", { exp(-($0 * $0)) }),
    ("sin cos", { sin($0) * cos($0) }),
    ("log 1 + x²", { ln(1 + $0 * $0) }),
    ("atan", { atan($0) }),
    ("erf", { erf($0) }),
    ("tan", { tan($0) }),
    ("exp over 1 + x", { exp($0) / (1 + $0) }),
    ("tanh by exp", { (exp($0) - exp(-$0)) / (exp($0) + exp(-$0)) }),
    ("x^x", { pow($0, $0) }),
  ]
  /// Orders the ring declines and the tower sweeps.  d(xʸ) = y·x^(y−1)·dx +
  /// xʸ·ln x·dy brings a new atom x^(x−k) each order, past the atom limit
  /// from order 3 on.  Raw (e^x − e^−x)/(e^x + e^−x) spells e^−x as `exp(-x)`,
  /// so the derivative of its numerator is not its denominator's node until
  /// order 1 is simplified.
  static let swept: [String: Int] = ["x^x": 4, "tanh by exp": 1]

  /// Every order up to 6 of each function, at four points, equals the
  /// unsimplified tower's (tangent sweep on tangent sweep, no polynomial
  /// ring), and the simplified tower swept only the orders the ring could
  /// not take.
  @Test(arguments: closed.map(\.0))
  func ringAgreesWithTangentSweeps(_ name: String) throws {
    let f = Self.closed.first { $0.0 == name }!.1
    let g = GraphBuilder()
    let x = try g.variable("x")
    let ring = try derivativeTower(of: f(x), wrt: [x], order: 6)
    let swept = try derivativeTower(of: f(x), wrt: [x], order: 6, simplify: false)
    #expect(ring.sweeps == Self.swept[name, default: 0])
    #expect(swept.sweeps == 6)
    for point in [-1.3, -0.4, 0.35, 1.7] where name != "x^x" || point > 0 {
      for n in 1...6 {
        let a = try g.expr(ring.node([Int](repeating: 0, count: n))!).evaluate(["x": point])
        let b = try g.expr(swept.node([Int](repeating: 0, count: n))!).evaluate(["x": point])
        #expect(isClose(a, b, tolerance: 1e-9), "\(name) order \(n) at \(point): \(a) vs \(b)")
      }
    }
  }

  /// dⁿ√x/dxⁿ = (½)(½ − 1)…(½ − n + 1)·x^(½ − n): each order trades its
  /// atom x^(½ − n + 1) for the next, so the ring keeps taking orders past
  /// its atom limit (eight) by dropping the atoms a partial no longer has.
  @Test func atomsNoLongerUsedAreDropped() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let tower = try derivativeTower(of: sqrt(x), wrt: [x], order: 12)
    #expect(tower.sweeps == 0)
    var coefficient = 1.0
    for n in 1...12 {
      coefficient *= 0.5 - Double(n - 1)
      let value = try g.expr(tower.node([Int](repeating: 0, count: n))!).evaluate(["x": 1.7])
      #expect(isClose(value, coefficient * Foundation.pow(1.7, 0.5 - Double(n)), tolerance: 1e-10))
    }
  }

  /// A tensor partial is swept as before (the ring holds scalars).
  @Test func tensorPartialsAreSwept() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let v = try g.variable("v", [3])
    let tower = try derivativeTower(of: v * exp(x), wrt: [x], order: 3)
    #expect(tower.sweeps == 3)
    let bindings: [String: Tensor] = [
      "x": Tensor(0.4), "v": Tensor(shape: [3], scalars: [1, 2, 3]),
    ]
    let third = try g.expr(tower.node([0, 0, 0])!).graph().evaluate(bindings)
    let e: Double = Foundation.exp(0.4)
    for (value, k) in zip(third[0].scalars, [1.0, 2, 3]) { #expect(isClose(value, k * e)) }
  }
}
