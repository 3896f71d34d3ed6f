import Foundation
import Testing

/// `compgraph render` draws the scopes a `.cg` program names as clusters.
@Suite struct ScopeRenderTests {
  @Test func scopesBecomeNestedClusters() throws {
    let program = """
      var x: 4x2, W1: 2x3, W2: 3x1
      scope net {
        scope layer1 {
          let h = tanh(matmul(x, W1))
        }
        let y = matmul(h, W2)
      }
      out loss = sum(y * y)
      """
    let run = try compgraph("render", "-f", "-", "--format", "dot", input: program)
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    let net = try #require(lines.firstIndex { $0 == "    label=\"net\"" })
    let layer1 = try #require(lines.firstIndex { $0 == "      label=\"layer1\"" })
    #expect(net < layer1)
    // tanh sits inside layer1's cluster, the loss's sum outside every cluster.
    #expect(lines.contains { $0.hasPrefix("      n") && $0.contains("label=\"tanh") })
    #expect(lines.contains { $0.hasPrefix("  n") && $0.contains("label=\"Σ") })
  }

  @Test func anUnclosedScopeIsAnError() throws {
    let run = try compgraph("render", "-f", "-", "--format", "dot", input: "scope a {\nx + 1\n")
    #expect(run.status == 1)
    #expect(run.stderr.contains("scope 'a' opened at 1:7 is never closed: expected '}'"))
  }
}
