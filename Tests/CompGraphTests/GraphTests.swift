import Testing

@testable import CompGraph

@Suite struct GraphTests {
  @Test func hashConsingSharesStructurallyEqualNodes() throws {
    let g = GraphBuilder()
    let a = try g.variable("a")
    let b = try g.variable("b")
    let ab = a * b, ba = b * a
    #expect(try ab.node() == ba.node())
    let sum1 = a + b, sum2 = b + a
    #expect(try sum1.node() == sum2.node())
    let plusZero = a + 0.0, plusNegZero = a + -0.0
    #expect(try plusZero.node() != plusNegZero.node())
    let nan1 = g.constantNode(Double.nan), nan2 = g.constantNode(-Double.nan)
    #expect(nan1 == nan2)
  }
}
