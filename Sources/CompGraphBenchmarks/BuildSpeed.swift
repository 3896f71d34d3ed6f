import CompGraph
import ExampleSupport
import Foundation

/// Build speed (issue 15): how long derivative graphs take to build where
/// the size grows — deep chains, a multi-variable tower, many outputs, W2 at
/// N = 10⁴ and 10⁵ — one JSON line each:
///
///     {"workload":"build","case":"chain","depth":d,"ops":…,"build_seconds":…,"visits":…}
///     {"workload":"build","case":"tower","variables":4,"order":6,"distinct_partials":…,…}
///     {"workload":"build","case":"outputs","outputs":n,"ops":…,"build_seconds":…}
///     {"workload":"build","case":"W2","n":n,"ops_grad":…,"build_seconds":…}
///
/// `visits` counts the node visits of differentiating and simplifying
/// (`GraphBuilder.visits`): linear growth there is the near-linear claim,
/// free of the machine's noise.
func runBuildSpeed(quick: Bool) throws -> [String] {
  var lines: [String] = []
  for depth in quick ? [1000] : [1000, 10_000, 100_000] {
    FileHandle.standardError.write("build: chain of depth \(depth)\n".data(using: .utf8)!)
    var ops = 0, visits = 0
    // sin(sin(…sin(x))) and its simplified gradient Π cos(sinᵏ x).
    let seconds = try medianSeconds(runs: depth >= 100_000 ? 1 : 3) {
      let g = GraphBuilder()
      let x = try g.variable("x")
      var y = x
      for _ in 0..<depth { y = sin(y) }
      let dy = simplify(try gradient(of: y, wrt: x))
      ops = try dy.graph().operationCount
      visits = g.visits
    }
    lines.append(
      jsonLine([
        ("workload", "build"), ("case", "chain"), ("depth", depth), ("ops", ops),
        ("build_seconds", seconds), ("visits", visits),
      ]))
  }
  lines.append(try towerLine(order: quick ? 3 : 6))
  for n in quick ? [1000] : [1000, 10_000] {
    FileHandle.standardError.write("build: \(n) outputs\n".data(using: .utf8)!)
    // oᵢ = sin(i·x)·y + exp(k·y), their gradients in x and y, as `grad` builds them.
    var ops = 0
    let seconds = try medianSeconds(runs: 3) {
      let g = GraphBuilder()
      let x = try g.variable("x"), y = try g.variable("y")
      let outputs = (0..<n).map { i in sin(x * Double(i + 1)) * y + exp(y * Double(i % 7 + 1)) }
      let graph = try outputs[0].graph(
        names: (0..<n).map { "o\($0)" }, with: Array(outputs.dropFirst()))
      ops = try graph.derivatives(wrt: ["x", "y"], order: 1, simplifying: true).graph
        .operationCount
    }
    lines.append(
      jsonLine([
        ("workload", "build"), ("case", "outputs"), ("outputs", n), ("ops", ops),
        ("build_seconds", seconds),
      ]))
  }
  // W2 at N = 10⁴ and 10⁵, one run each, timed alike (from a built f, the
  // first run at that size): their ratio is the growth from 10⁴ to 10⁵.
  for n in quick ? [] : [10_000, 100_000] {
    FileHandle.standardError.write("build: W2 at N = \(n)\n".data(using: .utf8)!)
    let (f, x) = try Workload.w2(n)
    let start = DispatchTime.now().uptimeNanoseconds
    let ops = try Workload.w2Gradient(of: (f, x)).operationCount
    lines.append(
      jsonLine([
        ("workload", "build"), ("case", "W2"), ("n", n), ("ops_grad", ops),
        ("build_seconds", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9),
      ]))
  }
  return lines
}

/// Every mixed partial of a 4-variable expression up to `order`: how many
/// distinct partials there are (C(4 + n, n), against 4ⁿ ordered ones), how
/// many sweeps built them, and the time.
private func towerLine(order: Int) throws -> String {
  FileHandle.standardError.write("build: tower to order \(order)\n".data(using: .utf8)!)
  var tower: DerivativeTower?
  var ops = 0
  let seconds = try medianSeconds(runs: 3) {
    let g = GraphBuilder()
    let (w, x, y, z) = try (g.variable("w"), g.variable("x"), g.variable("y"), g.variable("z"))
    let f = exp(w * x) * sin(y + z * z) + ln(1 + x * x) * tanh(w * y * z)
    tower = try derivativeTower(of: f, wrt: [w, x, y, z], order: order)
    ops = try g.expr(tower!.partials[0].node).graph(
      names: tower!.partials.indices.map { "d\($0)" },
      with: tower!.partials.dropFirst().map { g.expr($0.node) }
    ).operationCount
  }
  return jsonLine([
    ("workload", "build"), ("case", "tower"), ("variables", 4), ("order", order),
    ("distinct_partials", tower!.count),
    ("ordered_partials", (0...order).reduce(0) { $0 + 1 << (2 * $1) }),
    ("sweeps", tower!.sweeps), ("ops", ops), ("build_seconds", seconds),
  ])
}

/// The fastest symbolic builders' times on W1–W3 measured in this run
/// (`Benchmarks/build_peers.py`: SymEngine on W1, CasADi on W2 and W3),
/// keyed "W1 tanh", "W1 exp", "W2", "W3"; empty when not run (`--quick`, or
/// the peers are not installed).
struct SameRunBuildPeers {
  var figures: [String: (peer: String, median: Double, best: Double)] = [:]

  init(running: Bool) {
    guard running else { return }
    for object in runPeerScript("build_peers.py") {
      guard let name = object["case"] as? String, let peer = object["peer"] as? String,
        let median = object["seconds"] as? Double, let best = object["best_seconds"] as? Double
      else { continue }
      let key = (object["variant"] as? String).map { "\(name) \($0)" } ?? name
      figures[key] = (peer, median, best)
    }
  }
}

/// `build_seconds` beside the fastest symbolic builder's on the same
/// workload: BENCHMARKS.md's figure ("Build speed", measured on another
/// machine) and, when there is one, this run's (`same_run_build_ratio` is
/// the bar's ratio).
func fastestBuildPeer(
  _ name: String, seconds peer: Double, ours: Double, sameRun: SameRunBuildPeers, key: String
) -> [(String, Any)] {
  var fields: [(String, Any)] = [
    ("fastest_build_peer", name), ("fastest_build_peer_seconds", peer),
    ("build_ratio", ours / peer),
  ]
  if let figure = sameRun.figures[key] {
    fields += [
      ("same_run_build_peer", figure.peer), ("same_run_build_peer_seconds", figure.median),
      ("same_run_build_peer_best_seconds", figure.best),
      ("same_run_build_ratio", ours / figure.median),
    ]
  }
  return fields
}
