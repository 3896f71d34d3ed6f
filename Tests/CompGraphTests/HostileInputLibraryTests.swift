import Testing

@testable import CompGraph

/// The library side of the hostile-input report: checked shapes, names
/// that cannot corrupt messages or SVG, one number syntax, display
/// escaping, and einsum reductions that are never materialised.
@Suite struct HostileInputLibraryTests {
  @Test func elementCountsAreChecked() throws {
    #expect([4, 5].checkedElementCount == 20)
    #expect([1 << 20, 1 << 20].checkedElementCount == 1 << 40)
    #expect([1 << 20, (1 << 20) + 1].checkedElementCount == nil)
    #expect([1 << 32, 1 << 32].checkedElementCount == nil)  // overflows Int
    #expect(parseShape("4294967296x4294967296") == nil)
    #expect(parseShape("1048576x1048576") == [1 << 20, 1 << 20])
    let g = GraphBuilder()
    let a = try g.variable("a", [1 << 32, 1]), b = try g.variable("b", [1, 1 << 32])
    #expect(throws: GraphError.shapeTooLarge(op: "add", shape: [1 << 32, 1 << 32])) {
      try (a + b).node()
    }
  }

  @Test func variableNamesWithControlOrInvisibleCharactersAreRejected() throws {
    let g = GraphBuilder()
    for name in ["a\u{1B}[2Jb", "", "x\u{200B}", "\u{FEFF}x", "a\u{0}"] {
      #expect(throws: GraphError.invalidName(name)) { try g.variable(name) }
    }
    #expect(
      GraphError.invalidName("a\u{1B}b").description
        == #"variable name 'a\x1bb' is empty or holds a control or invisible character; "#
        + "name variables with letters, digits and _")
    #expect(try g.variable("x y").node() == (try g.variable("x y").node()))
  }

  @Test func displayTextEscapesAndNames() {
    #expect(displayText("x\u{1B}[2J\r\0") == #"x\x1b[2J\r\0"#)
    #expect(displayText("a\u{200B}b\u{00A0}c\u{202E}d\u{FEFF}") == "aU+200BbU+00A0cU+202EdU+FEFF")
    #expect(displayText("∂f/∂x — tab\there") == "∂f/∂x — tab\there")
    #expect(displayText(String(repeating: "a", count: 100), limit: 3) == "aaa…")
    #expect(describeScalar("\u{200B}") == "U+200B ZERO WIDTH SPACE")
  }

  /// DOT text never carries raw control characters (the SVG stays
  /// well-formed XML), and NaN labels read `nan`.
  @Test func dotTextIsEscaped() {
    #expect(DOTSyntax.quoted("a\u{1B}b\"") == #""a\\x1bb\"""#)
    #expect(DOTSyntax.htmlEscaped("a\u{7}<b") == #"a\x07&lt;b"#)
    #expect(DOTEncoder.short(.nan) == "nan")
    #expect(DOTEncoder.short(-.infinity) == "-inf")
    #expect(DOTEncoder.short(0.5) == "0.5")
  }

  @Test func oneNumberSyntax() {
    #expect(parseNumber("1.5") == 1.5)
    #expect(parseNumber("-2e-3") == -2e-3)
    #expect(parseNumber(".5") == 0.5)
    #expect(parseNumber("inf") == .infinity)
    #expect(parseNumber("-inf") == -.infinity)
    #expect(parseNumber("nan")?.isNaN == true)
    for text in ["0x10", "1e999", "1_000", "1.5.2", "", "-", "e5", "1e", " 1", "+-1"] {
      #expect(parseNumber(text) == nil, "\(text)")
    }
  }

  /// sum(einsum("i,j->ij", a, b)) is evaluated as einsum("i,j->", a, b):
  /// the n×n outer product is never built, and the estimate knows it.
  @Test func reducedOuterProductIsNotMaterialised() throws {
    let n = 3000
    let g = GraphBuilder()
    let a = try g.variable("a", [n]), b = try g.variable("b", [n])
    let f = try einsum("i,j->ij", a, b).sum().graph()
    let (bytes, _) = f.peakMemoryEstimate()
    #expect(bytes < Double(8 * 4 * n))
    let values = (0..<n).map { Double($0 % 7) - 3 }
    let value = try f.evaluate([
      "a": Tensor(shape: [n], scalars: values), "b": Tensor(shape: [n], scalars: values),
    ])
    let total = values.reduce(0, +)
    #expect(value[0].scalars == [total * total])
    // Summing leading axes only: rows of the outer product, a vector.
    let rows = try einsum("i,j->ij", a, b).sum(to: [n]).graph()
    #expect(rows.peakMemoryEstimate().bytes < Double(8 * 4 * n))
    // A product that broadcasts is counted with its broadcast copy.
    let broadcastSum = try (try g.variable("c", [n, 1]) + b).sum().graph()
    #expect(broadcastSum.peakMemoryEstimate().bytes >= Double(2 * 8 * n * n))
  }

  /// A graph dense with edges is refused before layout even within the
  /// node limit: nodes + edges may be at most twice the limit.
  @Test func layoutCostCountsEdges() throws {
    let edges = (0..<10).flatMap { i in (0..<3).map { j in "n\(i) -> n\((i + j + 1) % 10)" } }
    let dot = "digraph { " + edges.joined(separator: "; ") + " }"
    #expect(throws: RenderError.tooManyEdges(nodes: 10, edges: 30, limit: 10, layout: "dot")) {
      try GraphvizRenderer(layout: "dot", nodeLimit: 10).render(dot: dot, format: .svg)
    }
    #expect(
      try GraphvizRenderer(layout: "dot", nodeLimit: 20).render(dot: dot, format: .svg).count > 0)
  }
}
