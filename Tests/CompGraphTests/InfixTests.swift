import Testing

@testable import CompGraph

@Suite struct InfixTests {
  /// Parses `source` and prints its output back.
  func roundTrip(_ source: String, _ shapes: [String: Shape] = [:]) throws -> String {
    let graph = try parseProgram(source, declarations: shapes, into: GraphBuilder()).graph()
    return graph.infix(of: graph.outputs[0])
  }

  @Test(arguments: [
    ("x + y", "x + y"),
    ("x - y", "x - y"),
    ("3 + x", "x + 3"),
    ("x*y*z", "x*y*z"),
    ("-x", "-x"),
    ("-x^2", "-x^2"),
    ("(-x)^2", "(-x)^2"),
    ("x^2", "x^2"),
    ("(x^2)^3", "(x^2)^3"),
    ("x^0.5", "x^0.5"),
    ("1/x", "1/x"),
    ("x/y", "x/y"),
    ("x/y^2", "x/y^2"),
    ("x/(y*z)", "x/(y*z)"),
    ("x/(y + z)", "x/(y + z)"),
    ("2*x", "2*x"),
    ("x*2", "2*x"),
    ("-2*x", "-2*x"),
    ("a - 2*x", "a - 2*x"),
    ("a - x*y", "a - x*y"),
    ("a - (x + y)", "a - (x + y)"),
    ("(a + b)*(c + d)", "(a + b)*(c + d)"),
    ("exp(x + 3)", "exp(x + 3)"),
    (
      "sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3",
      "0.3333333333333333*sqrt(p + p + q) + ln(p*p*q) + 3"
    ),
    ("x * y + exp(x + 3)", "x*y + exp(x + 3)"),
    ("1 / (1 + exp(-(w*a + b)))", "1/(exp(-(w*a + b)) + 1)"),
    ("x - 1", "x - 1"),
    ("2^x", "2^x"),
  ])
  func scalarGoldens(source: String, expected: String) throws {
    let printed = try roundTrip(source)
    #expect(printed == expected, "printed \(printed)")
  }

  @Test func tensorOps() throws {
    #expect(
      try roundTrip("matmul(A, B)", ["A": [2, 3], "B": [3, 4]]) == #"einsum("ij,jk->ik", A, B)"#)
    #expect(try roundTrip("sum(v*v)", ["v": [3]]) == "sum(v*v)")
  }

  @Test func sharedNodesGetLetBindings() throws {
    let graph = try parseProgram("sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3", into: GraphBuilder())
      .graph().gradient(wrt: ["p", "q"])
    #expect(
      graph.infixLines(inlineLimit: 0) == [
        "let t1 = sqrt(p + p + q)",
        "let t2 = p*p*q",
        "let t3 = p/t2",
        "let t4 = 0.3333333333333333*0.5/t1",
        "f = 0.3333333333333333*t1 + ln(t2) + 3",
        "∂f/∂p = p*q/t2 + q*t3 + t4 + t4",
        "∂f/∂q = p*t3 + t4",
      ])
  }

  /// Binding names avoid the graph's own variables.
  @Test func bindingNamesAvoidVariables() throws {
    let graph = try parseProgram("exp(t1 + t2 + 1)*exp(t1 + t2 + 1)", into: GraphBuilder()).graph()
      .gradient(wrt: ["t1"])
    #expect(
      graph.infixLines(sharingThreshold: 4, inlineLimit: 0).first?.hasPrefix("let _t1 = ") == true)
  }

  /// Short outputs are written out in full, with no bindings.
  @Test func shortOutputsAreWrittenOut() throws {
    let graph = try parseProgram("sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3", into: GraphBuilder())
      .graph().gradient(wrt: ["q"])
    #expect(
      graph.infixLines() == [
        "f = 0.3333333333333333*sqrt(p + p + q) + ln(p*p*q) + 3",
        "∂f/∂q = p*p/(p*p*q) + 0.3333333333333333*0.5/sqrt(p + p + q)",
      ])
  }

  /// A million-deep chain prints without recursion.
  @Test func deepChainPrints() throws {
    let g = GraphBuilder()
    var x = try g.variable("x")
    for _ in 0..<1_000_000 { x = sin(x) }
    let graph = try x.graph()
    let text = graph.infix(of: graph.outputs[0])
    #expect(text.utf8.count == 5 * 1_000_000 + 1)
  }
}
