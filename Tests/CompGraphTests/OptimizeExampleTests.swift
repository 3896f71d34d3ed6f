import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// The Optimize example's pieces: the envelope Cholesky against the matrix it factors, and the
/// log-barrier Newton method reaching a KKT point of the bound-constrained chained Rosenbrock,
/// checked with the gradient written out by hand.
@Suite struct OptimizeExampleTests {
  /// A random sparse symmetric matrix (an arrowhead and a band with random gaps, whose fill
  /// stays in the envelope), diagonally dominant: A·x = b to 1e-12, for x the solve of b; with
  /// the diagonal made negative, the factorization refuses it.
  @Test func envelopeCholeskySolvesSparseSystems() throws {
    var random = SplitMix64(seed: 31)
    let n = 40
    var entries: [Int: Double] = [:]  // i·n + j, both triangles
    for i in 0..<n {
      for j in 0..<i where j == 0 || (i - j <= 3 && random.nextUnit() < 0.6) {
        let v = random.nextUnit() * 2 - 1
        entries[i * n + j] = v
        entries[j * n + i] = v
      }
    }
    for i in 0..<n {
      let offDiagonal = (0..<n).reduce(0) { $0 + Swift.abs(entries[i * n + $1] ?? 0) }
      entries[i * n + i] = offDiagonal + 1 + random.nextUnit()
    }
    let keys = entries.keys.sorted()
    let rows = keys.map { $0 / n }, columns = keys.map { $0 % n },
      values = keys.map { entries[$0]! }
    let factor = try #require(
      EnvelopeCholesky(
        size: n, rows: rows, columns: columns, values: values,
        shift: Array(repeating: 0, count: n)))
    let b = (0..<n).map { _ in random.nextUnit() * 2 - 1 }
    let x = factor.solve(b)
    for i in 0..<n {
      let ax = (0..<n).reduce(0) { $0 + (entries[i * n + $1] ?? 0) * x[$1] }
      #expect(Swift.abs(ax - b[i]) <= 1e-12, "row \(i)")
    }
    // A shift of −(diagonal + 1) leaves a negative pivot.
    let negative = (0..<n).map { -(entries[$0 * n + $0]! + 1) }
    #expect(
      EnvelopeCholesky(size: n, rows: rows, columns: columns, values: values, shift: negative)
        == nil)
  }

  /// ∂f/∂xᵢ of the chained Rosenbrock function, by hand:
  /// −400 xᵢ (xᵢ₊₁ − xᵢ²) − 2 (1 − xᵢ) for i < n − 1, plus 200 (xᵢ − xᵢ₋₁²) for i > 0.
  static func gradient(_ x: [Double]) -> [Double] {
    let n = x.count
    return (0..<n).map { i in
      var g = 0.0
      if i < n - 1 { g += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]) }
      if i > 0 { g += 200 * (x[i] - x[i - 1] * x[i - 1]) }
      return g
    }
  }

  /// −2 ≤ xᵢ ≤ 0.8 from (−1.2, 1, …) at N = 300: the method ends at a KKT point — each
  /// variable strictly inside has ∂f/∂xᵢ = 0, each at its upper bound ∂f/∂xᵢ ≤ 0 (f would fall
  /// only by leaving), within 1e-7 — with some variables at the bound, f far below its start,
  /// and every step inside the bounds.
  @Test func barrierNewtonReachesAKKTPoint() throws {
    let n = 300
    let (f, x) = try Workload.chainedRosenbrock(n)
    let solver = try BarrierNewton(
      f: f, x: x, lower: Array(repeating: -2, count: n), upper: Array(repeating: 0.8, count: n))
    #expect(solver.sparse.coloring.count == 3 && solver.sparse.pattern.nonzeroCount == 3 * n - 2)
    var steps: [BarrierNewton.Iteration] = []
    let start = (0..<n).map { $0 % 2 == 0 ? -1.2 : 1.0 }
    let solution = try solver.minimize(from: start) { steps.append($0) }
    #expect(steps.count <= 40, "\(steps.count) Newton steps")
    #expect(solution.allSatisfy { $0 > -2 && $0 <= 0.8 })
    let g = Self.gradient(solution)
    var atBound = 0
    for i in 0..<n {
      if 0.8 - solution[i] < 1e-6 {
        atBound += 1
        #expect(g[i] <= 1e-7, "x\(i) = \(solution[i]) at the bound, ∂f/∂x = \(g[i])")
      } else {
        #expect(Swift.abs(g[i]) <= 1e-7, "x\(i) = \(solution[i]) inside, ∂f/∂x = \(g[i])")
      }
    }
    #expect(atBound > 0)
    let (value, computed) = try solver.valueAndGradient(solution)
    for i in 0..<n {
      #expect(isClose(computed[i], g[i], tolerance: 1e-9) || Swift.abs(g[i]) < 1e-9)
    }
    let (initial, _) = try solver.valueAndGradient(start.map { Swift.min($0, 0.8) })
    #expect(value < initial / 10)
  }
}
