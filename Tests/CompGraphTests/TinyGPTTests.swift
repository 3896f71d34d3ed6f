import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// The TinyGPT example's model and training loop, at a small size: it learns a tiny corpus,
/// samples from its vocabulary, gives causal attention weights, and a run resumed from a
/// checkpoint ends where the uninterrupted run ends.
@Suite struct TinyGPTTests {
  static let text = String(repeating: "the cat sat on the mat. ", count: 60)

  static var small: TinyGPT.Settings {
    var s = TinyGPT.Settings()
    (s.context, s.dimension, s.heads, s.layers, s.hidden, s.batchSize) = (8, 16, 2, 1, 32, 4)
    s.warmup = 10
    s.dropout = 0.1
    return s
  }

  @Test func learnsATinyCorpusAndSamplesFromIt() throws {
    let vocabulary = TinyGPT.vocabulary(of: Self.text)
    var gpt = try TinyGPT(
      vocabulary: vocabulary, settings: Self.small, scheduleSteps: 200, seed: 3)
    let (train, heldOut) = TinyGPT.split(gpt.encode(Self.text))
    let lnV = log(Double(vocabulary.count))
    let before = try gpt.heldOutLoss(heldOut)
    #expect(abs(before - lnV) < 0.05, "an untrained model guesses uniformly: \(before) vs \(lnV)")
    var losses: [Double] = []
    for _ in 0..<200 { losses.append(try gpt.step(on: train)) }
    let after = try gpt.heldOutLoss(heldOut)
    #expect(after < 0.3 * lnV, "held-out \(after) nats/char after 200 steps (ln V \(lnV))")
    #expect(losses.suffix(20).reduce(0, +) / 20 < 0.35 * lnV)
    let sample = try gpt.sample(prompt: "the ", count: 40, temperature: 0.8, seed: 1)
    #expect(sample.count == 40 && sample.allSatisfy(vocabulary.contains))
    #expect(sample.contains("the"), "\(sample)")
    let (characters, weights) = try gpt.attention(for: "The cat")  // no "T" in the corpus
    #expect(String(characters) == "he cat")
    #expect(weights.count == 1 && weights[0].count == 2)
    for head in weights[0] {
      for (i, row) in head.enumerated() {
        #expect(abs(row.reduce(0, +) - 1) < 1e-12)
        #expect(row[(i + 1)...].allSatisfy { $0 == 0 }, "query \(i) reads a later key: \(row)")
      }
    }
  }

