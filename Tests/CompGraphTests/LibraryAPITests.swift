import Foundation
import Testing

@testable import CompGraph

/// What a user of the library meets first: printing, checking, reducing,
/// and errors instead of traps.
@Suite struct LibraryAPITests {
  @Test func exprPrintsItsInfixFormAndGraphItsListing() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    #expect("\(f)" == f.builder.graph(outputs: [try f.node()]).infixLines()[0].dropFirst(4))
    #expect("\(exp(p) * q)" == "q*exp(p)")
    let graph = try f.graph()
    #expect("\(graph)" == graph.listing)
    let a = try g.variable("A", [2]), b = try g.variable("B", [3])
    #expect("\(a + b)".hasPrefix("<failed: add: operand shapes 2 and 3"))
  }

  @Test func checkGradientsTakesScalarsByName() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let report = try checkGradients(of: sin(x) * y + exp(x * y), at: ["x": 0.3, "y": -0.7])
    #expect(report.errors.allSatisfy { $0 < 1e-6 })
  }

  @Test func sumOfOneTensorReduces() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 2])
    #expect(a.shape == [2, 2])
    #expect(sum(a).shape == [])
    #expect(
      try sum(a).graph().evaluate(["A": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])])[0]
        == Tensor(10))
  }

  @Test func mixingBuildersIsAnError() throws {
    let x = try GraphBuilder().variable("x"), y = try GraphBuilder().variable("y")
    let mixed = x + y
    #expect(throws: GraphError.mixedBuilders(op: "add")) { try mixed.node() }
    #expect(throws: GraphError.mixedBuilders(op: "graph")) { try x.graph(with: [y]) }
    #expect(throws: GraphError.mixedBuilders(op: "gradient")) { try gradient(of: x, wrt: [y]) }
  }

  @Test func gradientWithRespectToANonVariableIsAnError() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    #expect(throws: GraphError.notAVariable("'2*x'")) { try gradient(of: x * x, wrt: [2 * x]) }
    #expect(
      GraphError.notAVariable("'2*x'").description
        == "cannot differentiate with respect to '2*x': it is not a variable; differentiate with "
        + "respect to the variables it is built from")
    #expect(try gradient(of: x * x, wrt: [x]).count == 1)
  }

  @Test func wrongNumberOfNamesIsAnError() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    #expect(throws: GraphError.nameCount(names: 1, outputs: 2)) {
      try x.graph(names: ["f"], with: [exp(x)])
    }
  }

  @Test func unboundVariableSpeaksTheLibrarysLanguage() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let program = try Program(exp(x).graph())
    #expect(throws: GraphError.unboundVariable("x")) { try program.evaluate([String: Double]()) }
    #expect(!GraphError.unboundVariable("x").description.contains("--"))
  }
}
