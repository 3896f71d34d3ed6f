import Foundation
import Testing

/// `compgraph render`: formats, destinations, refusals.
@Suite struct RenderCommandTests {
  @Test func dotGoesToStandardOutput() throws {
    #expect(
      try compgraph("render", "x + y", "--format", "dot")
        == Run(
          status: 0,
          stdout: """
            digraph "compgraph" {
              graph [fontname="Helvetica", nodesep="0.3", rankdir="TB", ranksep="0.35"]
              node [fontname="Helvetica", fontsize="12", margin="0.06,0.03"]
              edge [arrowsize="0.6", color="#555555", fontcolor="#555555", fontname="Helvetica", fontsize="9"]
              n0 [color="#2f6497", fillcolor="#dbe9f6", label="x", shape="box", style="rounded,filled"]
              n1 [color="#2f6497", fillcolor="#dbe9f6", label="y", shape="box", style="rounded,filled"]
              n2 [color="#444444", fillcolor="#ffffff", label="+", penwidth="2", shape="circle", style="filled"]
              n0 -> n2
              n1 -> n2
              out0 [fontcolor="#a02c2c", label="f", shape="plaintext"]
              n2 -> out0 [arrowhead="none", style="dashed"]
              { rank = "same"; n2; out0 }
            }

            """, stderr: ""))
  }

  @Test func textIsTheListingOfTheGradientGraph() throws {
    #expect(
      try compgraph("render", "x*y", "--grad", "x", "--format", "text")
        == Run(
          status: 0,
          stdout: """
            { lambda x:f64[] y:f64[] ; let
                %2:f64[] = mul x y
              in (f=%2, ∂f/∂x=y) }
            # 3 nodes, 2 edges, 1 operation

            """, stderr: ""))
  }

  @Test func derivativeOutputsAreNamedAndColouredByOrder() throws {
    let run = try compgraph("render", "x^3", "--grad", "x", "--order", "2", "--format", "dot")
    #expect(run.status == 0)
    #expect(run.stdout.contains(#"label="∂²f/∂x²""#))
    #expect(run.stdout.contains(##"<td bgcolor="#cdebc5">∂² (order 2)</td>"##))
  }

  /// f and its derivatives are simplified together, so the e^(−xy) that f
  /// and both partials use is one node, drawn once, as the explorer draws it:
  /// f = e^(−x·y), ∂f/∂x = −y·f, ∂f/∂y = (−x)·f.
  @Test func aSubexpressionSharedAcrossOrdersIsDrawnOnce() throws {
    let run = try compgraph("render", "exp(-x*y)", "--grad", "x,y", "--format", "text")
    #expect(run.status == 0)
    #expect(run.stdout.components(separatedBy: "= exp ").count == 2, "\(run.stdout)")
    #expect(run.stdout.contains("# 8 nodes, 10 edges, 6 operations"), "\(run.stdout)")
  }

  @Test func valuesAndAdjoints() throws {
    let run = try compgraph("render", "x*y", "--at", "x=2", "--at", "y=3", "--format", "dot")
    #expect(run.status == 0)
    #expect(run.stdout.contains("<td>value 2</td><td>adjoint 3</td>"))
    #expect(run.stdout.contains("<td>value 6</td><td>adjoint 1</td>"))
  }

  @Test func svgToStandardOutputAndPNGToAFile() throws {
    let svg = try compgraph("render", "exp(x)")
    #expect(svg.status == 0 && svg.stdout.hasPrefix("<?xml") && svg.stdout.contains("<svg"))
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let png = directory.appendingPathComponent("graph.png")
    #expect(
      try compgraph("render", "exp(x)", "-o", png.path) == Run(status: 0, stdout: "", stderr: ""))
    let bytes = try Data(contentsOf: png)
    #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["graph.png"])
  }

  @Test func binaryFormatToATerminalIsRefused() throws {
    let run = try compgraph("render", "x", "--format", "png", terminal: true)
    #expect(run.status == 2)
    #expect(
      run.stderr.hasPrefix(
        "Error: png is a binary format: write it to a file with -o FILE.png, or redirect standard output.\n"
      ))
  }

  @Test func failedRenderLeavesNoFile() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = directory.appendingPathComponent("missing/graph.svg")
    #expect(
      try compgraph("render", "x", "-o", target.path)
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: cannot write '\(target.path)': the directory "
            + "'\(target.deletingLastPathComponent().path)' does not exist\n"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  /// Past the node limit `render` draws the summary — one node per
  /// derivative order with its size — and says so and what else works.
  @Test func pastTheNodeLimitTheSummaryIsDrawn() throws {
    let run = try compgraph(
      "render", "x*y + exp(x)", "--grad", "x,y", "--max-nodes", "4", "--format", "dot")
    #expect(run.status == 0, "\(run)")
    #expect(
      run.stderr
        == "compgraph: note: the picture would have 6 nodes, more than the limit of 4; drew its "
        + "summary instead, one node per derivative order. --collapse outputs (or scopes) draws "
        + "each output's (or module's) nodes as one node; --max-nodes N raises the limit.\n")
    #expect(
      run.stdout.contains("  o0 [") && run.stdout.contains("  o1 [")
        && !run.stdout.contains("  n0 "))
    #expect(run.stdout.contains("  o0 -> o1\n") && run.stdout.contains("2 outputs: ∂f/∂x, ∂f/∂y"))
    let asked = try compgraph(
      "render", "x*y + exp(x)", "--grad", "x,y", "--summary", "--format", "dot")
    #expect(asked.status == 0 && asked.stderr.isEmpty && asked.stdout == run.stdout)
    let svg = try compgraph("render", "x*y + exp(x)", "--grad", "x,y", "--max-nodes", "4")
    #expect(svg.status == 0 && svg.stdout.hasPrefix("<?xml") && svg.stdout.contains("original"))
  }

  /// `--collapse outputs` draws each output's private operations as one node.
  @Test func collapseDrawsEachOutputAsOneNode() throws {
    let run = try compgraph(
      "render", "sin(x*y)", "--grad", "x,y", "--order", "2", "--collapse", "outputs", "--format",
      "dot")
    #expect(run.status == 0 && run.stderr.isEmpty, "\(run)")
    #expect(
      run.stdout.contains("label=\"∂²f/∂x²\\n2 operations\", shape=\"box3d\""), "\(run.stdout)")
    let both = try compgraph("render", "x", "--clusters", "--collapse", "outputs")
    #expect(both.status == 2 && both.stderr.contains("give one of them"))
    let bad = try compgraph("render", "x", "--collapse", "everything")
    #expect(bad.status == 2 && bad.stderr.contains("outputs") && bad.stderr.contains("scopes"))
  }

  @Test func unknownLayoutAndFormatAreUsageErrors() throws {
    let layout = try compgraph("render", "x", "--layout", "nope")
    #expect(layout.status == 2)
    #expect(
      layout.stderr.hasPrefix("Error: unknown layout 'nope'; use one of: circo, dot, fdp, neato"))
    let format = try compgraph("render", "x", "--format", "gif")
    #expect(format.status == 2)
    #expect(
      format.stderr.hasPrefix(
        "Error: The value 'gif' is invalid for '--format <format>'. Please provide one of 'svg', 'png', 'pdf', 'dot' or 'text'.\n"
      ))
    #expect(try compgraph("render", "x", "--order", "2").status == 2)
  }

  @Test func unknownGradientVariable() throws {
    #expect(
      try compgraph("render", "x*y", "--grad", "z")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: cannot differentiate with respect to 'z': the expression has no "
            + "variable of that name (its variables are 'x', 'y')\n"))
  }
}

/// `-o` names the format by its extension.
@Suite struct OutputExtensionTests {
  @Test func unknownExtensionIsAnErrorListingTheFormats() throws {
    let directory = try temporaryDirectory()
    let jpg = directory.appendingPathComponent("picture.jpg").path
    let run = try compgraph("render", "x", "-o", jpg)
    #expect(run.status == 2)
    #expect(
      run.stderr.contains(
        "'.jpg' is not a format compgraph writes; use one of .svg, .png, .pdf, .dot (or .gv), .txt, or give --format."
      ))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    #expect(try compgraph("render", "x", "-o", jpg, "--format", "svg").status == 0)
    #expect(try String(contentsOfFile: jpg, encoding: .utf8).contains("<svg"))
  }
}
