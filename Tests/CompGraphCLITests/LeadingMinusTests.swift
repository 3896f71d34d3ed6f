import Foundation
import Testing

/// An expression that starts with `-`, and `--` before the expression.
@Suite struct LeadingMinusTests {
  @Test func evalReadsALeadingMinus() throws {
    #expect(
      try compgraph("eval", "-tanh(x)^2 + 1", "--at", "x=0")
        == Run(status: 0, stdout: "f = 1\n", stderr: ""))
    #expect(
      try compgraph("eval", "-2*x", "--at", "x=3") == Run(status: 0, stdout: "f = -6\n", stderr: "")
    )
    #expect(
      try compgraph("eval", "- x", "--at", "x=3") == Run(status: 0, stdout: "f = -3\n", stderr: ""))
    #expect(
      try compgraph("eval", "-(x)", "--at", "x=3") == Run(status: 0, stdout: "f = -3\n", stderr: "")
    )
  }

  @Test func gradReadsALeadingMinus() throws {
    #expect(
      try compgraph("grad", "-sin(x)", "--wrt", "x")
        == Run(status: 0, stdout: "∂f/∂x = -cos(x)\n", stderr: ""))
  }

  /// What `grad` prints reads back as input.
  @Test func gradOutputReadsBack() throws {
    let printed = try compgraph("grad", "tanh(x)", "--wrt", "x").stdout
    let derivative = try #require(printed.split(separator: "=", maxSplits: 1).last)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(derivative == "-tanh(x)^2 + 1")
    #expect(
      try compgraph("grad", derivative, "--wrt", "x")
        == Run(status: 0, stdout: "∂f/∂x = tanh(x)*(2*tanh(x)^2 - 2)\n", stderr: ""))
  }

  @Test func doubleDashBeforeTheExpressionWithOptionsAfter() throws {
    #expect(
      try compgraph("eval", "--", "-x", "--at", "x=2")
        == Run(status: 0, stdout: "f = -2\n", stderr: ""))
    #expect(
      try compgraph("eval", "--at", "x=2", "--", "-x")
        == Run(status: 0, stdout: "f = -2\n", stderr: ""))
    #expect(
      try compgraph("print", "--", "x*2")
        == Run(status: 0, stdout: try compgraph("print", "x*2").stdout, stderr: ""))
  }

  @Test func shortOptionsStayOptions() throws {
    #expect(try compgraph("eval", "-h").stdout.contains("USAGE"))
    #expect(
      try compgraph("eval", "-f", "-", "--at", "x=2", input: "out f = -x\n")
        == Run(status: 0, stdout: "f = -2\n", stderr: ""))
  }
}

/// `.cg` programs on the command line: `-f -`, warnings on standard error.
@Suite struct ProgramFileTests {
  @Test func unusedLetWarnsOnStandardErrorAndStillRuns() throws {
    #expect(
      try compgraph("eval", "-f", "-", "--at", "x=2", input: "let unused = x\nout f = x * 3\n")
        == Run(
          status: 0, stdout: "f = 6\n",
          stderr: "<stdin>:1:5: warning: 'unused' is never used\nlet unused = x\n    ^\n"))
  }

  @Test func undeclaredNameInADeclaringProgram() throws {
    let run = try compgraph(
      "eval", "-f", "-", "--at", "hidden=[1,2,3]", input: "var hidden: 3\nout f = sum(hiden * 2)\n")
    #expect(run.status == 1)
    #expect(
      run.stderr.hasPrefix("<stdin>:2:13: error: unknown name 'hiden' — did you mean 'hidden'?"))
  }
}
