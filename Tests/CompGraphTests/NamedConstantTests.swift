import Foundation
import Testing

@testable import CompGraph

/// `pi`, `e`, `inf` and `nan` are constants, and every printed non-finite
/// constant reads back as the same number.
@Suite struct NamedConstantTests {
  @Test func namedConstantsEvaluate() throws {
    let graph = try parseProgram("pi + e*x + 0*inf", into: GraphBuilder()).graph()
    #expect(graph.variables.map(\.name) == ["x"])
    let value = try graph.evaluate(["x": 2])[0].scalars[0]
    #expect(value.isNaN)  // 0·∞
    let finite = try parseProgram("pi + e*x", into: GraphBuilder()).graph()
    #expect(try finite.evaluate(["x": 2])[0].scalars[0] == Double.pi + M_E * 2)
  }

  /// `simplify "x + 1/(y-y)"` prints `x + inf`, which must parse to the
  /// same function (it used to read `inf` as a variable).
  @Test func nonFiniteConstantsReadBack() throws {
    for text in ["x + 1/(y-y)", "x - 1/(y-y)", "x * (0/(y-y))"] {
      let simplified = simplify(try parseProgram(text, into: GraphBuilder()).graph())
      let printed = simplified.infix(of: simplified.outputs[0])
      let reread = try parseProgram(printed, into: GraphBuilder()).graph()
      #expect(reread.variables.map(\.name) == ["x"], "\(text) printed as \(printed)")
      for x in [-1.5, 0, 2] {
        let a = try simplified.evaluate(["x": x, "y": 1])[0].scalars[0]
        let b = try reread.evaluate(["x": x])[0].scalars[0]
        #expect(a == b || (a.isNaN && b.isNaN), "\(printed) at \(x)")
      }
    }
  }

  @Test func constantNamesCannotBeBound() {
    #expect(throws: ParseError.self) { try parseProgram("let e = 2\ne", into: GraphBuilder()) }
    do {
      _ = try parseProgram("var pi: 2\npi", into: GraphBuilder())
      Issue.record("declaring pi should fail")
    } catch {
      #expect(error.message == "'pi' is a constant (3.141592653589793): choose another name")
    }
  }
}
