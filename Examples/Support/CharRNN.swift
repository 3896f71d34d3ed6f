import CompGraph
import Foundation

/// The seed project's character-level RNN as modules:
///
///     h_t = tanh(h_{t−1}·W + onehot(c_t)·U + b)   (rnn.cell)
///     logits_t = h_t·Wₒ + bₒ                       (rnn.out)
///     loss = (1/T) Σ_t Σ_b CE(softmax(logits_t[b]), c_{t+1}[b])
///
/// over a batch of B sequences of T characters c_t (integer indices, T − 1
/// predictions), with the op set's `oneHot` and `crossEntropy`, trained by
/// Adam as one `TrainingStep` graph (BENCHMARKS.md W6).
public struct CharRNNModel: Module {
  public let name = "rnn"
  public let cell: RNNCell
  public let out: Linear

  public init(vocabularySize: Int, hiddenSize: Int) {
    cell = RNNCell("cell", inputSize: vocabularySize, hiddenSize: hiddenSize)
    out = Linear("out", hiddenSize, vocabularySize, weightInit: .normal(scale: 0.01))
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { [cell, out] }

  /// The unrolled loss over the characters `cs` of a batch (each [B],
  /// vocabulary indices).  The T − 1 hidden states are stacked, so the
  /// output layer is one matrix product and `crossEntropy` (the mean over
  /// its (T − 1)·B rows) one op; (T − 1)·B/T times it is the sum over the
  /// batch divided by T.
  public func loss(_ cs: [Expr]) -> Expr {
    scoped(cs[0].builder) {
      var h: Expr? = nil
      var hidden: [Expr] = []
      for t in 0..<cs.count - 1 {
        let next = cell(h, oneHot(cs[t], cell.inputSize))
        hidden.append(next)
        h = next
      }
      let logits = out(concat(hidden, axis: 0))
      let predictions = (cs.count - 1) * (cs[0].shape?.first ?? 1)
      return crossEntropy(logits, concat(Array(cs.dropFirst()), axis: 0))
        * (Double(predictions) / Double(cs.count))
    }
  }

  /// One step of the recurrence for sampling: (h, c) ↦ (h′, logits) for
  /// characters `c` [B].
  public func step(_ h: Expr, _ c: Expr) -> (hidden: Expr, logits: Expr) {
    scoped(c.builder) {
      let next = cell(h, oneHot(c, cell.inputSize))
      return (next, out(next))
    }
  }
}

/// Training state and data for `CharRNNModel` on a text corpus.
public struct CharRNN {
  public let vocabulary: [Character]
  public let batchSize: Int
  public let length: Int
  public let model: CharRNNModel
  public let training: TrainingStep
  /// Parameters and Adam's state, keyed by path.
  public var state: [String: Tensor]
  /// Training steps taken so far, resumed runs included.
  public private(set) var stepsTaken = 0
  /// The random stream batches are drawn from (samples are seeded by it);
  /// a checkpoint saves where it stands, so a resumed run draws what the
  /// uninterrupted run would have.
  public var random: SplitMix64
  let sampler: Graph
  let index: [Character: Int]

  /// B sequences of T characters, hidden size H, Adam with rate `learningRate`, every value
  /// (parameters, optimizer state, the characters' indices) of element type `dtype`.
  public init(
    vocabulary: [Character], hiddenSize: Int = 100, batchSize: Int = 8, length: Int = 20,
    learningRate: Double = 0.01, seed: UInt64 = 1, dtype: DType = .f64
  ) throws {
    self.vocabulary = vocabulary
    self.batchSize = batchSize
    self.length = length
    random = SplitMix64(seed: seed)
    index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    let V = vocabulary.count
    model = CharRNNModel(vocabularySize: V, hiddenSize: hiddenSize)
    let g = GraphBuilder()
    g.defaultDType = dtype
    let xs = try (0..<length).map { try g.variable("x\($0)", [batchSize]) }
    training = try TrainingStep(
      loss: model.loss(xs), parameters: model.parameters.map(\.path),
      optimizer: Adam(learningRate: learningRate))
    state = model.initialParameters(seed: seed).merging(training.initialOptimizerState) { a, _ in a
    }
    let s = GraphBuilder()
    s.defaultDType = dtype
    let (h, logits) = model.step(
      try s.variable("h", [1, hiddenSize]), try s.variable("x", [1]))
    sampler = try h.graph(names: ["h", "logits"], with: [logits])
  }

