import Testing

@testable import CompGraph

@Suite struct DOTEncoderTests {
  /// f = 2·eˣ (order 0) and a hand-written ∂f/∂p-like output eˣ·cos p (order 1).
  private func expGraph() throws -> Graph {
    let g = GraphBuilder()
    let p = try g.variable("p")
    let e = exp(p)
    return try (e * 2).graph(names: ["f", "∂f/∂p"], with: [e * cos(p)])
  }

  private let header = """
    graph [fontname="Helvetica", nodesep="0.3", rankdir="TB", ranksep="0.35"]
      node [fontname="Helvetica", fontsize="12", margin="0.06,0.03"]
      edge [arrowsize="0.6", color="#555555", fontcolor="#555555", fontname="Helvetica", fontsize="9"]
    """

  @Test func einsumOperandsAreLabelledBySubscriptsAndTensorsShowShapes() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 3]), b = try g.variable("B", [3, 4])
    let graph = try tanh(matmul(a, b)).sum().graph(names: ["loss"])
    #expect(
      try DOTEncoder().encode(graph, name: "mm") == """
        digraph "mm" {
          \(header)
          n0 [color="#2f6497", fillcolor="#dbe9f6", label="A\\n2x3", shape="box", style="rounded,filled"]
          n1 [color="#2f6497", fillcolor="#dbe9f6", label="B\\n3x4", shape="box", style="rounded,filled"]
          n2 [color="#444444", fillcolor="#ffffff", label="einsum ij,jk→ik\\n2x4", shape="ellipse", style="filled"]
          n3 [color="#444444", fillcolor="#ffffff", label="tanh\\n2x4", shape="ellipse", style="filled"]
          n4 [color="#444444", fillcolor="#ffffff", label="Σ→scalar", penwidth="2", shape="ellipse", style="filled"]
          n0 -> n2 [label="ij"]
          n1 -> n2 [label="jk"]
          n2 -> n3
          n3 -> n4
          out0 [fontcolor="#a02c2c", label="loss", shape="plaintext"]
          n4 -> out0 [arrowhead="none", style="dashed"]
          { rank = "same"; n4; out0 }
        }

        """)
  }

  @Test func derivativeNodesAreColouredByOrderWithALegend() throws {
    let options = DOTEncoder.Options(rankDirection: .leftToRight, outputOrders: [0, 1])
    #expect(
      try DOTEncoder(options: options).encode(expGraph(), name: "exp") == """
        digraph "exp" {
          \(header.replacingOccurrences(of: "\"TB\"", with: "\"LR\""))
          n0 [color="#2f6497", fillcolor="#dbe9f6", label="p", shape="box", style="rounded,filled"]
          n1 [color="#444444", fillcolor="#ffffff", label="exp", shape="circle", style="filled"]
          n3 [color="#444444", fillcolor="#ffffff", label="× 2", penwidth="2", shape="circle", style="filled"]
          n4 [color="#444444", fillcolor="#fbd9b5", label="cos", shape="circle", style="filled"]
          n5 [color="#444444", fillcolor="#fbd9b5", label="×", penwidth="2", shape="circle", style="filled"]
          n0 -> n1
          n1 -> n3
          n0 -> n4
          n1 -> n5
          n4 -> n5
          out0 [fontcolor="#a02c2c", label="f", shape="plaintext"]
          n3 -> out0 [arrowhead="none", style="dashed"]
          { rank = "same"; n3; out0 }
          out1 [fontcolor="#a02c2c", label="∂f/∂p", shape="plaintext"]
          n5 -> out1 [arrowhead="none", style="dashed"]
          { rank = "same"; n5; out1 }
          legend [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr><td><b>derivative order</b></td></tr><tr><td bgcolor="#ffffff">original</td></tr><tr><td bgcolor="#fbd9b5">∂ (order 1)</td></tr></table>>, shape="plain"]
        }

        """)
  }

  @Test func unfoldedScalarConstantsAreGreyBoxes() throws {
    let options = DOTEncoder.Options(foldsScalarConstants: false)
    #expect(
      try DOTEncoder(options: options).encode(expGraph(), name: "exp") == """
        digraph "exp" {
          \(header)
          n0 [color="#2f6497", fillcolor="#dbe9f6", label="p", shape="box", style="rounded,filled"]
          n1 [color="#444444", fillcolor="#ffffff", label="exp", shape="circle", style="filled"]
          n2 [color="#8a8a8a", fillcolor="#eeeeee", label="2", shape="box", style="filled"]
          n3 [color="#444444", fillcolor="#ffffff", label="×", penwidth="2", shape="circle", style="filled"]
          n4 [color="#444444", fillcolor="#ffffff", label="cos", shape="circle", style="filled"]
          n5 [color="#444444", fillcolor="#ffffff", label="×", penwidth="2", shape="circle", style="filled"]
          n0 -> n1
          n1 -> n3
          n2 -> n3
          n0 -> n4
          n1 -> n5
          n4 -> n5
          out0 [fontcolor="#a02c2c", label="f", shape="plaintext"]
          n3 -> out0 [arrowhead="none", style="dashed"]
          { rank = "same"; n3; out0 }
          out1 [fontcolor="#a02c2c", label="∂f/∂p", shape="plaintext"]
          n5 -> out1 [arrowhead="none", style="dashed"]
          { rank = "same"; n5; out1 }
        }

        """)
  }

  @Test func constantsUsedByNonCommutativeOpsStayNodes() throws {
    let g = GraphBuilder()
    let graph = try (exp(g.constant(1.0 / 3)) + g.constant(1.0 / 3)).graph()
    let dot = try DOTEncoder().encode(graph, name: "c")
    #expect(
      dot.contains(##"n0 [color="#8a8a8a", fillcolor="#eeeeee", label="0.3333", shape="box""##))
    #expect(dot.contains(#"n0 -> n1"#) && dot.contains(#"n0 -> n2"#))
  }

  @Test func valuesAndAdjointsDrawRecords() throws {
    let options = DOTEncoder.Options(
      values: [NodeID(0): Tensor(0.5), NodeID(1): Tensor(shape: [5], scalars: [1, 2, 3, 4, 5])],
      adjoints: [NodeID(0): Tensor(3.2974425414002564)])
    let dot = try DOTEncoder(options: options).encode(expGraph(), name: "exp")
    #expect(
      dot.contains(
        ##"n0 [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr><td bgcolor="#dbe9f6">p</td><td>value 0.5</td><td>adjoint 3.297</td></tr></table>>, shape="plain"]"##
      ))
    #expect(dot.contains(##"<td bgcolor="#ffffff">exp</td><td>value [1, 2, 3, 4, …]</td></tr>"##))
  }

  @Test func namesAndLabelsAreEscaped() throws {
    #expect(DOTSyntax.quoted("a\"b\\c\nd\re") == #""a\"b\\c\nde""#)
    #expect(DOTSyntax.htmlEscaped("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
    let g = GraphBuilder()
    let graph = try (g.variable("x\"y") * 2).graph(names: ["say \"hi\""])
    let dot = try DOTEncoder().encode(graph, name: #"a "quoted" \ name"#)
    #expect(dot.hasPrefix(#"digraph "a \"quoted\" \\ name" {"#))
    #expect(dot.contains(#"label="x\"y""#) && dot.contains(#"label="say \"hi\"""#))
  }

  @Test func nodeLimitRefusesLargeGraphsWithAdvice() throws {
    let options = DOTEncoder.Options(nodeLimit: 3)
    // p, eˣ, 2·eˣ (the 2 written into it), cos p, eˣ·cos p: five drawn nodes.
    #expect(throws: RenderError.tooLarge(nodes: 5, limit: 3, layout: nil)) {
      try DOTEncoder(options: options).encode(expGraph())
    }
    let message = RenderError.tooLarge(nodes: 6, limit: 3, layout: nil).description
    #expect(message.contains("6 nodes") && message.contains("sfdp"))
  }

  /// ARCHITECTURE.md invariant 8: the same graph gives byte-identical DOT text.
  @Test func encodingIsDeterministic() throws {
    let options = DOTEncoder.Options(outputOrders: [0, 1], values: [NodeID(0): Tensor(1)])
    let first = try DOTEncoder(options: options).encode(expGraph())
    for _ in 0..<5 { #expect(try DOTEncoder(options: options).encode(expGraph()) == first) }
  }
}
