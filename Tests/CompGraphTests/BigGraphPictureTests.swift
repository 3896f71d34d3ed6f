import Foundation
import Testing

@testable import CompGraph

/// Pictures of big graphs: long sums write their terms into their label,
/// `collapse` draws each output or scope as one node, and the summary draws
/// one node per derivative order with its size.
@Suite struct BigGraphPictureTests {
  /// Σₖ sin(k·x)·y^(k mod 3 + 1) for k = 1 … n, simplified: one n-ary sum.
  private func sum(of n: Int) throws -> Graph {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let terms = (1...n).map { k in sin(x * Double(k)) * pow(y, Double(k % 3 + 1)) }
    return try simplify(terms.dropFirst().reduce(terms[0], +)).graph(names: ["f"])
  }

  private func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }

  /// The width of Graphviz's SVG, in points.
  private func width(_ dot: String) throws -> Double {
    let svg = String(decoding: try GraphvizRenderer().render(dot: dot, format: .svg), as: UTF8.self)
    let box = svg.components(separatedBy: "viewBox=\"")[1].prefix { $0 != "\"" }
    return Double(box.split(separator: " ")[2])!
  }

  /// Thirty terms are written into the sum's label, three to a line; the
  /// sum keeps one edge from each variable; the picture is a fraction as wide.
  @Test func aLongSumWritesItsSmallPrivateTermsIntoItsLabel() throws {
    let graph = try sum(of: 30)
    #expect(graph.op(graph.outputs[0]) == .add && graph.inputs(graph.outputs[0]).count == 30)
    let dot = try DOTEncoder().encode(graph)
    // Drawn: x, y, y², y³ and the sum; edges x, y, y², y³ → sum and y → y², y³.
    #expect(count("label=\"sin\"", in: dot) == 0 && count(" -> ", in: dot) == 7, "\(dot)")
    let node = try #require(
      dot.split(separator: "\n").first { $0.contains("shape=\"box\"") && $0.contains("sin(") })
    let label = node.components(separatedBy: "label=\"")[1].prefix { $0 != "\"" }
    #expect(label.hasPrefix("+\\nsin(x)*y^2 + sin(2*x)*y^3 + y*sin(3*x) +\\n"), "\(label)")
    #expect(count("sin(", in: String(label)) == 30, "\(label)")
    let lines = label.components(separatedBy: "\\n").dropFirst()
    #expect(lines.count == 10 && lines.allSatisfy { $0.count <= 48 }, "\(lines)")
    // Eight operands are not long: drawn as they are.
    #expect(count("label=\"sin\"", in: try DOTEncoder().encode(sum(of: 8))) == 8)
    #expect(try width(dot) < 700, "one box of ten lines, not thirty subtrees side by side")
    // Values on every node need every node drawn.
    let values = DOTEncoder.Options(values: [graph.outputs[0]: Tensor(1)])
    #expect(count("label=\"sin\"", in: try DOTEncoder(options: values).encode(graph)) == 30)
  }

  /// A term that another node also uses, or that holds more than six
  /// operations, stays drawn.
  @Test func sharedOrLargeTermsStayDrawn() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let shared = exp(x) * 3
    var terms = (1...9).map { k in cos(x + Double(k)) }
    terms.append(shared)
    terms.append(sin(sin(sin(sin(sin(sin(sin(x))))))))
    let f = simplify(terms.dropFirst().reduce(terms[0], +))
    let graph = try f.graph(names: ["f", "g"], with: [simplify(shared + 1)])
    #expect(graph.inputs(graph.outputs[0]).count == 11)
    let dot = try DOTEncoder().encode(graph)
    #expect(count("label=\"cos\"", in: dot) == 0)
    #expect(count("label=\"exp\"", in: dot) == 1 && count("label=\"sin\"", in: dot) == 7)
  }

  /// Each output's private operations become one node `g<k>` with its name
  /// and size; the nodes outputs share stay drawn; an expanded group is
  /// drawn in full.
  @Test func collapsingOutputsDrawsEachPrivateSubgraphAsOneNode() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f = sin(x * y)
    let graph = try f.graph(names: ["f"]).derivatives(wrt: ["x", "y"], order: 2, simplifying: true)
    var options = DOTEncoder.Options(outputOrders: graph.outputOrders, collapse: .outputs)
    let dot = try DOTEncoder(options: options).encode(graph.graph)
    // f = sin(xy), ∂f/∂x, ∂f/∂y, ∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²: the two second
    // derivatives with two private operations each are one node; the others'
    // private parts are one operation, drawn as it is.
    #expect(graph.graph.outputNames[3] == "∂²f/∂x²" && graph.graph.outputNames[4] == "∂²f/∂x∂y")
    #expect(
      dot.contains(
        "  g3 [color=\"#444444\", fillcolor=\"#cdebc5\", label=\"∂²f/∂x²\\n2 operations\", shape=\"box3d\""
      ))
    #expect(dot.contains("  g4 [") && dot.contains("label=\"∂²f/∂x∂y\\n2 operations\""), "\(dot)")
    #expect(dot.contains("  n1 -> g3\n") && !dot.contains("out3 ["), "its name is on the box")
    #expect(count("box3d", in: dot) == 2 && !dot.contains("  n7 ") && !dot.contains("  n9 "))
    options.expandedGroups = [3]
    let expanded = try DOTEncoder(options: options).encode(graph.graph)
    #expect(
      !expanded.contains("  g3 ") && expanded.contains("  g4 ") && expanded.contains("out3 ["))
    options.clustersByOutput = true
    #expect(throws: RenderError.self) { try DOTEncoder(options: options).encode(graph.graph) }
  }

  /// Each top-level module call becomes one node; its parameters stay drawn.
  @Test func collapsingScopesDrawsEachModuleAsOneNode() throws {
    let mlp = MLP("mlp", sizes: [2, 4, 1], activation: tanh, activationName: "tanh")
    let g = GraphBuilder()
    let graph = try mlp(g.constant(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))).sum()
      .graph(names: ["loss"])
    let dot = try DOTEncoder(options: .init(collapse: .scopes)).encode(graph)
    let groups = dot.split(separator: "\n").filter { $0.contains("shape=\"box3d\"") }
    #expect(groups.count == 1 && groups[0].contains("label=\"mlp\\n"), "\(dot)")
    #expect(!dot.contains("cluster_"), "the module's box is the one node")
    for parameter in mlp.parameters {
      #expect(dot.contains("label=\"\(parameter.path)\\n"), "\(parameter.path) stays drawn")
    }
    let scope = Int(groups[0].dropFirst(3).prefix { $0 != " " })!
    let open = try DOTEncoder(options: .init(collapse: .scopes, expandedGroups: [scope]))
      .encode(graph)
    #expect(!open.contains("box3d") && open.contains("cluster_s\(scope)"))
  }

  /// The sizes per order are those of the outputs of that order alone, and
  /// the summary draws one node per order, chained.
  @Test func theSummaryHasOneNodePerOrderWithItsSize() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let drawing = try (tanh(x) * y).graph(names: ["f"]).derivatives(
      wrt: ["x", "y"], order: 3, simplifying: true)
    let graph = drawing.graph
    let sizes = DOTEncoder.orderSizes(of: graph, outputOrders: drawing.outputOrders)
    #expect(sizes.map(\.order) == [0, 1, 2, 3])
    for size in sizes {
      let kept = graph.outputs.indices.filter { drawing.outputOrders[$0] == size.order }
      #expect(size.outputs == kept.map { graph.outputNames[$0] })
      let part = GraphBuilder(graph).graph(outputs: kept.map { graph.outputs[$0] })
      #expect(size.nodes == part.nodeCount && size.operations == part.operationCount)
      #expect(size.added <= size.nodes && (size.order > 0 || size.added == size.nodes))
    }
    #expect(sizes.map(\.added).reduce(0, +) == graph.nodeCount)
    let dot = try DOTEncoder(options: .init(outputOrders: drawing.outputOrders)).summary(graph)
    #expect(count(" [fillcolor=", in: dot) == 4 && count(" -> ", in: dot) == 3, "\(dot)")
    #expect(dot.contains("o2 -> o3") && dot.contains("\\n3 outputs: "))
    #expect(dot.contains("\\n\(sizes[3].nodes) nodes, \(sizes[3].operations) operations\\n"))
    #expect(try width(dot) > 0)
  }
}
