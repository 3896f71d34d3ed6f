import Testing

@testable import CompGraph

/// ARCHITECTURE.md invariant 2: nothing recurses on graph depth.
@Suite struct DeepGraphTests {
  @Test func millionDeepChainBuildsDifferentiatesEvaluatesAndFrees() throws {
    let depth = 1_000_000
    var graph: Graph?
    do {
      let g = GraphBuilder()
      let x = try g.variableNode("x")
      let half = g.constantNode(0.5), one = g.constantNode(1.0)
      var y = x
      for _ in 0..<depth { y = try g.node(.add, [g.node(.mul, [y, half]), one]) }  // y ← y/2 + 1
      let dy = try g.gradient(of: y, wrt: [x])[0]
      graph = g.graph(outputs: [y, dy], names: ["y", "dy"])
    }
    let values = try graph!.evaluate(["x": 3.0])
    // The fixed point of y ← y/2 + 1 is 2; dy/dx = 2^-depth underflows to 0.
    #expect(isClose(values[0].scalars[0], 2))
    #expect(values[1].scalars[0] == 0)
    #expect(graph!.nodeCount > 2 * depth)
    graph = nil  // freeing is a few array releases, no recursive deinit
  }
}
