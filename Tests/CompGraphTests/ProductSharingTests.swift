import Foundation
import Testing

@testable import CompGraph

/// `shareProducts`: products that share factors share partial products.
@Suite struct ProductSharingTests {
  @Test func sharedFactorsBecomeOnePartialProduct() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b"), c = try g.variable("c")
    let x = try g.variable("x"), y = try g.variable("y")
    // a·b·c·x, a·b·c·y: 3 + 3 operations ⇒ p = a·b·c (2), p·x, p·y (1 + 1)
    let graph = try product([a, b, c, x]).graph(names: ["u", "v"], with: [product([a, b, c, y])])
    #expect(graph.operationCount == 6)
    let shared = shareProducts(graph)
    try shared.checkInvariants()
    #expect(shared.operationCount == 4)
    let at: [String: Double] = ["a": 2, "b": 3, "c": 5, "x": 7, "y": 11]
    #expect(try shared.evaluate(at).map { $0.scalars[0] } == [210, 330])
  }

  /// The Hessian of √(Σxᵢ²) has entries −xᵢxⱼr⁻³ off the diagonal: after
  /// sharing, about one operation per distinct entry.
  @Test func hessianOfANormSharesItsRowFactors() throws {
    let g = GraphBuilder()
    let n = 12
    let x = try (0..<n).map { try g.variable("x\($0)") }
    let h = simplify(try hessian(of: sqrt(sum(x.map { $0 * $0 })), wrt: x).flatMap { $0 })
    let graph = try checked(h)
    #expect(graph.operationCount < n * (n + 1) / 2 + 6 * n)
    let point = Dictionary(uniqueKeysWithValues: (0..<n).map { ("x\($0)", Double($0) - 5.5) })
    let values = try graph.evaluate(point).map { $0.scalars[0] }
    let xs = (0..<n).map { Double($0) - 5.5 }
    let r = xs.map { $0 * $0 }.reduce(0, +).squareRoot()
    for i in 0..<n {
      for j in 0..<n {
        let exact = (i == j ? 1 / r : 0) - xs[i] * xs[j] / (r * r * r)
        #expect(isClose(values[i * n + j], exact, tolerance: 1e-14), "H[\(i)][\(j)]")
      }
    }
  }

  @Test func nothingSharedLeavesTheGraphAlone() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b"), c = try g.variable("c")
    let graph = try product([a, b, c]).graph()
    #expect(shareProducts(graph).listing == graph.listing)
  }

  /// A factor used twice in one product: pairs are counted over the
  /// multiset, so a·a·b·x and a·a·b·y share a·a·b.
  @Test func repeatedFactorsAreCountedAsAMultiset() throws {
    let g = GraphBuilder()
    let a = try g.variableNode("a"), b = try g.variableNode("b")
    let x = try g.variableNode("x"), y = try g.variableNode("y")
    let u = try g.node(.mul, [a, a, b, x]), v = try g.node(.mul, [a, a, b, y])
    let graph = g.graph(outputs: [u, v])
    #expect(graph.operationCount == 6)
    let shared = shareProducts(graph)
    try shared.checkInvariants()
    #expect(shared.operationCount == 4)
    let at: [String: Double] = ["a": 2, "b": 3, "x": 5, "y": 7]
    #expect(try shared.evaluate(at).map { $0.scalars[0] } == [60, 84])
  }

  /// Counting a product of k shareable factors costs k(k − 1)/2 pairs;
  /// products past the budget are not counted, so with no budget nothing is
  /// shared, and with room for the first product only, its pairs (seen
  /// once) are not worth sharing either.
  @Test func productsPastThePairBudgetAreNotCounted() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b"), c = try g.variable("c")
    let x = try g.variable("x"), y = try g.variable("y")
    let graph = try product([a, b, c, x]).graph(names: ["u", "v"], with: [product([a, b, c, y])])
    #expect(shareProducts(graph, pairBudget: 0).listing == graph.listing)
    #expect(shareProducts(graph, pairBudget: 3).listing == graph.listing)
    #expect(shareProducts(graph, pairBudget: 6).operationCount == 4)
  }

  /// The derivative of a deep chain is one long product of distinct
  /// factors: none is shared, so the pass does no pair counting at all
  /// (it was quadratic in the depth), and the simplified gradient is
  /// Π cos(sinᵏ x).
  @Test func aDeepChainsGradientSimplifies() throws {
    let depth = 10_000
    let g = GraphBuilder()
    let x = try g.variable("x")
    var y = x
    for _ in 0..<depth { y = sin(y) }
    let dy = simplify(try gradient(of: y, wrt: x))
    var value = 0.3, slope = 1.0
    for _ in 0..<depth {
      slope *= Foundation.cos(value)
      value = Foundation.sin(value)
    }
    let graph = try dy.graph()
    #expect(graph.operationCount <= 3 * depth)  // the sines, their cosines, one product
    #expect(isClose(try graph.evaluate(["x": 0.3])[0].scalars[0], slope, tolerance: 1e-12))
  }
}
