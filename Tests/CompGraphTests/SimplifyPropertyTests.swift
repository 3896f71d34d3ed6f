import Foundation
import Testing

@testable import CompGraph

/// Random expressions (seeded, deterministic) over the scalar op set: the
/// simplified graph must evaluate to the same value and never have more
/// operations.
///
/// Tolerance: |simplified − original| ≤ 1e-9 · max(1, |original|, scale),
/// where `scale` is the largest magnitude among the original's node values —
/// re-associating sums (collecting, expanding) moves rounding errors of that
/// size.  Points where the original is not finite are skipped (rules may
/// widen a domain, e.g. x·x⁻¹ = 1 at x = 0, which is documented policy).
@Suite struct SimplifyPropertyTests {
  /// Builds a random DAG of `size` operations on x and y.
  static func randomExpression(_ g: GraphBuilder, seed: UInt64, size: Int) throws -> Expr {
    var rng = SplitMix64(seed: seed)
    func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    let x = try g.variable("x"), y = try g.variable("y")
    let constants: [Double] = [-2, -1, 0, 0.5, 1, 2, 3]
    var pool: [Expr] = [x, y, x, y, g.constant(constants[pick(constants.count)])]
    func operand() -> Expr {
      // Prefer recent results so that expressions get deep, not just wide.
      let n = pool.count
      return rng.nextUnit() < 0.6 ? pool[n - 1 - pick(min(n, 4))] : pool[pick(n)]
    }
    for _ in 0..<size {
      let a = operand(), b = operand()
      let e: Expr
      switch pick(16) {
      case 0, 1: e = a + b
      case 2: e = a - b
      case 3, 4: e = a * b
      case 5: e = a / (b * b + 1)
      case 6: e = pow(a, [2, 3, -1, -2, 0.5, 1.5][pick(6)])
      case 7: e = exp(0.5 * a)
      case 8: e = ln(a * a + 1)
      case 9: e = sqrt(a * a + 0.5)
      case 10: e = sin(a)
      case 11: e = cos(a)
      case 12: e = tanh(a)
      case 13: e = constants[pick(constants.count)] * a + b
      case 14: e = a * a - a
      default: e = -a + constants[pick(constants.count)]
      }
      pool.append(e)
    }
    return pool[pool.count - 1] + pool[pool.count - 2]
  }

  /// The value of every output and the largest |value| of any node.
  static func valueAndScale(_ graph: Graph, _ at: [String: Double]) throws -> (Double, Double) {
    var scale = 0.0
    for id in graph.ids {
      let v = try graph.with(outputs: [id], names: ["n"]).evaluate(at)[0].scalars[0]
      if v.isFinite { scale = max(scale, abs(v)) }
    }
    return (try graph.evaluate(at)[0].scalars[0], scale)
  }