  /// The distinct characters of `text`, sorted.
  public static func vocabulary(of text: String) -> [Character] { Array(Set(text)).sorted() }

  /// The characters of `text` as vocabulary indices (characters outside the
  /// vocabulary are dropped).
  public func encode(_ text: String) -> [Int] { text.compactMap { index[$0] } }

  /// B windows of T characters starting at random offsets of `corpus`:
  /// `x0` … `x{T−1}`, each the B characters at one position (as indices).
  public func batch(from corpus: [Int], using rng: inout some RandomNumberGenerator) -> [String:
    Tensor]
  {
    let starts = (0..<batchSize).map { _ in Int.random(in: 0...(corpus.count - length), using: &rng)
    }
    var data: [String: Tensor] = [:]
    for t in 0..<length {
      data["x\(t)"] = Tensor(shape: [batchSize], scalars: starts.map { Double(corpus[$0 + t]) })
    }
    return data
  }

  /// One Adam step on `data`; returns the loss before the step.
  public mutating func step(_ data: [String: Tensor]) throws -> Double {
    let loss = try training.run(&state, data: data)
    stepsTaken += 1
    return loss
  }

  /// One Adam step on a batch of `corpus` drawn from `random`; returns the
  /// loss before the step.
  public mutating func step(on corpus: [Int]) throws -> Double {
    let data = batch(from: corpus, using: &random)
    return try step(data)
  }

  /// The mean cross-entropy per predicted character (nats) for a W6 loss:
  /// the loss sums over the batch and divides by T, not by the T − 1 predictions.
  public func perCharacter(_ loss: Double) -> Double {
    loss * Double(length) / Double((length - 1) * batchSize)
  }

  /// `count` characters sampled after feeding `prompt`, from softmax(logits
  /// / τ), drawing from a stream seeded by where `random` stands without
  /// advancing it: the batches are the same whether or not (and however
  /// often) a run samples, so a run resumed from a checkpoint trains on
  /// what the uninterrupted run would have.
  public func sample(prompt: String, count: Int, temperature: Double) throws -> String {
    var rng = SplitMix64(seed: random.state ^ 0x5A4D_504C_4553)
    return try sample(prompt: prompt, count: count, temperature: temperature, using: &rng)
  }

  /// `count` characters sampled after feeding `prompt`, from softmax(logits / τ).
  public func sample(
    prompt: String, count: Int, temperature: Double, using rng: inout some RandomNumberGenerator
  ) throws -> String {
    let H = model.cell.hiddenSize, V = vocabulary.count
    func character(_ c: Int) -> Tensor { Tensor(shape: [1], scalars: [Double(c)]) }
    var bindings = state
    bindings["h"] = Tensor(repeating: 0, shape: [1, H])
    let codes = encode(prompt)
    for c in codes.dropLast() {
      bindings["x"] = character(c)
      bindings["h"] = try sampler.evaluate(bindings)[0]
    }
    var last = codes.last ?? 0
    var out = ""
    for _ in 0..<count {
      bindings["x"] = character(last)
      let values = try sampler.evaluate(bindings)
      bindings["h"] = values[0]
      let scaled = values[1].scalars.map { $0 / temperature }
      let top = scaled.max()!
      let weights = scaled.map { Foundation.exp($0 - top) }
      let total = weights.reduce(0, +)
      guard total.isFinite, total > 0 else {
        throw GraphError.unsupported(
          "sampling needs finite logits, but the model gives \(top): its parameters are not finite")
      }
      var u = Double.random(in: 0..<total, using: &rng)
      last =
        weights.indices.first {
          u -= weights[$0]; return u < 0
        } ?? V - 1
      out.append(vocabulary[last])
    }
    return out
  }

