import Testing

@testable import CompGraph

/// The parser keeps explicit stacks: depth and length cost memory, never
/// call-stack frames.
@Suite struct ParseStressTests {
  static let depth = 100_000

  @Test func deeplyNestedParentheses() throws {
    let g = GraphBuilder()
    let source =
      String(repeating: "(", count: Self.depth) + "x" + String(repeating: ")", count: Self.depth)
    let program = try parseProgram(source, into: g)
    #expect(try program.outputs[0].expr.node() == g.variable("x").node())
  }

  @Test func deeplyNestedCalls() throws {
    let g = GraphBuilder()
    let source =
      String(repeating: "sin(-", count: Self.depth) + "x"
      + String(repeating: ")", count: Self.depth)
    let program = try parseProgram(source, into: g)
    var expected = try g.variable("x")
    for _ in 0..<Self.depth { expected = sin(-expected) }
    #expect(try program.outputs[0].expr.node() == expected.node())
  }

  @Test func deepUnclosedNestingFailsCleanly() {
    let source = String(repeating: "(", count: Self.depth) + "x"
    #expect(throws: ParseError.self) { try parseProgram(source, into: GraphBuilder()) }
  }

  @Test func longSumOfTerms() throws {
    let terms = 200_000
    let g = GraphBuilder()
    let source = Array(repeating: "x*2.5", count: terms).joined(separator: " + ")
    let program = try parseProgram(source, into: g)
    let term = try g.variable("x") * 2.5
    var expected = term
    for _ in 1..<terms { expected = expected + term }
    #expect(try program.outputs[0].expr.node() == expected.node())
  }

  @Test func longRightAssociativeChain() throws {
    let g = GraphBuilder()
    let source = Array(repeating: "x", count: Self.depth).joined(separator: "^")
    #expect(throws: Never.self) { try parseProgram(source, into: g) }
  }
}
