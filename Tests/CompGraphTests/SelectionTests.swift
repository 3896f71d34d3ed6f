import Foundation
import Testing

@testable import CompGraph

/// max, min, relu, abs, comparisons and where: values, the documented
/// subgradient at ties, and the rule that a selection's derivative is the
/// same selection of the incoming gradient.
@Suite struct SelectionTests {
  /// The values of `;`-separated expressions (and their gradients `wrt`).
  private func evaluate(_ text: String, _ point: [String: Double], wrt: [String] = [])
    throws -> [Double]
  {
    let parts = text.split(separator: ";")
    let program = parts.enumerated().map { "out o\($0.offset) = \($0.element)" }
    let graph = try parseProgram(program.joined(separator: "\n"), into: GraphBuilder()).graph()
    let full = wrt.isEmpty ? graph : try graph.gradient(wrt: wrt)
    return try full.evaluate(point).map { $0.scalars[0] }
  }

  /// At a tie max and min send the whole gradient to their first argument;
  /// relu′(0) = 0 and |x|′(0) = sign 0 = 0.
  @Test func subgradientsAtTies() throws {
    #expect(try evaluate("max(x, y)", ["x": 2, "y": 2], wrt: ["x", "y"]) == [2, 1, 0])
    #expect(try evaluate("max(y, x)", ["x": 2, "y": 2], wrt: ["x", "y"]) == [2, 0, 1])
    #expect(try evaluate("min(x, y)", ["x": 2, "y": 2], wrt: ["x", "y"]) == [2, 1, 0])
    #expect(try evaluate("relu(x)", ["x": 0], wrt: ["x"]) == [0, 0])
    #expect(try evaluate("abs(x)", ["x": 0], wrt: ["x"]) == [0, 0])
    #expect(try evaluate("relu(x)", ["x": 3], wrt: ["x"]) == [3, 1])
    #expect(try evaluate("relu(x)", ["x": -3], wrt: ["x"]) == [0, 0])
    #expect(try evaluate("abs(x)", ["x": -3], wrt: ["x"]) == [3, -1])
  }

  /// A comparison is a 0/1 mask with derivative zero; `where` picks by a
  /// non-zero condition and passes the gradient to the branch it picked only.
  @Test func comparisonsAndWhere() throws {
    let masks = try evaluate("x < y; x <= y; x > y; x >= y; x == y", ["x": 1, "y": 1])
    #expect(masks == [0, 1, 0, 1, 1])
    #expect(try evaluate("(x < y) * x", ["x": 1, "y": 2], wrt: ["x", "y"]) == [1, 1, 0])
    #expect(
      try evaluate("where(x - 1, x^2, 3*y)", ["x": 2, "y": 5], wrt: ["x", "y"]) == [4, 4, 0])
    #expect(
      try evaluate("where(x - 1, x^2, 3*y)", ["x": 1, "y": 5], wrt: ["x", "y"]) == [15, 0, 3])
  }

  /// An infinite gradient arriving at a selection does not reach the branch
  /// not taken (a 0/1 mask would make it ∞·0 = NaN).  As in JAX, a NaN made
  /// *inside* the branch not taken still does: guard that branch's input.
  @Test func theGradientIsSelectedNotMasked() throws {
    #expect(
      try evaluate("inf * where(x > 0, x, y)", ["x": 1, "y": 2], wrt: ["y"]) == [.infinity, 0])
    let g = GraphBuilder()
    let x = try g.variable("x")
    let zero = g.constant(0)
    let d2 = try derivative(of: select(greater(x, zero), pow(x, 3), zero), wrt: x, order: 2)
    #expect(try scalar(d2, ["x": -4]) == 0)
    #expect(try scalar(d2, ["x": 4]) == 24)
  }

  /// Comparisons bind more loosely than arithmetic, print as operators and
  /// read back.
  @Test func comparisonsParseAndPrint() throws {
    let graph = try parseProgram("x + 1 < 2*y", into: GraphBuilder()).graph()
    #expect(graph.infix(of: graph.outputs[0]) == "x + 1 < 2*y")
    let nested = try parseProgram("(x < y) < 1", into: GraphBuilder()).graph()
    #expect(nested.infix(of: nested.outputs[0]) == "(x < y) < 1")
    let call = try parseProgram("where(x >= y, x, -y)", into: GraphBuilder()).graph()
    #expect(call.infix(of: call.outputs[0]) == "where(x >= y, x, -y)")
  }

  /// log2, log10 and log(x, b) are sugar over ln.
  @Test func logarithmSugar() throws {
    let values = try evaluate("log2(x); log10(y); log(y, x); log(x)", ["x": 8, "y": 1000])
    #expect(isClose(values[0], 3, tolerance: 1e-15))
    #expect(isClose(values[1], 3, tolerance: 1e-15))
    #expect(isClose(values[2], Foundation.log(1000) / Foundation.log(8), tolerance: 1e-15))
    #expect(isClose(values[3], Foundation.log(8), tolerance: 1e-15))
  }

  /// The new functions against libm and their closed-form derivatives.
  @Test func elementaryFunctionsAndDerivatives() throws {
    let x = 0.37
    let cases: [(String, Double, Double)] = [
      ("tan(x)", Foundation.tan(x), 1 / Foundation.pow(Foundation.cos(x), 2)),
      ("atan(x)", Foundation.atan(x), 1 / (1 + x * x)),
      ("asin(x)", Foundation.asin(x), 1 / (1 - x * x).squareRoot()),
      ("acos(x)", Foundation.acos(x), -1 / (1 - x * x).squareRoot()),
      ("sinh(x)", Foundation.sinh(x), Foundation.cosh(x)),
      ("cosh(x)", Foundation.cosh(x), Foundation.sinh(x)),
      ("erf(x)", Foundation.erf(x), 2 / Double.pi.squareRoot() * Foundation.exp(-x * x)),
      ("log1p(x)", Foundation.log1p(x), 1 / (1 + x)),
      ("expm1(x)", Foundation.expm1(x), Foundation.exp(x)),
    ]
    for (text, value, slope) in cases {
      let got = try evaluate(text, ["x": x], wrt: ["x"])
      #expect(got[0] == value, "\(text)")
      #expect(isClose(got[1], slope, tolerance: 1e-15), "\(text)′")
    }
    #expect(try evaluate("log1p(x); expm1(x)", ["x": 1e-20]) == [1e-20, 1e-20])
  }
}
