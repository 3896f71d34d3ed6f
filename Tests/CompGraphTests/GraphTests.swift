import Testing

@testable import CompGraph

@Suite struct GraphTests {
  /// ARCHITECTURE.md invariant 3: building a node that exists returns its id.
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

  /// A node with an input that no node uses yet cannot exist, so its
  /// lookup skips the intern table's probe (`InternTable.find`): the node
  /// is new the first time and found every time after, whichever input was
  /// fresh and whatever order the inputs come in.
  @Test func aNodeOnAFreshInputIsFoundTheSecondTime() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let y = exp(x)
    let before = g.count
    let first = try (y * x).node()
    #expect(g.count == before + 1)
    #expect(try (x * y).node() == first)
    #expect(try (y * x).node() == first)
    let z = tanh(y)
    let afterZ = g.count
    let sums = try [z + y, y + z, z + y].map { try $0.node() }
    #expect(Set(sums).count == 1)
    #expect(g.count == afterZ + 1)
    #expect(try exp(x).node() == y.node())
  }

  /// A `pow` exponent is keyed by its bit pattern, as a constant is: x^NaN
  /// built twice is one node (by `==` NaN is not itself, and the fuzzer
  /// found power towers whose thousands of x^NaN nodes each landed under one
  /// hash: 36 s to simplify, now 0.1 s), and x^0.0, x^-0.0 are two.
  @Test func powExponentsAreInternedByBitPattern() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    #expect(try pow(x, .nan).node() == pow(x, .nan).node())
    #expect(try pow(x, 0.0).node() != pow(x, -0.0).node())
    let before = g.count
    for _ in 0..<1000 { _ = pow(x, .nan) }
    #expect(g.count == before)
  }
}
