import CompGraph
import Dispatch
import Foundation

/// W7: one training step (forward, gradient, momentum SGD) of a
/// 784-256-256-10 relu MLP on a batch of 128, softmax cross-entropy averaged
/// over the batch, as one compiled `TrainingStep`, in f64 and in f32; the
/// step's GEMM work in GFLOP/s, to set beside W4's matmul.  Full runs also
/// run JAX's jit of the same step in both types in the same invocation
/// (`Benchmarks/w7_jax.py`, `jax_jit_same_run_*`).
func runW7(quick: Bool) throws -> [String] {
  let jax = quick ? [] : runPeerScript("w7_jax.py")
  return try [DType.f64, .f32].map { dtype in
    try w7Line(
      dtype: dtype, quick: quick, jax: jax.first { $0["dtype"] as? String == dtype.rawValue })
  }
}

private func w7Line(dtype: DType, quick: Bool, jax: [String: Any]?) throws -> String {
  let steps = quick ? 10 : 100
  let (batch, sizes) = (128, [784, 256, 256, 10])
  FileHandle.standardError.write("W7 \(dtype) \(steps) steps\n".data(using: .utf8)!)
  func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
  let start = now()
  let mlp = MLP(
    "mlp", sizes: sizes, activation: relu, activationName: "relu", gain: 2.0.squareRoot())
  let g = GraphBuilder()
  g.defaultDType = dtype
  let x = try g.variable("x", [batch, sizes[0]])
  let y = try g.variable("y", [batch])
  let loss = crossEntropy(mlp(x), y)
  let step = try TrainingStep(
    loss: loss, parameters: mlp.parameters.map(\.path),
    optimizer: Momentum(learningRate: 0.1, momentum: 0.9))
  var state = mlp.initialParameters(seed: 7).merging(step.initialOptimizerState) { a, _ in a }
  var rng = SplitMix64(seed: 7)
  let pixels = (0..<batch * sizes[0]).map { _ in Double.random(in: 0..<1, using: &rng) }
  let labels = (0..<batch).map { _ in Int.random(in: 0..<sizes.last!, using: &rng) }
  let data = [
    "x": Tensor(shape: [batch, sizes[0]], scalars: pixels),
    "y": Tensor(shape: [batch], scalars: labels.map(Double.init)),
  ]
  let firstLoss = try step.run(&state, data: data)
  let first = now() - start
  var times: [Double] = []
  var lastLoss = firstLoss
  for _ in 0..<steps {
    let t = now()
    lastLoss = try step.run(&state, data: data)
    times.append(now() - t)
  }
  times.sort()
  // Forward: one GEMM per layer; backward: the weight gradient of every
  // layer and the input gradient of all but the first (2·m·n·k each).
  let layers = zip(sizes, sizes.dropFirst()).map { 2.0 * Double(batch * $0 * $1) }
  let flops = layers.reduce(0, +) * 2 + layers.dropFirst().reduce(0, +)
  let median = times[times.count / 2]
  let sameRun: [(String, Any)] = ["step_seconds", "best_step_seconds", "first_step_seconds"]
    .compactMap { key in (jax?[key] as? Double).map { ("jax_jit_same_run_" + key, $0) } }
  return jsonLine(
    [
      ("workload", "W7"), ("dtype", dtype.rawValue), ("blas_core", openBLASCore ?? "unknown"),
      ("step_seconds", median), ("best_step_seconds", times[0]),
      ("first_step_seconds", first), ("gflops", flops / median / 1e9),
      ("peak_bytes", step.program.peakBytes), ("loss_first", firstLoss),
      ("loss_after_\(steps + 1)", lastLoss),
    ] + sameRun)
}
