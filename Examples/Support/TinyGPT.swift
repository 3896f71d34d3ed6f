import CompGraph
import Foundation

/// A character-level GPT (`GPT`) trained on a text: the first 90% of the characters are
/// trained on, the last 10% held out. One `TrainingStep` graph — forward, gradient, global-norm
/// clipping and AdamW with warm-up and cosine decay — runs each step on B random windows of
/// T + 1 characters (the inputs and the next character at each position).
public struct TinyGPT {
  /// The model's size and its training settings.
  public struct Settings: Sendable {
    public var context = 64, dimension = 64, heads = 4, layers = 2, hidden = 256
    public var batchSize = 16
    public var learningRate = 3e-3, weightDecay = 0.1, clipNorm = 1.0, dropout = 0.0
    public var warmup = 100
    public init() {}
  }

  public let vocabulary: [Character]
  public let settings: Settings
  public let model: GPT
  public let training: TrainingStep
  public let dtype: DType
  /// Parameters and AdamW's state, keyed by path.
  public var state: [String: Tensor]
  public private(set) var stepsTaken = 0
  /// The steps the learning rate's warm-up and cosine decay span (saved with the run).
  public let scheduleSteps: Int
  /// The stream batches are drawn from; a checkpoint saves where it stands.
  public var random: SplitMix64
  let seed: UInt64
  let index: [Character: Int]
  let heldOutGraph: Program

  /// The model for `vocabulary`, its learning rate decaying to a tenth over `scheduleSteps`.
  public init(
    vocabulary: [Character], settings: Settings = Settings(), scheduleSteps: Int, seed: UInt64,
    dtype: DType = .f64
  ) throws {
    self.vocabulary = vocabulary
    self.scheduleSteps = scheduleSteps
    self.settings = settings
    self.dtype = dtype
    self.seed = seed
    random = SplitMix64(seed: seed)
    index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    let s = settings
    model = GPT(
      vocabularySize: vocabulary.count, context: s.context, dimension: s.dimension,
      heads: s.heads, layers: s.layers, hidden: s.hidden, dropout: s.dropout)
    let g = GraphBuilder()
    g.defaultDType = dtype
    let ids = try g.variable("ids", [s.batchSize, s.context])
    let targets = try g.variable("targets", [s.batchSize, s.context])
    let randomness = Randomness(
      key: try g.variable("random.key", dtype: .f64),
      counter: try g.variable("random.counter", dtype: .f64))
    training = try TrainingStep(
      loss: model.loss(ids, targets: targets, s.dropout > 0 ? randomness : nil),
      parameters: model.parameters.map(\.path),
      optimizer: AdamW(
        learningRate: s.learningRate, beta1: 0.9, beta2: 0.95, weightDecay: s.weightDecay,
        decaying: .matrices,
        schedule: .warmupCosine(
          warmup: min(s.warmup, scheduleSteps / 10), total: scheduleSteps,
          floor: s.learningRate / 10)),
      clippingGlobalNorm: s.clipNorm)
    state = model.initialParameters(seed: seed).merging(training.initialOptimizerState) { a, _ in
      a
    }.mapValues { Tensor(shape: $0.shape, scalars: $0.scalars, dtype: dtype) }
    let e = GraphBuilder()
    e.defaultDType = dtype
    let eIds = try e.variable("ids", [s.batchSize, s.context])
    let eTargets = try e.variable("targets", [s.batchSize, s.context])
    heldOutGraph = try Program(model.loss(eIds, targets: eTargets).graph(names: ["loss"]))
  }

  /// The distinct characters of `text`, sorted.
  public static func vocabulary(of text: String) -> [Character] { Array(Set(text)).sorted() }

  /// The characters of `text` as vocabulary indices (others dropped).
  public func encode(_ text: String) -> [Int] { text.compactMap { index[$0] } }

  /// The training part (the first 90%) and the held-out part of `codes`.
  public static func split(_ codes: [Int]) -> (train: [Int], heldOut: [Int]) {
    let cut = codes.count * 9 / 10
    return (Array(codes[..<cut]), Array(codes[cut...]))
  }

