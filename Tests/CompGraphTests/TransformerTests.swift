import Foundation
import Testing

@testable import CompGraph

/// The transformer modules against JAX in float64: LayerNorm, both GELUs, causal multi-head
/// attention, a pre-LN block and a whole GPT (logits, loss and the gradient of every
/// parameter), and AdamW steps (weight decay on matrices only, global-norm clipping, warm-up
/// and cosine decay) against optax's formulas written out in the peer.
@Suite struct TransformerTests {
  /// V 11, context 6, D 8, 2 heads, 2 blocks, MLP 16; B 2, T 5 (shorter than the context).
  static func model(exactGELU: Bool) -> GPT {
    GPT(
      vocabularySize: 11, context: 6, dimension: 8, heads: 2, layers: 2, hidden: 16,
      exactGELU: exactGELU)
  }
  static let (B, T) = (2, 5)

  /// Every parameter drawn from N(0, 0.5²) (LayerNorm's scale around 1), so that no term is
  /// negligible, as the initial 0.02 would make them.
  static func parameters(_ gpt: GPT) -> [String: Tensor] {
    var rng = SplitMix64(seed: 28)
    var values: [String: Tensor] = [:]
    for (path, shape) in gpt.parameters {
      let offset = path.hasSuffix(".scale") ? 1.0 : 0
      values[path] = Tensor(
        shape: shape, scalars: (0..<shape.elementCount).map { _ in offset + 0.5 * rng.nextNormal() }
      )
    }
    return values
  }

