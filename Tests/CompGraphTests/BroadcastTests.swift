import Testing

@testable import CompGraph

/// Add and Mul broadcast like NumPy; their pullbacks sum back to each shape.
@Suite struct BroadcastTests {
  @Test func valuesBroadcastLikeNumPy() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 3]), row = try g.variable("r", [3]),
      col = try g.variable("c", [2, 1])
    let at = [
      "A": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
      "r": Tensor(shape: [3], scalars: [10, 20, 30]),
      "c": Tensor(shape: [2, 1], scalars: [100, 200]),
    ]
    #expect(try (a + row).evaluate(at).scalars == [11, 22, 33, 14, 25, 36])
    #expect(try (a * col).evaluate(at).scalars == [100, 200, 300, 800, 1000, 1200])
    #expect(try (row + col).evaluate(at).shape == [2, 3])
  }

  @Test func pullbacksSumBackToEachShape() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 3]), row = try g.variable("r", [3]),
      col = try g.variable("c", [2, 1]), s = try g.variable("s")
    let f = (tanh(a * row + col) * s).sum() + (exp(row) * col).mean()
    var rng = SplitMix64(seed: 3)
    func random(_ shape: Shape) -> Tensor {
      Tensor(shape: shape, scalars: (0..<shape.elementCount).map { _ in rng.nextUnit() - 0.5 })
    }
    let at = ["A": random([2, 3]), "r": random([3]), "c": random([2, 1]), "s": random([])]
    let report = try checkGradients(of: f, at: at, order: 2)
    #expect(report.worstRelativeError < 1e-6, "\(report)")
    let grads = try CompGraph.gradient(of: f, wrt: [a, row, col, s])
    #expect(grads.map(\.shape) == [[2, 3], [3], [2, 1], []])
    _ = try checked([f] + grads)
  }
}