  /// The parameters and optimizer state plus the vocabulary (as Unicode
  /// scalar values), the steps taken (`training.steps`) and where the random
  /// stream stands (`training.random`, its 64-bit state as four 16-bit
  /// words, each exact in a Double), for `Safetensors.write`.
  public var checkpoint: [String: Tensor] {
    var tensors = state
    tensors["vocabulary"] = Tensor(
      shape: [vocabulary.count],
      scalars: vocabulary.map { Double($0.unicodeScalars.first!.value) })
    tensors["training.steps"] = Tensor(shape: [1], scalars: [Double(stepsTaken)])
    tensors["training.random"] = Tensor(
      shape: [4], scalars: (0..<4).map { Double((random.state >> (16 * UInt64($0))) & 0xFFFF) })
    return tensors
  }

  /// Resumes from `checkpoint` tensors: every state tensor must be there with
  /// its shape, and the vocabulary must be this one; the step count and the
  /// random stream continue from where they were saved.
  public mutating func resume(from tensors: [String: Tensor]) throws {
    let mine = checkpoint["vocabulary"]!
    guard tensors["vocabulary"] == mine else {
      throw GraphError.unsupported(
        "the saved model was trained on another vocabulary (\(tensors["vocabulary"]?.scalars.count ?? 0) characters, this corpus has \(mine.scalars.count)); resume with the same corpus"
      )
    }
    guard let steps = tensors["training.steps"]?.scalars, steps.count == 1,
      let count = Int(exactly: steps[0]), count >= 0,
      let words = tensors["training.random"]?.scalars, words.count == 4,
      words.allSatisfy({ $0 >= 0 && $0 <= 0xFFFF && $0 == $0.rounded() })
    else {
      throw GraphError.unsupported(
        "the saved model has no step count and random state ('training.steps' [1], 'training.random' [4]); it was saved by an older CharRNN, so it cannot continue where it stopped"
      )
    }
    for (name, value) in state {
      guard let saved = tensors[name] else {
        throw GraphError.unsupported("the saved model has no tensor '\(name)'")
      }
      guard saved.shape == value.shape else {
        throw GraphError.unsupported(
          "the saved tensor '\(name)' has shape \(saved.shape.shapeDescription), the model needs \(value.shape.shapeDescription)"
        )
      }
      try Self.check(saved, named: name)
    }
    for (name, value) in tensors where state[name] != nil { state[name] = value }
    stepsTaken = count
    random = SplitMix64(
      seed: words.enumerated().reduce(0) { $0 | UInt64($1.element) << (16 * UInt64($1.offset)) })
  }

  /// Throws unless every value of the saved state tensor `name` can continue training: finite,
  /// Adam's second moments `optimizer.v.*` not negative, and its β powers in (0, 1].
  static func check(_ saved: Tensor, named name: String) throws {
    func damaged(_ k: Int, _ why: String) -> GraphError {
      .unsupported(
        "the saved tensor '\(name)' holds \(saved.scalars[k]) at element \(k)\(why): the checkpoint is damaged; resume from another one, or train without --resume"
      )
    }
    if let k = saved.scalars.firstIndex(where: { !$0.isFinite }) { throw damaged(k, "") }
    if name.hasPrefix("optimizer.v."), let k = saved.scalars.firstIndex(where: { $0 < 0 }) {
      throw damaged(k, ", but Adam's second moments are not negative")
    }
    if name.hasPrefix("optimizer.beta"),
      let k = saved.scalars.firstIndex(where: { !($0 > 0 && $0 <= 1) })
    {
      throw damaged(k, ", but Adam's β powers lie in (0, 1]")
    }
  }
}

extension CharRNN {
  /// The mean cross-entropy (nats per character) over the windows of T characters that tile
  /// `corpus`, each from h₀ = 0 (T − 1 predictions a window), all in one batch.
  public func heldOutLoss(_ corpus: [Int]) throws -> Double {
    let windows = Array(stride(from: 0, through: corpus.count - length, by: length))
    let g = GraphBuilder()
    let xs = try (0..<length).map { try g.variable("x\($0)", [windows.count]) }
    var bindings = state
    for t in 0..<length {
      bindings["x\(t)"] = Tensor(
        shape: [windows.count], scalars: windows.map { Double(corpus[$0 + t]) })
    }
    let loss = try model.loss(xs).graph(names: ["loss"]).evaluate(bindings)[0].scalars[0]
    // The loss is the mean over (T − 1)·B predictions times (T − 1)·B / T.
    return loss * Double(length) / Double((length - 1) * windows.count)
  }
}
