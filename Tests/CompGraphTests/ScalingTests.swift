import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// No pass grows faster than the graph: doubling N on W2 (the gradient of
/// Σ exp(xᵢ)·ln(1 + x²ᵢ₊₁) + √Σx²ᵢ, reverse sweep then simplify) at most
/// doubles the work — counted as node visits (`GraphBuilder.visits`), not
/// time — and the gradient stays within 12 operations per variable; W3's
/// Hessian keeps its size.
@Suite struct ScalingTests {
  /// (visits to build and simplify ∇f, its operation count) at size n.
  static func w2Gradient(_ n: Int) throws -> (visits: Int, ops: Int, values: [Double]) {
    let (f, x) = try Workload.w2(n)
    let g = f.builder
    let before = g.visits
    let grads = simplify(try CompGraph.gradient(of: f, wrt: x))
    let visits = g.visits - before
    let graph = try checked(grads)
    let point = Dictionary(uniqueKeysWithValues: (0..<n).map { ("x\($0)", sin(Double($0 + 1))) })
    return (visits, graph.operationCount, try graph.evaluate(point).map { $0.scalars[0] })
  }

  @Test func doublingNAtMostDoublesTheWorkOfW2sGradient() throws {
    let small = try Self.w2Gradient(1000), large = try Self.w2Gradient(2000)
    #expect(small.visits > 0)
    #expect(Double(large.visits) <= 2.1 * Double(small.visits), "\(small.visits) → \(large.visits)")
    #expect(small.ops <= 12 * 1000 && large.ops <= 12 * 2000)
    // The gradient itself, against the closed form at one entry.
    let xs = (0..<2000).map { sin(Double($0 + 1)) }
    let r = xs.map { $0 * $0 }.reduce(0, +).squareRoot()
    let k = 7
    let exact =
      Foundation.exp(xs[k]) * Foundation.log(1 + xs[k + 1] * xs[k + 1])
      + Foundation.exp(xs[k - 1]) * 2 * xs[k] / (1 + xs[k] * xs[k]) + xs[k] / r
    #expect(isClose(large.values[k], exact, tolerance: 1e-13))
  }

  /// W3, the dense Hessian of W2's f at N = 100, keeps today's size (7,352
  /// operations, under the bar of 8,119), and its values match the
  /// Hessian built without simplifying.
  @Test func w3HessianKeepsItsSize() throws {
    let n = 100
    let graph = try Workload.w3Hessian(n)
    #expect(graph.operationCount <= 7352)
    let (f, x) = try Workload.w2(n)
    let raw = try hessian(of: f, wrt: x, simplify: false).flatMap { $0 }
    let reference = try raw[0].graph(
      names: raw.indices.map { "h\($0)" }, with: Array(raw.dropFirst()))
    let point = Dictionary(uniqueKeysWithValues: (0..<n).map { ("x\($0)", sin(Double($0 + 1))) })
    let values = try graph.evaluate(point).map { $0.scalars[0] }
    let expected = try reference.evaluate(point).map { $0.scalars[0] }
    #expect(values.count == n * n)
    for (i, (v, e)) in zip(values, expected).enumerated() {
      #expect(isClose(v, e, tolerance: 1e-12), "h\(i)")
    }
  }
}
