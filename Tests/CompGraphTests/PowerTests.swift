import Foundation
import Testing

@testable import CompGraph

/// Regression tests for the powers: x⁰'s derivative at 0, and `x^y` with a
/// variable exponent as its own op (exact for integer y, also for x < 0).
@Suite struct PowerTests {
  /// d/dx x⁰ = 0 everywhere, x = 0 included (the rule used to build 0·0⁻¹ = NaN).
  @Test func derivativeOfXToTheZeroIsZeroAtZero() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let d = try CompGraph.gradient(of: pow(x, 0), wrt: x)
    #expect(try scalar(d, ["x": 0]) == 0)
    let graph = try parse("(x-x)^0 + x")
    let dg = simplify(try graph.gradient(wrt: ["x"]))
    #expect(try dg.evaluate(["x": 0]).map { $0.scalars[0] } == [1, 1])
  }

  /// (−2)³ = −8 and 2³ = 8 exactly, through the reference evaluator and the
  /// compiled program; a fractional power of a negative base is NaN.
  @Test func variableExponentIsExactForIntegers() throws {
    let graph = try parse("x^y")
    let program = try Program(graph)
    for (x, y, exact) in [(-2.0, 3.0, -8.0), (2, 3, 8), (-3, 2, 9), (10, -2, 0.01), (0, 0, 1)] {
      #expect(try graph.evaluate(["x": x, "y": y])[0].scalars[0] == exact)
      #expect(try program.evaluate(["x": x, "y": y]) == [exact])
    }
    #expect(try graph.evaluate(["x": -2, "y": 0.5])[0].scalars[0].isNaN)
    #expect(try parse("2^x").evaluate(["x": 3])[0].scalars[0] == 8)
  }

  /// ∂xʸ/∂x = y·xʸ⁻¹ and ∂xʸ/∂y = xʸ·ln x, against the closed forms.
  @Test func variableExponentDerivatives() throws {
    let graph = try parse("x^y").gradient(wrt: ["x", "y"])
    for (x, y) in [(2.0, 3.0), (0.5, -1.5), (3.0, 0.25)] {
      let values = try graph.evaluate(["x": x, "y": y]).map { $0.scalars[0] }
      #expect(isClose(values[1], y * Foundation.pow(x, y - 1)))
      #expect(isClose(values[2], Foundation.pow(x, y) * Foundation.log(x)))
    }
  }

  /// A constant exponent reached only after simplification becomes `pow[c]`.
  @Test func constantExponentSimplifiesToPow() throws {
    let simplified = simplify(try parse("x^(y - y + 2)"))
    #expect(simplified.listing.contains("pow[2] x"))
  }
}

/// Parses `text` into a fresh builder and freezes it.
private func parse(_ text: String) throws -> Graph {
  try parseProgram(text, into: GraphBuilder()).graph()
}
