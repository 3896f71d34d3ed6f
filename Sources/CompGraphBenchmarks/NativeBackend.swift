import CompGraph
import ExampleSupport
import Foundation

/// `native`: the interpreter and the native backend (`Program(graph, backend: .native)`) side by
/// side on W1 (10⁶ points, both variants, n = 1 … 10), W2's ∇f at one point (N = 10⁴) and W3's
/// Hessian at one point (N = 100), beside the best peer of BENCHMARKS.md and the peers run on
/// this machine in the same invocation (`Benchmarks/native_peers.py`: JAX's jit for W1, n ≤ 5,
/// NumPy by hand for W2, SymEngine's LLVM code for W3). Each line is printed as soon as it is measured. One JSON line per case:
///
///     {"workload":"native","case":"W1","variant":"tanh","order":n,"ops":…,
///      "interpreter_seconds":…,"native_seconds":…,"interpreter_best_seconds":…,
///      "native_best_seconds":…,"compile_seconds":…,"cached_load_seconds":…,
///      "max_relative_difference":…,"peer":…,"peer_seconds":…,
///      "same_run_peer":…,"same_run_peer_seconds":…,"same_run_peer_best_seconds":…}
///
/// Times are the median and the best of 9 timed runs, the peers' too (the best is the figure
/// least disturbed by other work on a shared machine).
/// `compile_seconds` is the first `Program(graph, backend: .native)` with an empty cache (C
/// generation, clang, dlopen; the cache is a fresh temporary folder), `cached_load_seconds` the
/// second, which finds the library in the cache.
func runNative(quick: Bool) throws -> [String] {
  let cache = FileManager.default.temporaryDirectory.appendingPathComponent(
    "compgraph-bench-native-\(UUID().uuidString)")
  setenv("COMPGRAPH_CACHE_DIR", cache.path, 1)
  defer { try? FileManager.default.removeItem(at: cache) }
  func emit(_ line: String) {
    print(line)
    fflush(nil)
  }
  let sameRun = quick ? [] : runPeerScript("native_peers.py")
  /// A same-run peer's median and best, from the line `matches` picks: `NAME_seconds` and
  /// `NAME_best_seconds`.
  func sameRunSeconds(_ matches: ([String: Any]) -> Bool, _ name: String) -> (Double, Double)? {
    guard let line = sameRun.first(where: matches), let median = line["\(name)_seconds"] as? Double,
      let best = line["\(name)_best_seconds"] as? Double
    else { return nil }
    return (median, best)
  }
  let points = quick ? 10_000 : 1_000_000
  let xs = (0..<points).map { -2 + 4 * Double($0) / Double(points - 1) }
  for variant in ["tanh", "exp"] {
    for order in quick ? [1, 3] : Array(1...10) {
      FileHandle.standardError.write(Data("native W1 \(variant) n=\(order)\n".utf8))
      let g = GraphBuilder()
      let x = try g.variable("x")
      let f = variant == "tanh" ? tanh(x) : (exp(x) - exp(-x)) / (exp(x) + exp(-x))
      let graph = try derivative(of: f, wrt: x, order: order).graph()
      let peer = w1PeerFigures()[variant]?[order]
      let (name, seconds) = (
        peer?.first { $0.0 == "best_eval" }?.1 as? String,
        peer?.first { $0.0 == "best_eval_seconds" }?.1 as? Double
      )
      let jax = sameRunSeconds(
        {
          $0["case"] as? String == "W1" && $0["variant"] as? String == variant
            && $0["order"] as? Int == order
        }, "jax")
      emit(
        try side(
          [("case", "W1"), ("variant", variant), ("order", order), ("points", points)], graph,
          peer: name.map { ($0, seconds!) }, sameRun: jax.map { ("JAX jit", $0.0, $0.1) }
        ) { program in try program.evaluate(batch: [xs], count: points).values })
    }
  }
  let n2 = quick ? 100 : 10_000
  FileHandle.standardError.write(Data("native W2 n=\(n2)\n".utf8))
  let numpy = sameRunSeconds({ $0["case"] as? String == "W2" }, "numpy")
  emit(
    try onePoint(
      [("case", "W2 gradient"), ("n", n2)], try Workload.w2Gradient(n2),
      peer: n2 == 10_000 ? ("NumPy by hand", 52e-6) : nil,
      sameRun: numpy.map { ("NumPy by hand", $0.0, $0.1) }))
  let n3 = quick ? 10 : 100
  FileHandle.standardError.write(Data("native W3 n=\(n3)\n".utf8))
  emit(
    try onePoint(
      [("case", "W3 Hessian"), ("n", n3)], try Workload.w3Hessian(n3),
      peer: n3 == 100 ? ("SymEngine LLVM", 8.4e-6) : nil,
      sameRun: sameRunSeconds({ $0["case"] as? String == "W3" }, "symengine_llvm").map {
        ("SymEngine LLVM", $0.0, $0.1)
      }))
  return []
}

/// W2 and W3: one point `xᵢ = sin(i + 1)`, timed per evaluation.
private func onePoint(
  _ fields: [(String, Any)], _ graph: Graph, peer: (String, Double)?,
  sameRun: (String, Double, Double)? = nil
) throws -> String {
  let names = graph.variables.map(\.name)
  let point = names.map { sin(Double(Int($0.dropFirst())!) + 1) }
  return try side(fields, graph, peer: peer, sameRun: sameRun, perRun: true) {
    try $0.evaluate(point: point)
  }
}

/// Times `evaluate` on the interpreter and on native code, and compares their values.
private func side(
  _ fields: [(String, Any)], _ graph: Graph, peer: (String, Double)?,
  sameRun: (String, Double, Double)? = nil, perRun: Bool = false,
  _ evaluate: (Program) throws -> [Double]
) throws -> String {
  let interpreter = try Program(graph)
  let start = DispatchTime.now().uptimeNanoseconds
  let native = try Program(graph, backend: .native)
  let compile = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  let reload = DispatchTime.now().uptimeNanoseconds
  _ = try Program(graph, backend: .native)
  let cached = Double(DispatchTime.now().uptimeNanoseconds - reload) / 1e9
  guard native.backend == .native else {
    throw GraphError.unsupported("the native backend is unavailable (see the notice above)")
  }
  func time(_ program: Program) throws -> (median: Double, best: Double) {
    try medianAndBestSeconds(repeating: perRun) { _ = try evaluate(program) }
  }
  let a = try evaluate(interpreter), b = try evaluate(native)
  let difference =
    zip(a, b).map { abs($0 - $1) / max(abs($0), abs($1), .leastNormalMagnitude) }
    .max() ?? 0
  let (interpreterTime, nativeTime) = (try time(interpreter), try time(native))
  var line: [(String, Any)] =
    [("workload", "native")] + fields + [
      ("ops", graph.operationCount), ("interpreter_seconds", interpreterTime.median),
      ("native_seconds", nativeTime.median), ("interpreter_best_seconds", interpreterTime.best),
      ("native_best_seconds", nativeTime.best), ("compile_seconds", compile),
      ("cached_load_seconds", cached), ("max_relative_difference", difference),
    ]
  if let (name, seconds) = peer { line += [("peer", name), ("peer_seconds", seconds)] }
  if let (name, seconds, best) = sameRun {
    line += [
      ("same_run_peer", name), ("same_run_peer_seconds", seconds),
      ("same_run_peer_best_seconds", best),
    ]
  }
  return jsonLine(line)
}
