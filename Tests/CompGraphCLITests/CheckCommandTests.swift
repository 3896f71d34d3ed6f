import Foundation
import Testing

/// `compgraph check`: one line per risky spot, exit 1 when there is one,
/// 0 when clean, JSON for tools, and clear errors.
@Suite struct CheckCommandTests {
  @Test func risksAreListedOneALineWithExitCode1() throws {
    #expect(
      try compgraph("check", "ln(x - 0.5) + sqrt(x)", "--domain", "x=0..1")
        == Run(
          status: 1,
          stdout: """
            order 0: ln(x - 0.5): ln of a number ≤ 0, for x in [0, 0.5]
            order 0: sqrt(x): infinite derivative (root at 0), for x = 0
            order 1: 1/(x - 0.5): division by an interval containing 0, for x = 0.5
            order 1: 1/x^0.5: division by an interval containing 0, for x = 0

            """, stderr: ""))
  }

  @Test func safeExpressionsAreCleanWithExitCode0() throws {
    for expression in ["sqrt(x^2 + 1)", "ln(exp(x) + 1)"] {
      #expect(
        try compgraph("check", expression, "--domain", "x=-10..10", "--order", "3")
          == Run(status: 0, stdout: "no risky spot up to order 3 for x in [-10, 10]\n", stderr: ""))
    }
  }

  @Test func orderZeroChecksTheExpressionOnly() throws {
    let run = try compgraph("check", "x^1.5", "--domain", "x=0..1", "--order", "0")
    #expect(run.status == 0)
    #expect(try compgraph("check", "x^1.5", "--domain", "x=0..1").status == 1)
  }

  @Test func jsonListsKindOrderExpressionAndWhere() throws {
    let run = try compgraph(
      "check", "exp(x) * y", "--domain", "x=0..1000", "--domain", "y=-1..1", "--order", "0",
      "--json")
    #expect(
      run
        == Run(
          status: 1,
          stdout: #"{"clean": false, "order": 0, "domain": {"x": [0, 1000], "y": [-1, 1]}, "#
            + #""risks": [{"kind": "exp-overflow", "order": 0, "expression": "exp(x)", "#
            + #""message": "exp overflows (argument above 709.78)", "where": {"x": [709.782712, 1000]}}]}"#
            + "\n", stderr: ""))
    #expect(
      try compgraph("check", "x", "--domain", "x=-inf..inf", "--json")
        == Run(
          status: 0,
          stdout: #"{"clean": true, "order": 1, "domain": {"x": ["-inf", "inf"]}, "risks": []}"#
            + "\n", stderr: ""))
  }

  @Test func badDomainsAreErrors() throws {
    #expect(
      try compgraph("check", "x + y", "--domain", "x=0..1")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: the domain gives no range for 'y'; give one, e.g. y=-1..1 (or -inf..inf for every value)\n"
        ))
    let reversed = try compgraph("check", "x", "--domain", "x=1..0")
    #expect(reversed.status == 2)
    #expect(
      reversed.stderr.contains("--domain x=1..0: the range is empty; write the lower end first"))
    let malformed = try compgraph("check", "x", "--domain", "x=0-1")
    #expect(malformed.status == 2)
    #expect(malformed.stderr.contains("The value 'x=0-1' is invalid for '--domain <name=lo..hi>'"))
  }
}
