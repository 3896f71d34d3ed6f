import CompGraph
import Foundation

/// W1 (BENCHMARKS.md): the n-th derivative of tanh, n = 1 … 10, in two
/// variants — `tanh` (the primitive) and `exp`, (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) — each
/// built as the derivative of the simplified (n−1)-th.  One JSON line per
/// variant and order:
///
///     {"workload":"W1","variant":"tanh","order":n,"ops":…,"build_seconds":…,
///      "eval_seconds":…,"value_at_0_5":…}
///
/// `build_seconds` is cumulative from f to the n-th derivative; times are
/// medians of 5 after a warm-up.  Evaluation is at `linspace(-2, 2,
/// 1_000_000)` (10,000 points with `quick`), by the compiled `Program`.
func runW1(quick: Bool, buildPeers: SameRunBuildPeers) -> [String] {
  let points = quick ? 10_000 : 1_000_000
  let xs = (0..<points).map { -2 + 4 * Double($0) / Double(points - 1) }
  var lines: [String] = []
  for variant in ["tanh", "exp"] {
    for order in 1...10 {
      do {
        func build() throws -> Expr {
          let g = GraphBuilder()
          let x = try g.variable("x")
          let f = variant == "tanh" ? tanh(x) : (exp(x) - exp(-x)) / (exp(x) + exp(-x))
          return try derivative(of: f, wrt: x, order: order)
        }
        let d = try build()
        let graph = try d.graph()
        let buildSeconds = medianSecondsPerRun { _ = try? build() }
        let program = try Program(graph)
        let evalSeconds = try medianSeconds { _ = try program.evaluate(batch: [xs], count: points) }
        let value = try program.evaluate(["x": 0.5])[0]
        var fields: [(String, Any)] = [
          ("workload", "W1"), ("variant", variant), ("order", order),
          ("ops", graph.operationCount),
          ("build_seconds", buildSeconds), ("eval_seconds", evalSeconds), ("value_at_0_5", value),
        ]
        if order == 10 {
          fields += fastestBuildPeer(
            "SymEngine", seconds: variant == "tanh" ? 94e-6 : 122e-6, ours: buildSeconds,
            sameRun: buildPeers, key: "W1 \(variant)")
        }
        if let peers = w1PeerFigures()[variant]?[order] { fields.append(("peers", peers)) }
        lines.append(jsonLine(fields))
        FileHandle.standardError.write(
          "W1 \(variant) n=\(order): \(graph.operationCount) ops\n".data(using: .utf8)!)
      } catch {
        FileHandle.standardError.write(
          "W1 \(variant) n=\(order) failed: \(error)\n".data(using: .utf8)!)
      }
    }
  }
  return lines
}

/// BENCHMARKS.md's peer figures for W1, by variant and order: SymEngine's op
/// count after cse (the smallest peer graph), the best peer's cumulative
/// build and the best peer's evaluation at 10⁶ points.
func w1PeerFigures() -> [String: [Int: [(String, Any)]]] {
  [
    "tanh": [
      1: [
        ("symengine_ops", 4), ("symengine_build_seconds", 2.7e-6), ("best_eval_seconds", 1.4e-3),
        ("best_eval", "JAX jit"),
      ],
      3: [
        ("symengine_ops", 9), ("symengine_build_seconds", 17e-6), ("best_eval_seconds", 1.0e-3),
        ("best_eval", "JAX jit"),
      ],
      5: [
        ("symengine_ops", 14), ("symengine_build_seconds", 36e-6), ("best_eval_seconds", 4.1e-3),
        ("best_eval", "JAX jit"),
      ],
      8: [
        ("symengine_ops", 21), ("symengine_build_seconds", 70e-6), ("best_eval_seconds", 13.8e-3),
        ("best_eval", "SymEngine LLVM"),
      ],
      10: [
        ("symengine_ops", 26), ("symengine_build_seconds", 102e-6), ("best_eval_seconds", 15.8e-3),
        ("best_eval", "SymEngine LLVM"),
      ],
    ],
    "exp": [
      1: [
        ("symengine_ops", 10), ("symengine_build_seconds", 7e-6), ("best_eval_seconds", 2.8e-3),
        ("best_eval", "JAX jit"),
      ],
      5: [
        ("symengine_ops", 20), ("symengine_build_seconds", 57e-6), ("best_eval_seconds", 6.5e-3),
        ("best_eval", "JAX jit"),
      ],
      8: [
        ("symengine_ops", 28), ("symengine_build_seconds", 120e-6), ("best_eval_seconds", 13.3e-3),
        ("best_eval", "SymEngine LLVM"),
      ],
      10: [
        ("symengine_ops", 33), ("symengine_build_seconds", 166e-6), ("best_eval_seconds", 12.7e-3),
        ("best_eval", "SymEngine LLVM"),
      ],
    ],
  ]
}
