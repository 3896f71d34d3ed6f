import Testing

@testable import CompGraph

/// What a picture says about constants and outputs.
@Suite struct DOTLabelTests {
  @Test func integerConstantsAreExactAndOthersShort() {
    #expect(DOTEncoder.short(479_001_600) == "479001600")
    #expect(DOTEncoder.short(-3) == "-3")
    #expect(DOTEncoder.short(1.0 / 3) == "0.3333")
    #expect(DOTEncoder.short(1.5e-7) == "1.5e-07")
  }

  @Test func tensorConstantsAreLabelledByContent() {
    #expect(
      DOTEncoder.constantLabel(Tensor(shape: [2, 2], scalars: [1, 1, 1, 1])) == [
        "[1, 1, 1, 1]", "2x2",
      ])
    #expect(DOTEncoder.constantLabel(Tensor(repeating: 1, shape: [3, 2])) == ["ones 3x2"])
    #expect(DOTEncoder.constantLabel(Tensor(repeating: 0, shape: [5])) == ["zeros 5"])
    #expect(DOTEncoder.constantLabel(Tensor(repeating: 0.5, shape: [5])) == ["0.5 · ones 5"])
    #expect(
      DOTEncoder.constantLabel(Tensor(shape: [5], scalars: [1, 2, 3, 4, 5])) == ["constant 5"])
  }

  @Test func aTensorConstantInAGraphShowsItsContent() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [3, 2])
    let graph = try (a * g.constant(Tensor(repeating: 1, shape: [3, 2]))).sum().graph()
    let dot = try DOTEncoder().encode(graph)
    #expect(dot.contains("label=\"ones 3x2\""))
    #expect(!dot.contains("const"))
  }

  @Test func outputsKeepTheirOutlineWithValuesAndSitBesideTheirTag() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let graph = try exp(x).graph(names: ["f"])
    let f = graph.outputs[0]
    let options = DOTEncoder.Options(values: [f: Tensor(1), NodeID(0): Tensor(0)])
    let dot = try DOTEncoder(options: options).encode(graph)
    #expect(dot.contains("n\(f.rawValue) [label=<<table border=\"2\""))
    #expect(dot.contains("n0 [label=<<table border=\"0\""))
    #expect(dot.contains("{ rank = \"same\"; n\(f.rawValue); out0 }"))
  }

  @Test func layoutsThatDrawNoEdgesAreNotOffered() {
    for useless in ["nop", "nop2", "patchwork", "osage"] {
      #expect(!GraphvizRenderer.layouts.contains(useless))
      #expect(throws: RenderError.self) {
        try GraphvizRenderer(layout: useless).render(dot: "digraph { a -> b }", format: .svg)
      }
    }
  }
}

/// Every derivative order has its own fill.
@Suite struct OrderColourTests {
  @Test func everyOrderHasItsOwnColour() {
    let colours = (0...40).map(DOTEncoder.orderColor)
    #expect(Set(colours).count == colours.count)
    #expect(colours.allSatisfy { $0.count == 7 && $0.hasPrefix("#") })
    #expect(DOTEncoder.orderColor(6) != DOTEncoder.orderColor(1))
  }

  @Test func theLegendOfOrderSixShowsSixDifferentSwatches() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let tower = try CompGraph.derivatives(of: tanh(x), wrt: x, upTo: 6)
    let graph = try tower[0].graph(with: Array(tower.dropFirst()))
    let options = DOTEncoder.Options(outputOrders: Array(0...6))
    let dot = try DOTEncoder(options: options).encode(graph)
    let legend = try #require(dot.split(separator: "\n").first { $0.contains("legend") })
    let swatches = legend.components(separatedBy: "bgcolor=\"").dropFirst().map { $0.prefix(7) }
    #expect(swatches.count == 7)
    #expect(Set(swatches).count == 7)
  }
}

/// `DOTEncoder.Options` are checked against the graph; clusters and dpi.
@Suite struct DOTOptionTests {
  private func graph() throws -> Graph {
    let g = GraphBuilder()
    let x = try g.variable("x")
    return try exp(x).graph(names: ["f", "g"], with: [sin(x)])
  }

  @Test func optionsThatDoNotFitTheGraphThrow() throws {
    let graph = try graph()
    let bad: [(DOTEncoder.Options, String)] = [
      (
        .init(outputOrders: [0]),
        "invalid DOTEncoder options: outputOrders has 1 entries but the graph has 2 outputs; give one order per output, or none"
      ),
      (
        .init(outputOrders: [0, -1]),
        "invalid DOTEncoder options: outputOrders holds -1; derivative orders are 0 or more"
      ),
      (.init(nodeLimit: 0), "invalid DOTEncoder options: nodeLimit is 0; it must be at least 1"),
      (.init(dpi: -3), "invalid DOTEncoder options: dpi is -3.0; it must be a positive number"),
      (
        .init(values: [NodeID(99): Tensor(1)]),
        "invalid DOTEncoder options: a value or adjoint is given for node %99, which the graph does not have"
      ),
    ]
    for (options, message) in bad {
      #expect(
        throws: RenderError.invalidOptions(
          String(message.dropFirst("invalid DOTEncoder options: ".count)))
      ) {
        try DOTEncoder(options: options).encode(graph)
      }
      do {
        _ = try DOTEncoder(options: options).encode(graph)
      } catch {
        #expect("\(error)" == message)
      }
    }
    #expect(throws: Never.self) {
      try DOTEncoder(options: .init(outputOrders: [0, 1])).encode(graph)
    }
  }

  @Test func clustersHoldEachOutputsOwnNodes() throws {
    let dot = try DOTEncoder(options: .init(clustersByOutput: true, dpi: 150)).encode(graph())
    #expect(dot.contains("dpi=\"150\""))
    #expect(
      dot.contains(
        "subgraph \"cluster_0\" {\n    graph [color=\"#b0b0b0\", fontcolor=\"#a02c2c\", label=\"f\", style=\"rounded,dashed\"]\n    n0; n1; out0\n  }"
      ))
    #expect(
      dot.contains(
        "subgraph \"cluster_1\" {\n    graph [color=\"#b0b0b0\", fontcolor=\"#a02c2c\", label=\"g\", style=\"rounded,dashed\"]\n    n2; out1\n  }"
      ))
  }
}
