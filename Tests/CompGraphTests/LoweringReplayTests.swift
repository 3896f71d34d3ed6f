import Foundation
import Testing

@testable import CompGraph

/// Lowering rebuilds the first region of a structure by synthesis and
/// replays that rebuild (`LoweringRecipe`) on every other region of the
/// structure: each replayed region must be what synthesis makes of it alone.
@Suite struct LoweringReplayTests {
  /// Regions of one structure over different atoms, simplified in one
  /// builder (all but the first replayed) and each in a builder of its own
  /// (synthesised): the same operation count and the same values.  The two
  /// atoms play different parts, so a replay that swapped them would change
  /// the values.
  @Test func replayedRegionsMatchSynthesis() throws {
    let n = 6
    // t⁵ − 2t³ + t·u + 3u² − t²·u³: Horner in t, with u mixed in.
    func region(_ t: Expr, _ u: Expr) -> Expr {
      t * t * t * t * t - 2 * t * t * t + t * u + 3 * u * u - t * t * u * u * u
    }
    func atoms(_ g: GraphBuilder, _ i: Int) throws -> (Expr, Expr) {
      (tanh(try g.variable("x\(i)")), exp(try g.variable("y\(i)")))
    }
    let shared = GraphBuilder()
    let outputs = try (0..<n).map { i in
      let (t, u) = try atoms(shared, i)
      return region(t, u)
    }
    let together = try simplify(outputs).enumerated().map { i, e in try e.graph(names: ["r\(i)"]) }
    var point: [String: Double] = [:]
    for i in 0..<n {
      point["x\(i)"] = 0.3 + 0.11 * Double(i)
      point["y\(i)"] = -0.4 + 0.07 * Double(i)
    }
    for i in 0..<n {
      let (t, u) = try atoms(GraphBuilder(), i)
      let raw = region(t, u)
      let alone = try simplify(raw).graph(names: ["r\(i)"])
      #expect(together[i].operationCount == alone.operationCount, "region \(i)")
      #expect(alone.operationCount < (try raw.graph()).operationCount)
      let expected = try alone.evaluate(point)[0].scalars[0]
      let replayed = try together[i].evaluate(point)[0].scalars[0]
      #expect(isClose(replayed, expected, tolerance: 1e-12), "region \(i)")
    }
  }
}