  /// `ids` and `targets` for windows of `corpus` starting at `starts`.
  func batch(_ corpus: [Int], starts: [Int]) -> [String: Tensor] {
    let T = settings.context
    var ids: [Double] = [], targets: [Double] = []
    for start in starts {
      ids += corpus[start..<start + T].map(Double.init)
      targets += corpus[start + 1...start + T].map(Double.init)
    }
    let shape: Shape = [starts.count, T]
    return [
      "ids": Tensor(shape: shape, scalars: ids, dtype: dtype),
      "targets": Tensor(shape: shape, scalars: targets, dtype: dtype),
    ]
  }

  /// One AdamW step on B random windows of `corpus`; the loss (nats per character) before it.
  public mutating func step(on corpus: [Int]) throws -> Double {
    let starts = (0..<settings.batchSize).map { _ in
      Int.random(in: 0..<(corpus.count - settings.context), using: &random)
    }
    var data = batch(corpus, starts: starts)
    // The key is an integer the stream takes: below 2⁵², or 2²⁴ for f32 numbers.
    data["random.key"] = Tensor(Double(seed % (dtype == .f32 ? 1 << 24 : 1 << 52)))
    data["random.counter"] = Tensor(Double(stepsTaken))
    let loss = try training.run(&state, data: data)
    stepsTaken += 1
    return loss
  }

  /// The mean cross-entropy (nats per character) over every prediction in the windows of T
  /// characters that tile `corpus`, B at a time (a last part of fewer than B windows is left
  /// out); the first positions of each window see less context.
  public func heldOutLoss(_ corpus: [Int]) throws -> Double {
    let T = settings.context, B = settings.batchSize
    let windows = Array(stride(from: 0, to: corpus.count - T, by: T))
    guard windows.count >= B else {
      throw GraphError.unsupported(
        "the held-out part (\(corpus.count) characters) needs at least \(B * T + 1); give a longer corpus"
      )
    }
    var total = 0.0
    for first in stride(from: 0, through: windows.count - B, by: B) {
      var bindings = state
      for (k, v) in batch(corpus, starts: Array(windows[first..<first + B])) { bindings[k] = v }
      total += try heldOutGraph.evaluate(bindings)[0].scalars[0]
    }
    return total / Double(windows.count / B)
  }

  /// `count` characters after `prompt`, each drawn from softmax(logits / τ) of the last ≤ T
  /// characters, from a stream seeded by `seed` (samples never move the training stream).
  public func sample(prompt: String, count: Int, temperature: Double, seed: UInt64) throws
    -> String
  {
    let T = settings.context
    let g = GraphBuilder()
    g.defaultDType = dtype
    let ids = try g.variable("ids", [1, T])
    let program = try Program(model(ids).graph(names: ["logits"]))
    var rng = SplitMix64(seed: seed)
    var codes = encode(prompt)
    if codes.isEmpty { codes = [0] }
    var out = ""
    var bindings = state
    for _ in 0..<count {
      let window = Array(codes.suffix(T))
      bindings["ids"] = Tensor(
        shape: [1, T],
        scalars: (window + Array(repeating: 0, count: T - window.count)).map(Double.init),
        dtype: dtype)
      let logits = try program.evaluate(bindings)[0].scalars
      let V = vocabulary.count
      let row = logits[(window.count - 1) * V..<window.count * V].map { $0 / temperature }
      let top = row.max()!
      let weights = row.map { Foundation.exp($0 - top) }
      var u = Double.random(in: 0..<weights.reduce(0, +), using: &rng)
      let next =
        weights.indices.first {
          u -= weights[$0]; return u < 0
        } ?? V - 1
      codes.append(next)
      out.append(vocabulary[next])
    }
    return out
  }

