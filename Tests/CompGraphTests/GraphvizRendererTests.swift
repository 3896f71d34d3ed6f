import Foundation
import Testing

@testable import CompGraph

@Suite struct GraphvizRendererTests {
  private func dot() throws -> String {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3
    let graph = try f.graph(names: ["f", "∂f/∂p"], with: [gradient(of: f, wrt: p)])
    return try DOTEncoder(options: .init(outputOrders: [0, 1])).encode(graph, name: "f")
  }

  @Test func picturesHaveTheirFormatSignatures() throws {
    let renderer = GraphvizRenderer()
    let svg = try renderer.render(dot: dot(), format: .svg)
    #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
    let png = try renderer.render(dot: dot(), format: .png)
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))  // \x89PNG
    let pdf = try renderer.render(dot: dot(), format: .pdf)
    #expect(pdf.starts(with: Array("%PDF".utf8)))
  }

  @Test func textFormatsPassThroughWithLayout() throws {
    let renderer = GraphvizRenderer()
    let laidOut = String(decoding: try renderer.render(dot: dot(), format: .dot), as: UTF8.self)
    #expect(laidOut.hasPrefix("digraph f {") && laidOut.contains("pos="))
    let xdot = String(decoding: try renderer.render(dot: dot(), format: .xdot), as: UTF8.self)
    #expect(xdot.contains("_draw_="))
    let json = try renderer.render(dot: dot(), format: .json)
    let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
    #expect(object?["name"] as? String == "f")
  }

  @Test func badDOTThrowsGraphvizMessageAndLeavesGraphvizUsable() throws {
    let renderer = GraphvizRenderer()
    let error = #expect(throws: RenderError.self) {
      try renderer.render(dot: "digraph \"bad\" { a -> ; }", format: .svg)
    }
    guard case .graphviz(let message) = error else {
      Issue.record("expected .graphviz, got \(String(describing: error))")
      return
    }
    #expect(message.contains("syntax error"))
    #expect(try renderer.render(dot: dot(), format: .svg).count > 0)
  }

  @Test func unknownLayoutAndFormatListTheValidOnes() throws {
    #expect(GraphvizRenderer.layouts.contains("dot") && GraphvizRenderer.layouts.contains("sfdp"))
    #expect(throws: RenderError.unknownLayout("spring", available: GraphvizRenderer.layouts)) {
      try GraphvizRenderer(layout: "spring").render(dot: dot(), format: .svg)
    }
    #expect(
      throws: RenderError.unknownFormat(
        "gif", available: ["svg", "png", "pdf", "dot", "xdot", "json"])
    ) {
      try GraphvizRenderer.Format(parsing: "gif")
    }
    #expect(try GraphvizRenderer.Format(parsing: "SVG") == .svg)
  }

  @Test(arguments: ["dot", "neato", "fdp", "sfdp", "circo", "twopi"])
  func everyLayoutEngineRenders(layout: String) throws {
    let svg = try GraphvizRenderer(layout: layout).render(dot: dot(), format: .svg)
    #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
  }

  @Test func tooLargeGraphIsRefusedWithAdvice() throws {
    let g = GraphBuilder()
    var x = try g.variableNode("x")
    for _ in 0..<1_000 { x = try g.node(.sin, [x]) }
    let text = try DOTEncoder().encode(g.graph(outputs: [x]))  // 1,001 nodes + the output tag
    #expect(throws: RenderError.tooLarge(nodes: 1_002, limit: 1_000, layout: "dot")) {
      try GraphvizRenderer().render(dot: text, format: .svg)
    }
    #expect(try GraphvizRenderer(nodeLimit: 2_000).render(dot: text, format: .dot).count > 0)
  }

  @Test func renderingIsDeterministic() throws {
    let renderer = GraphvizRenderer()
    for format in [GraphvizRenderer.Format.svg, .png] {
      let first = try renderer.render(dot: dot(), format: format)
      #expect(try renderer.render(dot: dot(), format: format) == first)
    }
  }

  /// ARCHITECTURE.md invariant 10: renders from many tasks at once all succeed (one lock).
  @Test func concurrentRendersAllSucceed() async throws {
    let text = try dot()
    let expected = try GraphvizRenderer().render(dot: text, format: .png)
    let results = try await withThrowingTaskGroup(of: Data.self) { group in
      for k in 0..<8 {
        group.addTask {
          try GraphvizRenderer(layout: k.isMultiple(of: 2) ? "dot" : "neato").render(
            dot: text, format: .png)
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.count == 8)
    #expect(results.allSatisfy { $0.starts(with: [0x89, 0x50, 0x4E, 0x47]) })
    #expect(results.filter { $0 == expected }.count == 4)
  }
}
