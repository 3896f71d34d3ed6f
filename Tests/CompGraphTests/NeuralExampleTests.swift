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

  @Test func spiralsReachNinetyEightPercent() throws {
    var spirals = try Spirals()
    for _ in 0..<Spirals.defaultSteps { _ = try spirals.step() }
    #expect(try spirals.accuracy() >= 0.98)
  }
}
