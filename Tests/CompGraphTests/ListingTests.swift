import Testing

@testable import CompGraph

@Suite struct ListingTests {
  @Test func scalarExpressionListsOneEquationPerNode() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 2
    #expect(
      try f.graph().listing == """
        { lambda p:f64[] q:f64[] ; let
            %2:f64[] = add p p
            %3:f64[] = add q %2
            %4:f64[] = sqrt %3
            %6:f64[] = mul %4 0.5
          in (f=%6) }

        """)
  }

  @Test func tensorExpressionShowsShapesAndEinsumSpec() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 3]), b = try g.variable("B", [3, 4])
    let loss = tanh(matmul(a, b)).sum()
    #expect(
      try loss.graph(names: ["loss"]).listing == """
        { lambda A:f64[2,3] B:f64[3,4] ; let
            %2:f64[2,4] = einsum[ij,jk->ik] A B
            %3:f64[2,4] = tanh %2
            %4:f64[] = sum_to[] %3
          in (loss=%4) }

        """)
  }

  @Test func tensorConstantsGetALineAndOutputsTheirNames() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [2])
    let y = exp(x * g.constant(Tensor(shape: [2], scalars: [1, 2.5])))
    let s = pow(y, 2).sum()
    #expect(
      try y.graph(names: ["y", "s"], with: [s]).listing == """
        { lambda x:f64[2] ; let
            %1:f64[2] = const [1, 2.5]
            %2:f64[2] = mul x %1
            %3:f64[2] = exp %2
            %4:f64[2] = pow[2] %3
            %5:f64[] = sum_to[] %4
          in (y=%3, s=%5) }

        """)
  }

  @Test func graphWithoutVariablesHasAnEmptyLambda() throws {
    let g = GraphBuilder()
    #expect(try g.constant(3).graph().listing == "{ lambda ; let\n  in (f=3) }\n")
  }

  @Test func sizeSummaryCountsNodesEdgesAndOperations() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 2
    #expect(try f.graph().sizeSummary == "7 nodes, 7 edges, 4 operations")
  }

  @Test func derivativeOrderIsTheLowestOrderOfAnOutputReachingTheNode() throws {
    let g = GraphBuilder()
    let p = try g.variable("p")
    let e = exp(p)
    let graph = try (e * 2).graph(names: ["f", "∂f/∂p"], with: [e * cos(p)])
    // p, exp, 2, ×2 are original; cos and the product only ∂f/∂p needs.
    #expect(graph.derivativeOrders(outputOrders: [0, 1]) == [0, 0, 0, 0, 1, 1])
    #expect(graph.derivativeOrders(outputOrders: [2, 1]) == [1, 1, 2, 2, 1, 1])
  }

  /// ARCHITECTURE.md invariant 2: listing (and ordering) a 1,000,000-deep chain
  /// recurses on nothing.
  @Test func millionDeepChainListsWithoutRecursion() throws {
    let g = GraphBuilder()
    var x = try g.variableNode("x")
    for _ in 0..<1_000_000 { x = try g.node(.sin, [x]) }
    let graph = g.graph(outputs: [x])
    let listing = graph.listing
    #expect(listing.utf8.count(where: { $0 == UInt8(ascii: "\n") }) == 1_000_002)
    #expect(listing.hasSuffix("    %1000000:f64[] = sin %999999\n  in (f=%1000000) }\n"))
    #expect(graph.derivativeOrders(outputOrders: [1]).allSatisfy { $0 == 1 })
  }
}
