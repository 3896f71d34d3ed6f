import Testing

@testable import CompGraph

/// `scope name { … }` blocks in `.cg` programs.
@Suite struct ScopeTests {
  let source = """
    var W1: 2x2, W2: 2x2, x: 2
    scope encoder {
      scope layer1 {
        let h = tanh(matmul(W1, x))
      }
      let z = matmul(W2, h)
    }
    out loss = sum(z * z)
    """

  @Test func nodesBuiltInAScopeCarryIt() throws {
    let builder = GraphBuilder()
    let graph = try parseProgram(source, into: builder).graph()
    let scopeOf = { (op: Op) in
      graph.scopes.path(graph.scope(of: graph.ids.first { graph.op($0) == op }!))
    }
    #expect(scopeOf(.tanh) == ["encoder", "layer1"])
    #expect(graph.ids.contains { graph.scopes.path(graph.scope(of: $0)) == ["encoder"] })
    #expect(builder.currentScope == 0)
    let dot = try DOTEncoder().encode(graph)
    #expect(dot.contains("label=\"encoder\""))
    #expect(dot.contains("label=\"layer1\""))
  }

  @Test func scopesAreLabelsNotBarriers() throws {
    // The same expression in two scopes is one node (first scope wins).
    let builder = GraphBuilder()
    let program = try parseProgram(
      "scope a {\n let u = exp(x)\n}\nscope b {\n let v = exp(x)\n}\nout f = u + v", into: builder)
    let graph = try program.graph()
    #expect(graph.ids.filter { graph.op($0) == .exp }.count == 1)
  }

  @Test(arguments: [
    ("scope a {\nx + 1\n", "3:1: error: scope 'a' opened at 1:7 is never closed: expected '}'"),
    ("x + 1\n}\n", "2:1: error: unmatched '}': no scope is open"),
    ("scope a\nx", "1:8: error: expected '{' after 'scope a', found end of line"),
  ])
  func errors(source: String, message: String) {
    #expect {
      try parseProgram(source, into: GraphBuilder())
    } throws: { error in
      "\(error)".hasPrefix(message)
    }
  }

  @Test func aFailedParseLeavesTheBuilderAtItsScope() {
    let builder = GraphBuilder()
    _ = try? parseProgram("scope a {\nx + ", into: builder)
    #expect(builder.currentScope == 0)
  }
}
