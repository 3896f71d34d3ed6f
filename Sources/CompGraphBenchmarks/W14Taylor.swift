import CompGraph
import Foundation

/// W14 (BENCHMARKS.md): the n-th derivative at x = 0.3 of tanh(x) and exp(sin x)·ln(1 + x²),
/// n = 10, 20, 50, 100, by Taylor mode at a point (`Graph.taylor(along:at:order:)`, which gives
/// every coefficient up to n, as `jet` does), beside JAX's `jet` (jitted) and mpmath's `diff` at
/// 50 digits from the same invocation (`Benchmarks/w14_peers.py`):
///
///     {"workload":"W14","function":"tanh","order":n,"method":"taylor","seconds":…,
///      "rel_error":…,"peers":{…}}
///
/// Then the crossover against the symbolic tower (`derivative(of:wrt:order:)`, built and
/// evaluated at the point, as `eval --derivative` does) at orders 1 … 12: one `"method":"tower"`
/// line per order with Taylor mode's seconds beside it (and the tower's evaluation alone, its
/// graph built beforehand), and a `"crossover_order"` line: the lowest order from which Taylor
/// mode is faster at every order measured, against the tower built and evaluated and against
/// its evaluation alone.
func runW14(quick: Bool) throws -> [String] {
  let functions: [(name: String, f: (Expr) -> Expr, exact: [Int: Double])] = [
    (
      "tanh", { tanh($0) },
      [
        10: -36306.469601302218, 20: -186136829308596.17, 50: 4.8140860849511392e53,
        100: 9.9361312252414772e136,
      ]
    ),
    (
      "expsin_log", { exp(sin($0)) * ln(1 + $0 * $0) },
      [
        10: -17049.30293067355, 20: 13903657488177484.0, 50: 9.7325174286157641e61,
        100: 2.3716225229376996e154,
      ]
    ),
  ]
  var peers: [String: [String: Any]] = [:]
  if !quick {
    for object in runPeerScript("w14_peers.py") {
      guard let peer = object["peer"] as? String, let function = object["function"] as? String,
        let order = object["order"] as? Int
      else { continue }
      peers["\(peer) \(function) \(order)"] = object
    }
  }
  let point = ["x": 0.3], along = ["x": 1.0]
  var lines: [String] = []
  for (name, f, exact) in functions {
    let x = try GraphBuilder().variable("x")
    let graph = try f(x).graph()
    func taylorSeconds(_ n: Int) throws -> (median: Double, best: Double, value: Double) {
      let times = try medianAndBestSeconds(repeating: true) {
        _ = try graph.jet(along: along, at: point, order: n)
      }
      return (
        times.median, times.best, try graph.jet(along: along, at: point, order: n).derivatives[n]
      )
    }
    for n in quick ? [10, 20] : [10, 20, 50, 100] {
      FileHandle.standardError.write("W14 \(name) n=\(n)\n".data(using: .utf8)!)
      let ours = try taylorSeconds(n)
      let want = exact[n]!
      var fields: [(String, Any)] = [
        ("workload", "W14"), ("function", name), ("order", n), ("method", "taylor"),
        ("seconds", ours.median), ("best_seconds", ours.best), ("value", ours.value),
        ("rel_error", Swift.abs(ours.value - want) / Swift.abs(want)),
      ]
      var peerFields: [(String, Any)] = []
      if let jet = peers["jax_jet \(name) \(n)"], let seconds = jet["seconds"] as? Double,
        let value = jet["value"] as? Double
      {
        peerFields += [
          ("jax_jet_seconds", seconds), ("jax_jet_best_seconds", jet["best_seconds"] ?? 0),
          ("jax_jet_compile_seconds", jet["compile_seconds"] ?? 0),
          ("jax_jet_rel_error", Swift.abs(value - want) / Swift.abs(want)),
        ]
        fields.append(("speed_vs_jet", seconds / ours.median))
      }
      if let mp = peers["mpmath \(name) \(n)"], let seconds = mp["seconds"] as? Double,
        let value = mp["value"] as? Double
      {
        peerFields += [
          ("mpmath_seconds", seconds),
          ("mpmath_rel_error", Swift.abs(value - want) / Swift.abs(want)),
        ]
      }
      if !peerFields.isEmpty { fields.append(("peers", peerFields)) }
      lines.append(jsonLine(fields))
    }
    // The tower at a point: build (simplified order by order) and evaluate, as
    // `eval --derivative` does.
    var crossover: Int?, evalCrossover: Int?
    for n in quick ? [1, 2, 4] : Array(1...12) {
      FileHandle.standardError.write("W14 \(name) tower n=\(n)\n".data(using: .utf8)!)
      var value = 0.0
      let tower = try medianAndBestSeconds(runs: 5, repeating: true) {
        let x = try GraphBuilder().variable("x")
        value = try derivative(of: f(x), wrt: x, order: n).graph().evaluate(point)[0].scalars[0]
      }
      let x = try GraphBuilder().variable("x")
      let built = try derivative(of: f(x), wrt: x, order: n).graph()
      let towerEval = try medianAndBestSeconds(repeating: true) { _ = try built.evaluate(point) }
      let ours = try taylorSeconds(n)
      crossover = ours.median < tower.median ? crossover ?? n : nil
      evalCrossover = ours.median < towerEval.median ? evalCrossover ?? n : nil
      lines.append(
        jsonLine([
          ("workload", "W14"), ("function", name), ("order", n), ("method", "tower"),
          ("seconds", tower.median), ("best_seconds", tower.best), ("value", value),
          ("eval_seconds", towerEval.median), ("ops", built.operationCount),
          ("taylor_seconds", ours.median),
          ("rel_difference_from_taylor", Swift.abs(value - ours.value) / Swift.abs(value)),
        ]))
    }
    lines.append(
      jsonLine([
        ("workload", "W14"), ("function", name), ("crossover_order", crossover ?? -1),
        ("crossover_order_against_tower_eval", evalCrossover ?? -1),
      ]))
  }
  return lines
}
