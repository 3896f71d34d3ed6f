import Foundation
import Testing

@testable import CompGraph

/// The stabilize phase's forms are accurate across the whole line, not only where the naive
/// form overflows (issue 26 §0): the value and first four derivatives, built as `eval` builds
/// them (stabilized, then the tower simplified order by order), against mpmath's at 800 digits
/// (`Tests/Python/mpmath_derivatives.py`), through `Graph.evaluate` and `Program`.
@Suite struct StabilizedDerivativeTests {
  struct Case: CustomTestStringConvertible, Sendable {
    /// In the expression language, in x.
    let expression: String
    /// The same function for mpmath.
    let mpmath: String
    let points: [Double]
    var testDescription: String { expression }
  }

  static let cases: [Case] = [
    // Near 0 the expm1 form's even derivatives cancel (tanh″(1e-20) came out 0); far out
    // 1 − tanh² does (tanh′(20) came out 0).  Both sides of the switch at |x| = 1.
    Case(
      expression: "tanh(x)", mpmath: "lambda x: tanh(x)",
      points: [
        1e-300, -1e-20, 1e-20, 1e-8, -1e-3, 0.3, 0.999, 1, 1.001, -1.5, 2, 5, 20, -20, 300,
      ]),
    // One term dominates: the max shift keeps the larger exponent whole, log1p the rest.
    Case(
      expression: "ln(exp(0.25) + exp(x))", mpmath: "lambda x: log(exp(mpf(1)/4) + exp(x))",
      points: [-30, -700, -2, 3, 40, 800]),
    Case(
      expression: "ln(exp(x) + exp(-x))", mpmath: "lambda x: log(exp(x) + exp(-x))",
      points: [0.5, -30, 400]),
  ]

  static let order = 4

  /// f and its derivatives up to `order`, stabilized and simplified as `eval` takes them.
  static func tower(_ expression: String) throws -> Graph {
    let f = try parseProgram(expression, declarations: [:], into: GraphBuilder()).graph()
    let g = GraphBuilder(f)
    var options = SimplifyOptions()
    options.phases.insert(.stabilize)
    let root = g.simplify(f.outputs, options: options)
    let x = try g.variableNode("x")
    let tower = try g.derivativeTower(of: root, wrt: [x], order: order)
    return g.graph(outputs: tower.partials.map(\.node))
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func valueAndFourDerivativesMatchMpmath() throws {
    let request = Self.cases.map {
      ["function": $0.mpmath, "points": $0.points, "order": Self.order] as [String: Any]
    }
    let reply = try PythonPeer.run(
      "mpmath_derivatives.py",
      input: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
    let exact = try #require(
      try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [[[Double]]])
    for (c, rows) in zip(Self.cases, exact) {
      let graph = try Self.tower(c.expression)
      let program = try Program(graph)
      for (x, row) in zip(c.points, rows) {
        let reference = try graph.evaluate(["x": Tensor(x)]).map { $0.scalars[0] }
        let compiled = try program.evaluate(point: [x])
        for (k, want) in row.enumerated() {
          for (path, got) in [("evaluate", reference[k]), ("Program", compiled[k])] {
            let error = abs(got - want)
            #expect(
              want == 0 ? got == 0 : error <= 4e-15 * abs(want),
              "\(c.expression), order \(k) at x = \(x), \(path): \(got), exactly \(want)")
          }
        }
      }
    }
  }
}
