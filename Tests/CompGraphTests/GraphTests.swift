import Testing
@testable import CompGraph

@Suite struct GraphTests {
  @Test func hashConsingSharesStructurallyEqualNodes() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b")
    #expect(try (a + b).node() == (b + a).node())
    #expect(try (a * b).node() == (b * a).node())
    #expect(try (a + 0.0).node() != (a + -0.0).node())
    #expect(try g.constant(.nan).node() == g.constant(-.nan).node())
  }
}
