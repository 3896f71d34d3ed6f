import CompGraph
import Dispatch
import Foundation

/// W10: one training step of a small GPT (BENCHMARKS.md § W10) — vocabulary 96, context 64,
/// batch 16, d_model 128, 4 heads, 4 pre-LN blocks, MLP 512 with tanh-GELU, the head tied to
/// the token embedding, mean cross-entropy, AdamW (3e-4, β 0.9/0.95, ε 1e-8, weight decay 0.1 on
/// matrices) — as one compiled `TrainingStep`, in f64 and in f32. Full runs write the initial
/// parameters and the batch to a safetensors file and run JAX's jit of the same step on them in
/// the same invocation (`Benchmarks/w10_jax.py`, `jax_jit_same_run_*`), so both first losses
/// are of one step on the same values.
func runW10(quick: Bool) throws -> [String] {
  let steps = quick ? 2 : 20
  let setup = try W10Setup()
  var jax: [[String: Any]] = []
  if !quick {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("compgraph-w10-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("w10.safetensors")
    try Safetensors.write(
      setup.parameters.merging(setup.batch) { a, _ in a }, to: file)
    jax = runPeerScript("w10_jax.py", arguments: [file.path, "\(steps)"])
  }
  return try [DType.f64, .f32].map { dtype in
    try w10Line(
      setup, dtype: dtype, steps: steps,
      jax: jax.first { $0["dtype"] as? String == dtype.rawValue })
  }
}

/// W10's model, initial parameters (`initialParameters(seed: 20240601)`) and batch: 16 windows
/// of 65 characters of this repository's README mapped to 0..<96 by `c % 96` (the Unicode
/// scalars' values), at starts drawn from `SplitMix64(seed: 20240601)`.
struct W10Setup {
  static let (vocabulary, context, batchSize) = (96, 64, 16)
  let model = GPT(
    vocabularySize: W10Setup.vocabulary, context: W10Setup.context, dimension: 128, heads: 4,
    layers: 4, hidden: 512)
  let parameters: [String: Tensor]
  /// `ids` and `targets`, [16, 64], the next character at each position.
  let batch: [String: Tensor]

  init() throws {
    parameters = model.initialParameters(seed: 20_240_601)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(
      contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let codes = readme.unicodeScalars.map { Int($0.value) % Self.vocabulary }
    var random = SplitMix64(seed: 20_240_601)
    var ids: [Double] = [], targets: [Double] = []
    for _ in 0..<Self.batchSize {
      let start = Int.random(in: 0..<(codes.count - Self.context), using: &random)
      ids += codes[start..<start + Self.context].map(Double.init)
      targets += codes[start + 1...start + Self.context].map(Double.init)
    }
    let shape: Shape = [Self.batchSize, Self.context]
    batch = [
      "ids": Tensor(shape: shape, scalars: ids), "targets": Tensor(shape: shape, scalars: targets),
    ]
  }

  /// Multiply-adds of the step's contractions, ×2: the forward pass's (per block the query, key,
  /// value and output projections, the scores and the weighted values, the MLP's two layers;
  /// then the tied head) and twice that for the backward pass.
  var flops: Double {
    let (bt, d, h, t) = (Double(Self.batchSize * Self.context), 128.0, 512.0, Double(Self.context))
    let block = 2 * bt * d * d * 4 + 2 * 2 * bt * t * d + 2 * bt * d * h * 2
    let forward = block * 4 + 2 * bt * d * Double(Self.vocabulary)
    return 3 * forward
  }
}

private func w10Line(_ setup: W10Setup, dtype: DType, steps: Int, jax: [String: Any]?) throws
  -> String
{
  FileHandle.standardError.write("W10 \(dtype) \(steps) steps\n".data(using: .utf8)!)
  func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
  let start = now()
  let g = GraphBuilder()
  g.defaultDType = dtype
  let shape: Shape = [W10Setup.batchSize, W10Setup.context]
  let ids = try g.variable("ids", shape)
  let targets = try g.variable("targets", shape)
  let step = try TrainingStep(
    loss: setup.model.loss(ids, targets: targets),
    parameters: setup.model.parameters.map(\.path),
    optimizer: AdamW(
      learningRate: 3e-4, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1,
      decaying: .matrices))
  var state = setup.parameters.merging(step.initialOptimizerState) { a, _ in a }
    .mapValues { $0.rounded(to: dtype) }
  let data = setup.batch.mapValues { $0.rounded(to: dtype) }
  let firstLoss = try step.run(&state, data: data)
  let first = now() - start
  var times: [Double] = []
  for _ in 0..<steps {
    let t = now()
    _ = try step.run(&state, data: data)
    times.append(now() - t)
  }
  times.sort()
  let median = times[times.count / 2]
  let parameters = setup.parameters.values.map(\.scalars.count).reduce(0, +)
  var sameRun: [(String, Any)] = [
    "step_seconds", "best_step_seconds", "first_step_seconds", "peak_bytes", "loss_first",
  ].compactMap { key in jax?[key].map { ("jax_jit_same_run_" + key, $0) } }
  if let theirs = jax?["step_seconds"] as? Double {
    sameRun.append(("speed_vs_jax_median", theirs / median))
  }
  if let theirs = jax?["best_step_seconds"] as? Double {
    sameRun.append(("speed_vs_jax_best", theirs / times[0]))
  }
  return jsonLine(
    [
      ("workload", "W10"), ("dtype", dtype.rawValue), ("blas_core", openBLASCore ?? "unknown"),
      ("parameters", parameters), ("step_seconds", median), ("best_step_seconds", times[0]),
      ("first_step_seconds", first), ("gflops", setup.flops / median / 1e9),
      ("peak_bytes", step.program.peakBytes), ("loss_first", firstLoss),
    ] + sameRun)
}
