import Foundation
import Testing

@testable import CompGraph

/// A derivative flows only through the branch of `where`, `min` and `max` that was taken, even
/// where the other branch's derivative is infinite or NaN (issue 26 §0): the reverse sweep keeps
/// the selection outermost (select(m, ḡ·f, 0), never select(m, ḡ, 0)·f = 0·NaN), on every path
/// — the sweep as built, simplified, the tower, forward over reverse — and every evaluator:
/// `Graph.evaluate`, `Program`, and the emitted C.
@Suite struct BranchDerivativeTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let expression: String
    let point: [String: Double]
    /// ∂f/∂x, ∂f/∂y, then ∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y² (the variables are x and y).
    let expected: [Double]
    var testDescription: String { expression }
  }

  static let cases: [Case] = [
    // x = 0 takes y: f = y.  The other side's √y has an NaN derivative at y = −1.
    Case(expression: "where(x, sqrt(y), y)", point: ["x": 0, "y": -1], expected: [0, 1, 0, 0, 0]),
    // min takes x = 0; (e^y)′ = ∞ at y = 1000.
    Case(expression: "min(x, exp(y))", point: ["x": 0, "y": 1000], expected: [1, 0, 0, 0, 0]),
    // max takes x; −e^y = −∞ has the derivative −∞.
    Case(expression: "max(-exp(y), x)", point: ["x": 2, "y": 1000], expected: [1, 0, 0, 0, 0]),
    // The side not taken is a chain, used twice: ln(√y)·y + √y, at y = −1.
    Case(
      expression: "where(x > 0, ln(sqrt(y))*y + sqrt(y), y^2*x)", point: ["x": -1, "y": -1],
      expected: [1, 2, 0, -2, -2]),
    // Taken on the other side: ln(y)·x, where x < 0 would take 1/(y − 2), −∞ to differentiate.
    Case(
      expression: "where(x < 0, 1/(y - 2), ln(y)*x)", point: ["x": 3, "y": 2],
      expected: [log(2), 1.5, 0, 0.5, -0.75]),
  ]

  /// ∇f and the Hessian of `expression` in x and y, built simplified or as the sweeps give them.
  static func derivatives(_ expression: String, simplifying: Bool) throws -> Graph {
    let builder = GraphBuilder()
    let program = try parseProgram(expression, declarations: [:], into: builder)
    let f = try program.graph()
    let g = GraphBuilder(f)
    let xs = try ["x", "y"].map { try g.variableNode($0) }
    var root = f.outputs[0]
    if simplifying { root = g.simplify([root])[0] }
    var gradient = try g.gradient(of: root, wrt: xs)
    if simplifying { gradient = g.simplify(gradient) }
    // Reverse over reverse for ∂²/∂x², forward over reverse for the rest.
    let xx = try g.gradient(of: gradient[0], wrt: [xs[0]])[0]
    let column = try g.jvp(of: gradient, tangents: [xs[1]: g.constantNode(1.0)])
    return g.graph(outputs: gradient + [xx, column[0], column[1]])
  }

  @Test(arguments: cases) func derivativesTakeOnlyTheBranchTaken(_ c: Case) throws {
    let point = ["x", "y"].map { c.point[$0]! }
    for simplifying in [false, true] {
      let graph = try Self.derivatives(c.expression, simplifying: simplifying)
      let label = "\(c.expression) at \(c.point), simplifying \(simplifying)"
      let reference = try graph.evaluate(c.point.mapValues { Tensor($0) }).map { $0.scalars[0] }
      let compiled = try Program(graph).evaluate(point: point)
      let emitted = try CExportTests.run(graph, at: [point])
      for (path, values) in [("evaluate", reference), ("Program", compiled), ("C", emitted)] {
        for (got, exact) in zip(values, c.expected) {
          #expect(isClose(got, exact, tolerance: 1e-15), "\(label), \(path): \(values)")
        }
      }
    }
  }

  /// A mask over a tensor selecting a scalar's branch: the selection is summed down to the
  /// scalar, and the mask stays inside the sum.
  @Test func aScalarBranchBroadcastByATensorMask() throws {
    let g = GraphBuilder()
    let mask = try g.variable("m", [3]), y = try g.variable("y")
    let f = select(mask, sqrt(y), y).sum()
    let d = try gradient(of: f, wrt: y)
    let dd = try gradient(of: d, wrt: y)
    let graph = try d.graph(with: [dd])
    let none = try graph.evaluate(["m": Tensor(shape: [3], scalars: [0, 0, 0]), "y": Tensor(-1)])
    #expect(none.map { $0.scalars[0] } == [3, 0])
    // One element takes √y at y = 4: 2 + ½·4^(−½) = 2.25, then −¼·4^(−3/2) = −1/32.
    let one = try graph.evaluate(["m": Tensor(shape: [3], scalars: [0, 1, 0]), "y": Tensor(4)])
    #expect(one.map { $0.scalars[0] } == [2.25, -1.0 / 32])
  }
}
