import CompGraph
import Dispatch
import ExampleSupport
import Foundation

/// W6: one training step (forward, gradient, Adam) of the seed's char-RNN —
/// `CharRNN` (B = 8, V = 65, H = 100, T = 20), on fixed random character
/// indices, run as one compiled program (`TrainingStep.program`).  Memory:
/// the program's planned peak beside the most bytes of values alive at once
/// when every node's value is kept from its definition to its last use
/// (outputs to the end).  Full runs also run JAX's jit of the same step in
/// the same invocation (`Benchmarks/w6_jax.py`, `jax_jit_same_run_*`).  One line per element
/// type, f64 then f32, each beside JAX's in the same type.
func runW6(quick: Bool) throws -> [String] {
  let jax = quick ? [] : runPeerScript("w6_jax.py")
  return try [DType.f64, .f32].map { dtype in
    try w6Line(
      dtype: dtype, quick: quick, jax: jax.first { $0["dtype"] as? String == dtype.rawValue })
  }
}

private func w6Line(dtype: DType, quick: Bool, jax: [String: Any]?) throws -> String {
  let steps = quick ? 20 : 200
  FileHandle.standardError.write("W6 \(dtype) \(steps) steps\n".data(using: .utf8)!)
  let vocabulary = (0..<65).map { Character(UnicodeScalar(UInt8(48 + $0))) }
  func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
  let start = now()
  var rnn = try CharRNN(vocabulary: vocabulary, dtype: dtype)
  var rng = SplitMix64(seed: 6)
  let corpus = (0..<1000).map { _ in Int.random(in: 0..<65, using: &rng) }
  let data = rnn.batch(from: corpus, using: &rng)
  _ = try rnn.step(data)
  let first = now() - start
  var times: [Double] = []
  for _ in 0..<steps {
    let t = now()
    _ = try rnn.step(data)
    times.append(now() - t)
  }
  let lossAfter = try rnn.training.graph.evaluate(rnn.state.merging(data) { a, _ in a })[0]
  times.sort()
  let (_, outputs, alive) = plannedPeakBytes(rnn.training.graph)
  let peak = rnn.training.program.peakBytes
  let sameRun: [(String, Any)] = ["step_seconds", "best_step_seconds", "first_step_seconds"]
    .compactMap { key in (jax?[key] as? Double).map { ("jax_jit_same_run_" + key, $0) } }
  return jsonLine(
    [
      ("workload", "W6"), ("dtype", dtype.rawValue), ("blas_core", openBLASCore ?? "unknown"),
      ("step_seconds", times[times.count / 2]),
      ("best_step_seconds", times[0]), ("first_step_seconds", first), ("peak_bytes", peak),
      ("alive_peak_bytes", alive), ("peak_ratio", Double(peak) / Double(alive)),
      ("output_bytes", outputs),
      ("loss_after_\(steps + 1)", lossAfter.scalars[0]), ("nodes", rnn.training.graph.nodeCount),
    ] + sameRun)
}
