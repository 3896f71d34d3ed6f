@testable import CompGraph

/// |a − b| ≤ tol · max(1, |b|): a relative tolerance that degrades to an
/// absolute one near zero.  (Not transitive: compare against exact values.)
func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  return abs(a - b) <= tolerance * max(1, abs(b))
}

/// Builds `body` in a fresh builder and checks the graph invariants of the
/// result, as every transform test should.
func checked(_ exprs: [Expr]) throws -> Graph {
  let graph = try exprs[0].graph(
    names: exprs.indices.map { "y\($0)" }, with: Array(exprs.dropFirst()))
  try graph.checkInvariants()
  return graph
}

func scalar(_ e: Expr, _ at: [String: Double]) throws -> Double {
  try e.evaluate(at)
}