  /// Each block's attention weights for the characters of `prompt` in the vocabulary (at
  /// most T): those characters, and `[layer][head]` grids, rows the query positions, columns
  /// the keys.
  public func attention(for prompt: String) throws -> (
    characters: [Character], weights: [[[[Double]]]]
  ) {
    let characters = Array(prompt.filter { index[$0] != nil }.prefix(settings.context))
    guard !characters.isEmpty else {
      throw GraphError.unsupported(
        "the prompt has no character of the corpus's vocabulary; give one that has")
    }
    let codes = characters.map { index[$0]! }
    let n = codes.count
    let g = GraphBuilder()
    g.defaultDType = dtype
    let ids = try g.variable("ids", [1, n])
    let weights = model.run(ids).weights.flatMap { $0 }
    let graph = try weights[0].graph(
      names: weights.indices.map { "w\($0)" }, with: Array(weights.dropFirst()))
    var bindings = state
    bindings["ids"] = Tensor(shape: [1, n], scalars: codes.map(Double.init), dtype: dtype)
    let values = try Program(graph).evaluate(bindings)
    let H = settings.heads
    return (
      characters,
      (0..<settings.layers).map { l in
        (0..<H).map { h in
          let a = values[l * H + h].scalars
          return (0..<n).map { i in Array(a[i * n..<(i + 1) * n]) }
        }
      }
    )
  }

  /// The parameters, AdamW's state, the vocabulary, the steps taken and the random stream.
  public var checkpoint: [String: Tensor] {
    var tensors = state
    tensors["vocabulary"] = Tensor(
      shape: [vocabulary.count],
      scalars: vocabulary.map { Double($0.unicodeScalars.first!.value) })
    tensors["training.steps"] = Tensor(shape: [1], scalars: [Double(stepsTaken)])
    tensors["training.schedule"] = Tensor(shape: [1], scalars: [Double(scheduleSteps)])
    tensors["training.random"] = Tensor(
      shape: [4], scalars: (0..<4).map { Double((random.state >> (16 * UInt64($0))) & 0xFFFF) })
    return tensors
  }

  /// The schedule length a checkpoint was trained with (`training.schedule`).
  public static func scheduleSteps(of tensors: [String: Tensor]) throws -> Int {
    guard let saved = tensors["training.schedule"]?.scalars, saved.count == 1,
      let steps = Int(exactly: saved[0]), steps > 0
    else {
      throw GraphError.unsupported(
        "the saved file has no schedule length ('training.schedule' [1]): it was not saved by TinyGPT"
      )
    }
    return steps
  }

  /// Continues from `checkpoint` tensors saved by a run with this corpus and size.
  public mutating func resume(from tensors: [String: Tensor]) throws {
    guard tensors["vocabulary"] == checkpoint["vocabulary"] else {
      throw GraphError.unsupported(
        "the saved model was trained on another vocabulary; resume with the same corpus")
    }
    guard let steps = tensors["training.steps"]?.scalars, steps.count == 1,
      let count = Int(exactly: steps[0]), count >= 0,
      let words = tensors["training.random"]?.scalars, words.count == 4,
      words.allSatisfy({ $0 >= 0 && $0 <= 0xFFFF && $0 == $0.rounded() })
    else {
      throw GraphError.unsupported(
        "the saved file has no step count and random state ('training.steps', 'training.random'): it was not saved by TinyGPT"
      )
    }
    for (name, value) in state {
      guard let saved = tensors[name] else {
        throw GraphError.unsupported(
          "the saved model has no tensor '\(name)': it has another size; resume with the same settings"
        )
      }
      guard saved.shape == value.shape else {
        throw GraphError.unsupported(
          "the saved tensor '\(name)' has shape \(saved.shape.shapeDescription), the model needs \(value.shape.shapeDescription)"
        )
      }
      if let k = saved.scalars.firstIndex(where: { !$0.isFinite }) {
        throw GraphError.unsupported(
          "the saved tensor '\(name)' holds \(saved.scalars[k]) at element \(k): the checkpoint is damaged"
        )
      }
      state[name] = Tensor(shape: saved.shape, scalars: saved.scalars, dtype: dtype)
    }
    stepsTaken = count
    random = SplitMix64(
      seed: words.enumerated().reduce(0) { $0 | UInt64($1.element) << (16 * UInt64($1.offset)) })
  }
}
