import Foundation
import Testing

@testable import CompGraph

/// `Graph.risks(in:order:)`: each kind of risk found on a small expression,
/// with the order it appears at and the sub-interval that triggers it, and
/// nothing reported on safe expressions.
@Suite struct RiskTests {
  /// The risks of `source` (parsed) with every variable in `domain`.
  static func risks(
    _ source: String, _ domain: [String: Interval], order: Int = 1,
    declarations: [String: Shape] = [:]
  ) throws -> [Risk] {
    let graph = try parseProgram(source, declarations: declarations, into: GraphBuilder()).graph()
    return try graph.risks(in: domain, order: order)
  }

  struct Row: CustomTestStringConvertible, Sendable {
    let source: String
    let domain: Interval
    let kind: Risk.Kind
    let expression: String
    let order: Int
    /// Where it triggers (on x), to the bisection's resolution.
    let trigger: Interval
    var testDescription: String { "\(kind.rawValue): \(source) on x in \(domain)" }
  }

  static let rows: [Row] = [
    Row(
      source: "ln(x - 0.5)", domain: Interval(0, 1), kind: .logOfNonPositive,
      expression: "ln(x - 0.5)", order: 0, trigger: Interval(0, 0.5)),
    Row(
      source: "sqrt(x - 0.25)", domain: Interval(0, 1), kind: .rootOfNegative,
      expression: "sqrt(x - 0.25)", order: 0, trigger: Interval(0, 0.25)),
    Row(
      source: "(0.75 - x)^1.5", domain: Interval(0, 1), kind: .rootOfNegative,
      expression: "(-x + 0.75)^1.5", order: 0, trigger: Interval(0.75, 1)),
    Row(
      source: "sqrt(x)", domain: Interval(0, 1), kind: .infiniteDerivative,
      expression: "sqrt(x)", order: 0, trigger: Interval(0, 0)),
    Row(
      source: "x^1.5", domain: Interval(0, 2), kind: .infiniteDerivative,
      expression: "sqrt(x)", order: 1, trigger: Interval(0, 0)),
    Row(
      source: "1/(x - 0.3)", domain: Interval(0, 1), kind: .divisionByZero,
      expression: "1/(x - 0.3)", order: 0, trigger: Interval(0.3, 0.3)),
    Row(
      source: "exp(2*x)", domain: Interval(0, 1000), kind: .expOverflow,
      expression: "exp(2*x)", order: 0, trigger: Interval(354.891356446692, 1000)),
  ]

  @Test(arguments: rows) func eachKindIsFoundWhereItTriggers(_ row: Row) throws {
    let found = try Self.risks(row.source, ["x": row.domain], order: 1)
      .filter { $0.kind == row.kind }
    let risk = try #require(found.first, "no \(row.kind) in \(row.source)")
    #expect(risk.expression == row.expression)
    #expect(risk.order == row.order)
    let trigger = try #require(risk.triggers.first)
    #expect(trigger.variable == "x")
    let slack = row.domain.width * 1e-8
    #expect(abs(trigger.range.lower - row.trigger.lower) <= slack, "\(trigger.range)")
    #expect(abs(trigger.range.upper - row.trigger.upper) <= slack, "\(trigger.range)")
  }

  @Test(arguments: [
    "sqrt(x^2 + 1)", "ln(exp(x) + 1)", "sigmoid(x)", "softplus(x)", "ln(x^2 - 2*x + 2)",
    "x/sqrt(x*x + 1)", "(x^2 + 1)^1.5", "ln(cos(x) + 2)", "tanh(x)^2",
  ])
  func safeExpressionsHaveNone(_ source: String) throws {
    #expect(try Self.risks(source, ["x": Interval(-10, 10)], order: 3).isEmpty)
  }

  @Test func everyOrderIsCheckedAndNamed() throws {
    // √x: ∞ slope at 0 (order 0); ½x^−½ divides by 0 (order 1), and so on.
    let risks = try Self.risks("sqrt(x)", ["x": Interval(0, 4)], order: 2)
    #expect(
      risks.map(\.description) == [
        "order 0: sqrt(x): infinite derivative (root at 0), for x = 0",
        "order 1: 1/x^0.5: division by an interval containing 0, for x = 0",
        "order 2: 1/x^1.5: division by an interval containing 0, for x = 0",
      ])
    #expect(try Self.risks("sqrt(x)", ["x": Interval(0, 4)], order: 0).count == 1)
  }

  @Test func triggersNameEachVariableTheNodeDependsOn() throws {
    let risks = try Self.risks(
      "ln(x - y) + exp(z)", ["x": Interval(0, 1), "y": Interval(0.5, 2), "z": Interval(0, 1)],
      order: 0)
    #expect(risks.count == 1)
    let triggers = try #require(risks.first).triggers
    #expect(triggers.map(\.variable) == ["x", "y"])
    #expect(triggers[0].range == Interval(0, 1))  // some y ≥ x for every x
    #expect(triggers[1].range == Interval(0.5, 2))
  }

  @Test func infiniteDomainsAreSearchedByDoubling() throws {
    let risk = try #require(try Self.risks("exp(x)", ["x": .whole], order: 0).first)
    #expect(risk.kind == .expOverflow)
    let range = try #require(risk.triggers.first).range
    #expect(abs(range.lower - log(Double.greatestFiniteMagnitude)) < 1e-6)
    #expect(range.upper == .infinity)
  }

  @Test func tensorExpressionsAreSummedBeforeDifferentiating() throws {
    let risks = try Self.risks(
      "ln(sum(A*A))", ["A": Interval(-1, 1)], order: 1, declarations: ["A": [3]])
    #expect(risks.map(\.kind) == [.logOfNonPositive, .divisionByZero])
    #expect(risks.map(\.order) == [0, 1])
  }

  @Test func badDomainsAreErrorsThatSayHowToFixThem() throws {
    #expect(
      throws: GraphError.unsupported(
        "the domain gives no range for 'y'; give one, e.g. y=-1..1 (or -inf..inf for every value)"
      )
    ) { try Self.risks("x + y", ["x": Interval(0, 1)]) }
    #expect(
      throws: GraphError.unsupported(
        "the domain gives a range for 'z', but the expression has no variable of that name (its variables are 'x')"
      )
    ) { try Self.risks("x", ["x": Interval(0, 1), "z": Interval(0, 1)]) }
    #expect(
      throws: GraphError.unsupported(
        "the range 1..0 of 'x' is empty; write the lower end first"
      )
    ) { try Self.risks("x", ["x": Interval(1, 0)]) }
    #expect(
      throws: GraphError.unsupported(
        "derivatives of order 2 need scalar variables, but 'A' has shape 3; use order 1"
      )
    ) { try Self.risks("sum(A)", ["A": Interval(0, 1)], order: 2, declarations: ["A": [3]]) }
  }

  @Test func aMillionDeepChainIsChecked() throws {
    let g = GraphBuilder()
    let x = try g.variableNode("x")
    var y = x
    for _ in 0..<1_000_000 { y = try g.node(.tanh, [y]) }
    y = try g.node(.ln, [y])
    let risks = try g.graph(outputs: [y]).risks(in: ["x": Interval(-1, 1)], order: 0)
    #expect(risks.map(\.kind) == [.logOfNonPositive])
    #expect(risks[0].expression.hasPrefix("ln(tanh(tanh("))
    #expect(risks[0].expression.hasSuffix("…"))
  }
}
