import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

@Suite struct NeuralExampleTests {
  /// A few hundred steps on a tiny corpus take the loss far below ln V, the
  /// loss of a uniform guess.
  @Test func charRNNLearnsATinyCorpus() throws {
    let text = String(repeating: "the cat sat on the mat. ", count: 20)
    var rnn = try CharRNN(vocabulary: CharRNN.vocabulary(of: text), hiddenSize: 32)
    let corpus = rnn.encode(text)
    var rng = SplitMix64(seed: 4)
    var losses: [Double] = []
    for _ in 0..<300 {
      losses.append(rnn.perCharacter(try rnn.step(rnn.batch(from: corpus, using: &rng))))
    }
    let lnV = log(Double(rnn.vocabulary.count))
    #expect(abs(losses[0] - lnV) < 0.01)  // starts as a uniform guess
    let last = losses.suffix(20).reduce(0, +) / 20
    #expect(last < 0.25 * lnV, "loss \(last), ln V \(lnV)")
    let sample = try rnn.sample(prompt: "the ", count: 30, temperature: 0.5, using: &rng)
    #expect(sample.count == 30 && sample.allSatisfy(rnn.vocabulary.contains))
  }

  @Test func charRNNSavesAndResumes() throws {
    let text = "abcabcabcabcabcabcabcabcabc"
    var rnn = try CharRNN(
      vocabulary: CharRNN.vocabulary(of: text), hiddenSize: 8, batchSize: 2, length: 5)
    var rng = SplitMix64(seed: 1)
    let corpus = rnn.encode(text)
    _ = try rnn.step(rnn.batch(from: corpus, using: &rng))
    let data = Safetensors.encode(rnn.checkpoint)
    var resumed = try CharRNN(
      vocabulary: rnn.vocabulary, hiddenSize: 8, batchSize: 2, length: 5, seed: 99)
    try resumed.resume(from: try Safetensors.decode(data))
    #expect(resumed.state == rnn.state)
    var other = try CharRNN(vocabulary: Array("xyz"), hiddenSize: 8, batchSize: 2, length: 5)
    #expect {
      try other.resume(from: try Safetensors.decode(data))
    } throws: { error in
      "\(error)".contains("trained on another vocabulary")
    }
  }

  /// Four steps, saved, then four more from the checkpoint end where eight
  /// steps in one run end: the same weights, Adam state, step count and
  /// random stream (sampling in between does not move the batches).
  @Test func aResumedRunContinuesItsStepsAndItsRandomStream() throws {
    let text = "the cat sat on the mat. the dog sat on the log. "
    func fresh(seed: UInt64 = 5) throws -> CharRNN {
      try CharRNN(
        vocabulary: CharRNN.vocabulary(of: text), hiddenSize: 8, batchSize: 2, length: 5,
        seed: seed)
    }
    var whole = try fresh()
    let corpus = whole.encode(text)
    for _ in 0..<8 { _ = try whole.step(on: corpus) }
    var first = try fresh()
    for _ in 0..<4 { _ = try first.step(on: corpus) }
    _ = try first.sample(prompt: "the", count: 10, temperature: 0.7)
    let saved = try Safetensors.decode(Safetensors.encode(first.checkpoint))
    var second = try fresh(seed: 99)
    try second.resume(from: saved)
    #expect(second.stepsTaken == 4)
    for _ in 0..<4 { _ = try second.step(on: corpus) }
    #expect(second.stepsTaken == 8)
    #expect(second.state == whole.state)
    #expect(second.random.state == whole.random.state)
    var old = saved
    old["training.random"] = nil
    #expect {
      try second.resume(from: old)
    } throws: { error in
      "\(error)".contains("saved by an older CharRNN")
    }
  }

  /// A checkpoint with one NaN in Adam's state (which made sampling trap on
  /// `0..<NaN`), or a negative second moment, is refused on resume with the
  /// tensor and element named, and the state is left as it was.
  @Test func charRNNRefusesADamagedCheckpoint() throws {
    let text = "abcabcabcabcabcabcabcabcabc"
    let rnn = try CharRNN(
      vocabulary: CharRNN.vocabulary(of: text), hiddenSize: 8, batchSize: 2, length: 5)
    for (name, value, why) in [
      ("optimizer.m.rnn.cell.W", Double.nan, ""), ("rnn.out.b", .infinity, ""),
      ("optimizer.v.rnn.cell.b", -1, ", but Adam's second moments are not negative"),
      ("optimizer.beta1_power", 0, ", but Adam's β powers lie in (0, 1]"),
    ] {
      var tensors = rnn.checkpoint
      var scalars = tensors[name]!.scalars
      scalars[scalars.count - 1] = value
      tensors[name] = Tensor(shape: tensors[name]!.shape, scalars: scalars)
      var resumed = try CharRNN(
        vocabulary: rnn.vocabulary, hiddenSize: 8, batchSize: 2, length: 5, seed: 7)
      let before = resumed.state
      #expect {
        try resumed.resume(from: try Safetensors.decode(Safetensors.encode(tensors)))
      } throws: { error in
        "\(error)".contains(
          "the saved tensor '\(name)' holds \(value) at element \(scalars.count - 1)\(why): the checkpoint is damaged"
        )
      }
      #expect(resumed.state == before)
    }
    // Sampling from parameters that are not finite throws instead of trapping.
    var broken = rnn
    broken.state["rnn.out.b"] = Tensor(
      shape: rnn.state["rnn.out.b"]!.shape,
      scalars: [Double](repeating: .nan, count: rnn.state["rnn.out.b"]!.scalars.count))
    #expect(throws: GraphError.self) {
      try broken.sample(prompt: "a", count: 3, temperature: 1)
    }
  }

  @Test func spiralsReachNinetyEightPercent() throws {
    var spirals = try Spirals()
    for _ in 0..<Spirals.defaultSteps { _ = try spirals.step() }
    #expect(try spirals.accuracy() >= 0.98)
  }

  /// The same training in f32 (parameters, Adam's state and every operation
  /// rounded to f32) reaches the f64 run's accuracy, and its loss curve stays
  /// within f32 rounding of the f64 one early on.
  @Test func spiralsInF32ReachTheF64Accuracy() throws {
    var single = try Spirals(dtype: .f32)
    var double = try Spirals()
    #expect(single.training.program.outputNames == double.training.program.outputNames)
    for step in 0..<Spirals.defaultSteps {
      let a = try single.step(), b = try double.step()
      if step < 20 { #expect(abs(a - b) <= 1e-4 * abs(b), "step \(step): f32 \(a), f64 \(b)") }
    }
    #expect(single.state.values.allSatisfy { $0.dtype == .f32 })
    let accuracy = try single.accuracy()
    #expect(accuracy >= 0.98)
    #expect(accuracy >= (try double.accuracy()) - 0.01)
  }
}