  /// Three steps, saved, then three more from the file end with the state of six steps in one
  /// run (weights, AdamW's state and step, the batch stream; dropout's counter is the step).
  @Test func aResumedRunEndsWhereTheWholeRunEnds() throws {
    let vocabulary = TinyGPT.vocabulary(of: Self.text)
    let corpus = TinyGPT.split(
      try TinyGPT(vocabulary: vocabulary, settings: Self.small, scheduleSteps: 6, seed: 1)
        .encode(Self.text)
    ).train
    var whole = try TinyGPT(vocabulary: vocabulary, settings: Self.small, scheduleSteps: 6, seed: 1)
    for _ in 0..<6 { _ = try whole.step(on: corpus) }
    var first = try TinyGPT(vocabulary: vocabulary, settings: Self.small, scheduleSteps: 6, seed: 1)
    for _ in 0..<3 { _ = try first.step(on: corpus) }
    let saved = try Safetensors.decode(Safetensors.encode(first.checkpoint))
    #expect(try TinyGPT.scheduleSteps(of: saved) == 6)
    var second = try TinyGPT(
      vocabulary: vocabulary, settings: Self.small, scheduleSteps: 6, seed: 1)
    try second.resume(from: saved)
    for _ in 0..<3 { _ = try second.step(on: corpus) }
    #expect(second.stepsTaken == 6)
    #expect(second.state == whole.state)
    var other = try TinyGPT(
      vocabulary: Array("xyz"), settings: Self.small, scheduleSteps: 6, seed: 1)
    #expect {
      try other.resume(from: saved)
    } throws: { error in
      "\(error)".contains("trained on another vocabulary")
    }
  }

  /// With dropout in f32, the training step computes in f32 alone (the mask's numbers are an f32
  /// stream), so it compiles to an f32 tensor plan, whose step (loss, parameters, AdamW's state)
  /// matches the reference evaluator's, and drops elements (the loss differs from no dropout's).
  @Test func anF32StepWithDropoutCompilesToAnF32Plan() throws {
    let vocabulary = TinyGPT.vocabulary(of: Self.text)
    let gpt = try TinyGPT(
      vocabulary: vocabulary, settings: Self.small, scheduleSteps: 10, seed: 5, dtype: .f32)
    let program = gpt.training.program
    #expect(program.tensorPlan?.dtype == .f32)
    let s = Self.small
    let codes = gpt.encode(Self.text)
    let shape: Shape = [s.batchSize, s.context]
    var bindings = gpt.state
    bindings["ids"] = Tensor(
      shape: shape, scalars: (0..<shape.elementCount).map { Double(codes[$0]) }, dtype: .f32)
    bindings["targets"] = Tensor(
      shape: shape, scalars: (0..<shape.elementCount).map { Double(codes[$0 + 1]) }, dtype: .f32)
    bindings["random.key"] = Tensor(5)
    bindings["random.counter"] = Tensor(3)
    let got = try program.evaluate(bindings)
    let expected = try gpt.training.graph.evaluate(bindings)
    // The key's bias shifts each query's scores by one constant, which softmax cancels: its
    // gradient is 0 in exact arithmetic and rounding noise in either evaluator, which AdamW
    // scales to a step of the learning rate's size, so its state is left out.
    for (k, name) in gpt.training.graph.outputNames.enumerated()
    where !name.contains("attention.key.b") {
      let scale = expected[k].scalars.map(abs).max() ?? 0
      for (u, v) in zip(got[k].scalars, expected[k].scalars) {
        #expect(abs(u - v) <= 1e-4 * max(abs(v), scale), "\(name): \(u) vs \(v)")
      }
    }
    let plain = try TinyGPT(
      vocabulary: vocabulary,
      settings: {
        var p = s; p.dropout = 0; return p
      }(),
      scheduleSteps: 10, seed: 5, dtype: .f32)
    let undropped = try plain.training.program.evaluate(bindings)[0].scalars[0]
    #expect(abs(undropped - got[0].scalars[0]) > 1e-3, "dropout changed nothing")
  }

  /// The trained model's forward pass exported to ONNX in f32 (float32 inputs and parameters)
  /// gives onnxruntime the logits CompGraph computes, within f32 rounding (issue 28 §5).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func theTrainedModelsForwardPassRunsInOnnxruntime() throws {
    let vocabulary = TinyGPT.vocabulary(of: Self.text)
    var gpt = try TinyGPT(
      vocabulary: vocabulary, settings: Self.small, scheduleSteps: 20, seed: 2, dtype: .f32)
    let corpus = TinyGPT.split(gpt.encode(Self.text)).train
    for _ in 0..<20 { _ = try gpt.step(on: corpus) }
    let g = GraphBuilder()
    g.defaultDType = .f32
    let ids = try g.variable("ids", [1, Self.small.context])
    let forward = try gpt.model(ids).graph(names: ["logits"])
    var point = gpt.state.filter { name, _ in forward.variableTypes[name] != nil }
    let codes = gpt.encode(Self.text)
    point["ids"] = Tensor(
      shape: [1, Self.small.context], scalars: codes[..<Self.small.context].map(Double.init),
      dtype: .f32)
    #expect(point.count == forward.variables.count)
    #expect(point.values.allSatisfy { $0.dtype == .f32 })
    try ONNXExportTests.check([
      ONNXExportTests.Case(label: "TinyGPT forward, f32", graph: forward, point: point)
    ])
  }
}
