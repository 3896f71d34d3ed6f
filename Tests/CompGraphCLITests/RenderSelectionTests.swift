import Foundation
import Testing

/// Choosing what `render` draws, and how.
@Suite struct RenderSelectionTests {
  /// The output tags (`outK [… label="NAME" …]`) in DOT text, in order.
  private func tags(_ dot: String) -> [String] {
    dot.split(separator: "\n").filter { $0.contains("  out") && $0.contains("plaintext") }
      .compactMap {
        line in
        guard let start = line.range(of: "label=\"")?.upperBound else { return nil }
        return String(line[start...].prefix { $0 != "\"" })
      }
  }

  @Test func onlyOneOrder() throws {
    let run = try compgraph(
      "render", "x*y + exp(x)", "--grad", "x,y", "--order", "2", "--only-order", "--format", "dot")
    #expect(run.status == 0)
    #expect(tags(run.stdout) == ["∂²f/∂x²", "∂²f/∂x∂y", "∂²f/∂y²"])
  }

  @Test func chosenDerivatives() throws {
    let run = try compgraph(
      "render", "sin(a*b) + exp(c/d)", "--derivative", "a,b", "--derivative", "c,c,d",
      "--format", "dot")
    #expect(run.status == 0)
    #expect(tags(run.stdout) == ["∂²f/∂a∂b", "∂³f/∂c²∂d"])
    #expect(try compgraph("render", "x", "--grad", "x", "--derivative", "x").status == 2)
    #expect(
      try compgraph("render", "x", "--derivative", "y").stderr
        == "compgraph: error: --derivative y: the expression has no variable 'y'\n")
  }

  @Test func chosenOutputs() throws {
    let program = "out loss = x^2\nout penalty = 3*y\n"
    let run = try compgraph(
      "render", "-f", "-", "--outputs", "loss", "--grad", "x", "--format", "dot", input: program)
    #expect(tags(run.stdout) == ["loss", "∂loss/∂x"])
    #expect(
      try compgraph("render", "-f", "-", "--outputs", "los", input: program).stderr
        == "compgraph: error: --outputs: the program has no output 'los'; its outputs are 'loss', 'penalty'\n"
    )
  }

  @Test func rankDirectionAndClusters() throws {
    let run = try compgraph(
      "render", "x*y", "--grad", "x", "--rankdir", "LR", "--clusters", "--format", "dot")
    #expect(run.stdout.contains("rankdir=\"LR\""))
    #expect(run.stdout.contains("subgraph \"cluster_0\""))
    #expect(run.stdout.contains("subgraph \"cluster_1\""))
    #expect(try compgraph("render", "x", "--rankdir", "XY").status == 2)
  }

  /// Width and height of a PNG, from its IHDR chunk.
  private func pngSize(_ path: String) throws -> (Int, Int) {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let word = { (i: Int) in bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (word(16), word(20))
  }

  @Test func dpiScalesPNG() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let low = directory.appendingPathComponent("low.png").path
    let high = directory.appendingPathComponent("high.png").path
    #expect(try compgraph("render", "tanh(x)", "--dpi", "72", "-o", low).status == 0)
    #expect(try compgraph("render", "tanh(x)", "--dpi", "216", "-o", high).status == 0)
    let (lw, lh) = try pngSize(low), (hw, hh) = try pngSize(high)
    #expect(abs(Double(hw) / Double(lw) - 3) < 0.1)
    #expect(abs(Double(hh) / Double(lh) - 3) < 0.1)
    #expect(try compgraph("render", "x", "--dpi", "0", "-o", low).status == 2)
  }

  @Test func progressGoesToStandardError() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try compgraph(
      "render", "x*y", "--progress-after", "0", "-o", directory.appendingPathComponent("a.svg").path
    )
    #expect(run.status == 0)
    #expect(run.stderr == "compgraph: laying out 3 nodes with dot… 0 s\n")
  }
}
