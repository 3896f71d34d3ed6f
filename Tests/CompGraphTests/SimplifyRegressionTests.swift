import Foundation
import Testing

@testable import CompGraph

/// Inputs the fuzzer found, kept as tests.
@Suite struct SimplifyRegressionTests {
  /// `a^b2 - a^b2` (twice) cancels inside a polynomial region: lowering saw
  /// a polynomial with no terms and indexed its first monomial.
  @Test func polynomialThatCancelsEntirely() throws {
    let source = "tanh(x-x^-2 + 6^-1 + a^b2 - -x^--x^-3 + 6^i/i/l-a^b2 - -x^--x^-3 + 6^-b2b2c)"
    let graph = try parseProgram(source, into: GraphBuilder()).graph().gradient(wrt: ["x"])
    let simple = simplify(graph)
    try simple.checkInvariants()
    #expect(simple.operationCount <= graph.operationCount)
    let point: [String: Double] = ["x": 0.7, "a": 1.3, "b2": 0.4, "i": 0.9, "l": 1.1, "b2b2c": 0.2]
    let before = try graph.evaluate(point).map { $0.scalars[0] }
    let after = try simple.evaluate(point).map { $0.scalars[0] }
    for (b, a) in zip(before, after) { #expect(isClose(a, b, tolerance: 1e-12)) }
  }

  /// A function's integer literals were read with `Int(_:)`, which traps on
  /// an integral Double past Int's range (`pow(x, 1.4e41)`): now such a
  /// literal is not an integer, so `pow` keeps it as an exponent and an
  /// axis or extent gets the message.
  @Test func integralLiteralPastIntsRange() throws {
    let graph = try parseProgram(
      "s - pow(x, 144444444444444444444444444444444444444444.5) + .5", into: GraphBuilder()
    ).graph()
    #expect(try graph.evaluate(["s": 2, "x": 1])[0].scalars[0] == 1.5)
    #expect(throws: ParseError.self) {
      try parseProgram("index(x, 0, 1e30)", into: GraphBuilder()).graph()
    }
  }
}
