import Foundation
import Testing

/// End-to-end: runs the built `compgraph` and compares its output and exit
/// code with literals.
@Suite struct CLITests {
  @Test func version() throws {
    #expect(try compgraph("--version") == Run(status: 0, stdout: "0.1.0\n", stderr: ""))
  }

  @Test func printListsTheGraph() throws {
    let run = try compgraph("print", "exp(x) * y")
    #expect(
      run
        == Run(
          status: 0,
          stdout: """
            { lambda x:f64[] y:f64[] ; let
                %1:f64[] = exp x
                %3:f64[] = mul %1 y
              in (f=%3) }
            # 4 nodes, 3 edges, 2 operations

            """, stderr: ""))
  }

  @Test func evalScalarsAndTensors() throws {
    #expect(
      try compgraph("eval", "x*y + 1", "--at", "x=2", "--at", "y=3")
        == Run(status: 0, stdout: "f = 7\n", stderr: ""))
    let tensors = try compgraph(
      "eval", "sum(A*v)", "--var", "A=2x3", "--var", "v=3", "--at", "A=1,2,3,4,5,6", "--at",
      "v=1,0,1")
    #expect(tensors == Run(status: 0, stdout: "f = 14\n", stderr: ""))
  }

  @Test func programFromStandardInput() throws {
    let program = """
      var A: 2x2   # a matrix
      out t = trace(A)
      out s = sum(A^2)
      """
    #expect(
      try compgraph("eval", "-", "--at", "A=1,2,3,4", input: program)
        == Run(status: 0, stdout: "t = 5\ns = 30\n", stderr: ""))
  }

  @Test func programFile() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-cli-test-\(UUID()).cg")
    try "let y = x^2\n\nout g = y + sqr(x)\n".write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(
      try compgraph("print", "-f", url.path)
        == Run(
          status: 1, stdout: "",
          stderr: """
            \(url.path):3:13: error: unknown function 'sqr' — did you mean 'sqrt'?
            out g = y + sqr(x)
                        ^

            """))
  }

  @Test func userErrorsExitWithOne() throws {
    #expect(
      try compgraph("eval", "x * (y + 1")
        == Run(
          status: 1, stdout: "",
          stderr: """
            1:11: error: '(' at 1:5 is never closed: expected ')'
            x * (y + 1
                      ^

            """))
    #expect(
      try compgraph("eval", "x*y", "--at", "x=1")
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: variable 'y' has no value; bind it with --at y=1.5\n"))
    #expect(
      try compgraph("eval", "sum(v)", "--var", "v=3", "--at", "v=1,2")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: --at v: variable 'v' has shape 3 (3 value(s)) but 2 were given\n"))
    #expect(
      try compgraph("print", "-f", "/nonexistent/model.cg")
        == Run(
          status: 1, stdout: "", stderr: "compgraph: error: cannot read '/nonexistent/model.cg'\n"))
  }

  @Test func usageErrorsExitWithTwo() throws {
    #expect(try compgraph("print").status == 2)
    #expect(try compgraph("print", "x", "-f", "model.cg").status == 2)
    #expect(try compgraph("print", "x", "--var", "A=2xx3").status == 2)
    #expect(try compgraph("eval", "x", "--at", "x=one").status == 2)
    #expect(try compgraph("frobnicate").status == 2)
  }
}