  static func tokens(_ seed: UInt64) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return Tensor(shape: [B, T], scalars: (0..<B * T).map { _ in Double(rng.next() % 11) })
  }

  static let x: Tensor = {
    var rng = SplitMix64(seed: 5)
    return Tensor(shape: [B, T, 8], scalars: (0..<B * T * 8).map { _ in rng.nextNormal() })
  }()

  /// The request the peer answers (see `Tests/Python/transformer_peer.py`).
  static func request(
    _ gpt: GPT, _ params: [String: Tensor], exactGELU: Bool, adamw: [String: Any]? = nil
  ) -> String {
    func list(_ t: Tensor) -> Any { t.scalars }
    var object: [String: Any] = [
      "config": ["H": 2, "L": 2, "exact_gelu": exactGELU],
      "params": params.mapValues { ["shape": $0.shape, "data": $0.scalars] },
      "ids": nested(tokens(1)), "targets": nested(tokens(2)),
      "x": x.scalars.chunked(8).chunked(T),
    ]
    if let adamw { object["adamw"] = adamw }
    let data = try! JSONSerialization.data(withJSONObject: object)
    return String(decoding: data, as: UTF8.self)
  }

  static func nested(_ t: Tensor) -> [[Int]] { t.scalars.map { Int($0) }.chunked(T) }

  static func peer(_ request: String) throws -> [String: Any] {
    let json = try PythonPeer.run("transformer_peer.py", input: request)
    return try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
  }

  /// Within `tolerance` of the largest magnitude of `theirs` (at least 1).
  static func expectClose(
    _ ours: [Double], _ theirs: [Double], _ what: String, tolerance: Double = 1e-10
  ) {
    let scale = max(1, theirs.map(abs).max() ?? 0)
    let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
    #expect(
      ours.count == theirs.count && worst <= tolerance * scale,
      "\(what): differs by \(worst) (scale \(scale), \(ours.count) vs \(theirs.count) values)")
  }

  @Test(.enabled(if: PythonPeer.shouldRun), arguments: [false, true])
  func modulesLossAndGradientsMatchJAX(exactGELU: Bool) throws {
    let gpt = Self.model(exactGELU: exactGELU)
    let params = Self.parameters(gpt)
    let g = GraphBuilder()
    let x = try g.variable("x", [Self.B, Self.T, 8])
    let ids = try g.variable("ids", [Self.B, Self.T])
    let targets = try g.variable("targets", [Self.B, Self.T])
    let block = gpt.blocks[0]
    // Inside the GPT's and the block's scopes, so that the parameters have their paths.
    let (norm, attention, blockOut) = gpt.scoped(g) {
      let (n, a) = block.scoped(g) { (block.norm1(x), block.attention(x)) }
      return (n, a, block(x))
    }
    let loss = gpt.loss(ids, targets: targets)
    let paths = gpt.parameters.map(\.path).sorted()
    let grads = try gradient(of: loss, wrt: paths.map { g.expr(g.existingVariable($0)!) })
    let outputs =
      [
        norm, gelu(x), gelu(x, approximate: true), attention, blockOut, gpt(ids), loss,
      ] + grads
    let graph = try outputs[0].graph(
      names: outputs.indices.map { "y\($0)" }, with: Array(outputs.dropFirst()))
    var bindings = params
    bindings["x"] = Self.x
    bindings["ids"] = Self.tokens(1)
    bindings["targets"] = Self.tokens(2)
    let ours = try Program(graph).evaluate(bindings)
    let reference = try graph.evaluate(bindings)
    for (a, b) in zip(ours, reference) { Self.expectClose(a.scalars, b.scalars, "Program") }
    let theirs = try Self.peer(Self.request(gpt, params, exactGELU: exactGELU))
    for (k, key) in ["layernorm", "gelu_exact", "gelu_tanh", "attention", "block", "logits"]
      .enumerated()
    {
      Self.expectClose(ours[k].scalars, theirs[key] as! [Double], key)
    }
    Self.expectClose([ours[6].scalars[0]], [theirs["loss"] as! Double], "loss")
    let theirGrads = theirs["grads"] as! [String: [Double]]
    for (k, path) in paths.enumerated() {
      Self.expectClose(ours[7 + k].scalars, theirGrads[path]!, "∂loss/∂\(path)")
    }
  }

  /// Three AdamW steps (λ on matrices only, clipping to a norm the gradients exceed, two
  /// warm-up steps then cosine decay to 10⁻⁴ at step 4) as one `TrainingStep` graph, against
  /// the same steps in JAX: every parameter after them, and each step's loss.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func adamWStepsMatchOptaxFormulas() throws {
    let gpt = Self.model(exactGELU: false)
    let params = Self.parameters(gpt)
    let g = GraphBuilder()
    let ids = try g.variable("ids", [Self.B, Self.T])
    let targets = try g.variable("targets", [Self.B, Self.T])
    let optimizer = AdamW(
      learningRate: 0.01, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1,
      decaying: .matrices, schedule: .warmupCosine(warmup: 2, total: 4, floor: 1e-4))
    let step = try TrainingStep(
      loss: gpt.loss(ids, targets: targets), parameters: gpt.parameters.map(\.path),
      optimizer: optimizer, clippingGlobalNorm: 0.5)
    var state = params.merging(step.initialOptimizerState) { a, _ in a }
    let data = ["ids": Self.tokens(1), "targets": Self.tokens(2)]
    let losses = try (0..<3).map { _ in try step.run(&state, data: data) }
    let settings: [String: Any] = [
      "steps": 3, "lr": 0.01, "b1": 0.9, "b2": 0.95, "eps": 1e-8, "wd": 0.1, "clip": 0.5,
      "warmup": 2, "total": 4, "floor": 1e-4,
    ]
    let theirs = try Self.peer(Self.request(gpt, params, exactGELU: false, adamw: settings))
    Self.expectClose(losses, theirs["losses"] as! [Double], "losses")
    let trained = theirs["trained"] as! [String: [Double]]
    for (path, _) in gpt.parameters {
      Self.expectClose(state[path]!.scalars, trained[path]!, "\(path) after 3 steps")
    }
    #expect(state["optimizer.step"] == Tensor(3))
  }

  /// The parameter count of the W10 benchmark's GPT (V 96, T 64, D 128, 4 heads, 4 blocks,
  /// MLP 512): 813,824.
  @Test func w10ModelHasItsParameterCount() {
    let gpt = GPT(
      vocabularySize: 96, context: 64, dimension: 128, heads: 4, layers: 4, hidden: 512)
    #expect(gpt.parameters.map { $0.shape.elementCount }.reduce(0, +) == 813_824)
  }

  /// Weight decay picks parameters by rank (`.matrices`) or by path (`.paths`).
  @Test func weightDecayPicksMatricesOrPaths() {
    #expect(WeightDecayFilter.matrices.picks(path: "a.W", shape: [3, 2]))
    #expect(!WeightDecayFilter.matrices.picks(path: "a.b", shape: [2]))
    #expect(WeightDecayFilter.paths(["a.b"]).picks(path: "a.b", shape: [2]))
    #expect(!WeightDecayFilter.paths(["a.b"]).picks(path: "a.W", shape: [3, 2]))
  }

  /// A sequence longer than the context, and tokens that are not [B, T], are refused.
  @Test func badShapesAreRefusedWithAMessage() throws {
    let gpt = Self.model(exactGELU: false)
    let g = GraphBuilder()
    do {
      _ = try gpt(try g.variable("long", [1, 7])).node()
      Issue.record("a sequence of 7 past a context of 6 was accepted")
    } catch {
      #expect("\(error)".contains("longer than the context of 6"), "\(error)")
    }
    do {
      _ = try gpt(try g.variable("flat", [5])).node()
      Issue.record("tokens of shape [5] were accepted")
    } catch {
      #expect("\(error)".contains("is not [B, T]"), "\(error)")
    }
  }
}

extension Array {
  /// Consecutive runs of `n` elements.
  func chunked(_ n: Int) -> [[Element]] {
    stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min($0 + n, count)]) }
  }
}