  static func check(_ original: Graph, _ simplified: Graph, seed: UInt64) throws -> Int {
    try simplified.checkInvariants()
    #expect(simplified.operationCount <= original.operationCount, "seed \(seed)")
    var compared = 0
    var rng = SplitMix64(seed: seed ^ 0x5eed)
    for _ in 0..<4 {
      let at = ["x": rng.nextUnit() * 3 - 1.5, "y": rng.nextUnit() * 3 - 1.5]
      let (want, scale) = try valueAndScale(original, at)
      guard want.isFinite, scale < 1e12 else { continue }
      let got = try simplified.evaluate(at)[0].scalars[0]
      #expect(
        abs(got - want) <= 1e-9 * max(1, abs(want), scale),
        "seed \(seed) at \(at): \(got) vs \(want) (scale \(scale))")
      compared += 1
    }
    return compared
  }

  @Test(arguments: 0..<8)
  func randomExpressionsKeepTheirValue(_ batch: Int) throws {
    var compared = 0
    for k in 0..<40 {
      let seed = UInt64(batch * 1000 + k)
      let g = GraphBuilder()
      let f = try Self.randomExpression(g, seed: seed, size: 4 + k % 12)
      let original = try f.graph()
      compared += try Self.check(original, simplify(original), seed: seed)
    }
    #expect(compared > 100)
  }

  /// Derivative graphs are where simplification matters: the gradient of a
  /// random expression, raw and simplified, must agree.
  @Test(arguments: 0..<4)
  func randomGradientsKeepTheirValue(_ batch: Int) throws {
    var compared = 0
    for k in 0..<25 {
      let seed = UInt64(50_000 + batch * 1000 + k)
      let g = GraphBuilder()
      let f = try Self.randomExpression(g, seed: seed, size: 3 + k % 8)
      let grad = try CompGraph.gradient(of: f, wrt: [try g.variable("x"), try g.variable("y")])
      let original = try grad[0].graph(names: ["dx"])
      compared += try Self.check(original, simplify(original), seed: seed)
    }
    #expect(compared > 50)
  }

  @Test func simplifyIsDeterministic() throws {
    func listing() throws -> [String] {
      let g = GraphBuilder()
      let f = try Self.randomExpression(g, seed: 7, size: 14)
      let graph = simplify(try CompGraph.gradient(of: f, wrt: try g.variable("x")).graph())
      return graph.ids.map { "\(graph.op($0)) \(Array(graph.inputs($0)))" }
    }
    #expect(try listing() == listing())
  }

  @Test func simplifyIsIdempotentOnItsOutput() throws {
    let g = GraphBuilder()
    let f = try Self.randomExpression(g, seed: 11, size: 12)
    let once = simplify(try f.graph())
    let twice = simplify(once)
    #expect(twice.operationCount <= once.operationCount)
  }

  /// A chain of n additions is collected into one n-term sum, once (linear
  /// time), and x + x + … becomes n·x.
  @Test func longSumChainsFlattenOnce() throws {
    let g = GraphBuilder()
    let xs = try (0..<20_000).map { try g.variable("x\($0)") }
    var s = xs[0]
    for x in xs.dropFirst() { s = s + x }
    let simplified = simplify(try s.graph())
    #expect(simplified.nodeCount == 20_001)
    #expect(simplified.operationCount == 19_999)
    var t = xs[0]
    for _ in 1..<20_000 { t = t + xs[0] }
    #expect(simplify(try t.graph()).operationCount == 1)
  }

  /// A sum used twice stays one node (flattening it into both users would
  /// copy its terms).
  @Test func sharedSumsAreNotFlattened() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b"), c = try g.variable("c"),
      d = try g.variable("d")
    let s = a + b
    let f = (s + c) * (s + d)
    let simplified = simplify(try f.graph())
    #expect(simplified.operationCount <= 4)
  }

  /// ARCHITECTURE.md invariant 2: a 1,000,000-deep chain simplifies without
  /// recursion: ln(exp(ln(exp(… x …)))) collapses to x.
  @Test func millionDeepChainSimplifies() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    var id = try x.node()
    for _ in 0..<500_000 {
      id = try g.node(.ln, [g.node(.exp, [id])])
    }
    let graph = g.graph(outputs: [id])
    #expect(graph.nodeCount == 1_000_001)
    let simplified = simplify(graph)
    #expect(simplified.nodeCount == 1)
    #expect(try simplified.evaluate(["x": 0.25])[0].scalars[0] == 0.25)
  }

  /// A deep chain that stays deep: y ← sin(2y + 1), 300,000 nodes (every
  /// node tries every rule; smaller than a million to keep debug test runs short).
  @Test func deepChainThatStaysDeep() throws {
    let g = GraphBuilder()
    var y = try g.variable("x")
    for _ in 0..<100_000 { y = sin(2 * y + 1) }
    let graph = try y.graph()
    let simplified = simplify(graph)
    #expect(simplified.operationCount == graph.operationCount)
    #expect(simplified.nodeCount <= graph.nodeCount)
  }
}
