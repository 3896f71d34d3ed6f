import Foundation
import Testing

/// `compgraph grad`, `simplify` and `--help`.
@Suite struct GradCommandTests {
  @Test func derivativesAsText() throws {
    #expect(
      try compgraph("grad", "x * y + exp(x + 3)", "--wrt", "x,y", "--order", "2")
        == Run(
          status: 0,
          stdout: """
            ∂f/∂x = y + exp(x + 3)
            ∂f/∂y = x
            ∂²f/∂x² = exp(x + 3)
            ∂²f/∂x∂y = 1
            ∂²f/∂y² = 0

            """, stderr: ""))
    #expect(
      try compgraph("grad", "x^3 - 2*x", "--wrt", "x")
        == Run(status: 0, stdout: "∂f/∂x = 3*x^2 - 2\n", stderr: ""))
  }

  @Test func errors() throws {
    #expect(
      try compgraph("grad", "sqr(x)", "--wrt", "x")
        == Run(
          status: 1, stdout: "",
          stderr: "1:1: error: unknown function 'sqr' — did you mean 'sqrt'?\nsqr(x)\n^\n"))
    // A derivative tensor past DerivativeTower.maxElements is refused before it is built.
    #expect(
      try compgraph("grad", "sum(A^3)", "--var", "A=100x100", "--wrt", "A", "--order", "3")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: the derivatives of order 2 would hold a tensor of shape "
            + "100x100x100x100 (100,000,000 elements), more than the 16,777,216 a "
            + "derivative may hold; ask for a lower order, or differentiate with respect to fewer "
            + "elements (slice the variable, or take sum() of the output)\n"
        ))
    #expect(try compgraph("grad", "x").status == 2)
    #expect(try compgraph("grad", "x", "--wrt", "x,x").status == 2)
    #expect(try compgraph("grad", "x", "--wrt", "1x").status == 2)
  }

  @Test func simplifyPrintsTheExpression() throws {
    #expect(
      try compgraph("simplify", "x*y + exp(x + 3)")
        == Run(
          status: 0,
          stdout:
            "f = x*y + exp(x + 3)\n# 7 nodes, 7 edges, 4 operations → 7 nodes, 7 edges, 4 operations\n",
          stderr: ""))
  }

  @Test(arguments: ["render", "grad", "eval", "simplify", "print", "gallery"])
  func helpShowsAnExample(command: String) throws {
    let run = try compgraph(command, "--help")
    #expect(run.status == 0)
    #expect(
      run.stdout.contains("Example:\n  compgraph ")
        || run.stdout.contains("Example:\n  swift run compgraph "))
  }
}
