// TinyGPT: a character-level GPT (token and position embeddings, pre-LN transformer blocks
// with causal multi-head attention, a head tied to the embedding) trained with AdamW on a
// text, as one training-step graph per step. Prints the loss as it goes with steps/s and ETA,
// the held-out loss, and samples at temperature 0.8 after a prompt; writes the loss curve,
// one block drawn with its heads and MLP as clusters, an attention heat map for the prompt
// and the trained state (safetensors) to the output folder.
//
//     swift run -c release TinyGPT [--steps N] [--seed S] [--dtype f32|f64] [--out DIR]
//                                  [--resume FILE] [--corpus FILE] [--prompt TEXT]
//                                  [--schedule N] [--dropout P] [--compare-charrnn]
//
// Defaults: 2000 steps, seed 1, f64, the current directory, corpus README.md (CharRNN's), the
// learning rate's cosine spanning the run's steps, dropout 0.1.
// --compare-charrnn then trains CharRNN on the same 90% for the same wall-clock time and
// prints its held-out loss and a sample beside the GPT's.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

struct TinyGPTExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "TinyGPT",
    abstract: "Trains a character-level GPT on a text (the README by default) and samples from it.",
    discussion: """
      The first 90% of the text is trained on and the rest held out. Writes the loss curve \
      (tinygpt-loss.svg), one transformer block (tinygpt-block.svg), the attention weights for \
      the prompt (tinygpt-attention.svg) and the trained state (tinygpt.safetensors, which \
      --resume continues from).
      """)

  static let maximumSteps = 10_000_000

  @Option(
    help: "Training steps this run takes (1 … 10000000; with --resume, steps after the saved ones)."
  )
  var steps = 2000
  @Option(help: "Seeds the initial weights, the batches, dropout and the samples.")
  var seed: UInt64 = 1
  @Option(help: "The element type of the parameters and activations: f32 or f64.")
  var dtype = "f64"
  @OptionGroup var output: OutputOptions
  @Option(help: ArgumentHelp("Continues the run saved in FILE.", valueName: "FILE"))
  var resume: String?
  @Option(help: ArgumentHelp("The text to train on (default: the README).", valueName: "FILE"))
  var corpus = root.appending(path: "README.md").path
  @Option(help: "The text the samples and the attention picture start from.")
  var prompt = "The gradient of "
  @Option(
    help: ArgumentHelp(
      "The steps the learning rate's warm-up and cosine decay span (default: --steps; a resumed run keeps its own).",
      valueName: "N"))
  var schedule: Int?
  @Option(help: "The dropout rate on the embeddings and every residual branch, in [0, 1).")
  var dropout = 0.1
  @Flag(help: "Also train CharRNN for the same wall-clock time and compare held-out losses.")
  var compareCharrnn = false

  func validate() throws {
    guard (1...Self.maximumSteps).contains(steps) else {
      throw ValidationError("--steps takes 1 … \(Self.maximumSteps), not \(steps)")
    }
    if let schedule, !(1...Self.maximumSteps).contains(schedule) {
      throw ValidationError("--schedule takes 1 … \(Self.maximumSteps), not \(schedule)")
    }
    guard dropout >= 0 && dropout < 1 else {
      throw ValidationError("--dropout takes a probability in [0, 1), not \(dropout)")
    }
    guard DType(rawValue: dtype) != nil else {
      throw ValidationError("--dtype takes f32 or f64, not '\(dtype)'")
    }
    guard !prompt.isEmpty else { throw ValidationError("--prompt needs at least one character") }
  }

  func run() throws {
    let out = try output.directory()
    let corpusURL = URL(filePath: corpus)
    let text: String
    do { text = try String(contentsOf: corpusURL, encoding: .utf8) } catch {
      throw GraphError.unsupported(
        "cannot read the corpus \(corpusURL.path): \(error.localizedDescription)")
    }
    let vocabulary = TinyGPT.vocabulary(of: text)
    let saved = try resume.map { try Safetensors.read(from: URL(filePath: $0)) }
    var settings = TinyGPT.Settings()
    settings.dropout = dropout
    var gpt = try TinyGPT(
      vocabulary: vocabulary, settings: settings,
      scheduleSteps: try saved.map { try TinyGPT.scheduleSteps(of: $0) } ?? schedule ?? steps,
      seed: seed,
      dtype: DType(rawValue: dtype)!)
    let (train, heldOut) = TinyGPT.split(gpt.encode(text))
    let s = gpt.settings
    guard heldOut.count > s.batchSize * s.context else {
      throw GraphError.unsupported(
        "the corpus has \(text.count) characters; TinyGPT holds out 10% and needs at least \(s.batchSize * s.context + 1) there, so give one of \(10 * (s.batchSize * s.context + 1)) or more"
      )
    }
    let count = gpt.model.parameters.map { $0.shape.elementCount }.reduce(0, +)
    print(
      "corpus: \(corpusURL.lastPathComponent), \(train.count) characters to train on, \(heldOut.count) held out, vocabulary \(vocabulary.count) (ln V = \(String(format: "%.3f", log(Double(vocabulary.count)))))"
    )
    print(
      "model: \(s.layers) blocks, d_model \(s.dimension), \(s.heads) heads, MLP \(s.hidden), context \(s.context), batch \(s.batchSize), \(count) parameters, \(dtype), dropout \(s.dropout); AdamW \(s.learningRate), cosine over \(gpt.scheduleSteps) steps"
    )
    print("training-step graph:", gpt.training.graph.sizeSummary)
    if let resume, let saved {
      try gpt.resume(from: saved)
      print("resumed from \(resume) after step \(gpt.stepsTaken)")
    }
    let first = gpt.stepsTaken + 1, last = gpt.stepsTaken + steps
    var losses: [Double] = [], heldOutPoints: [(Double, Double)] = []
    let start = Date()
    let report = max(steps / 5, 1)
    for step in first...last {
      losses.append(try gpt.step(on: train))
      let done = Double(step - first + 1)
      let rate = done / Date().timeIntervalSince(start)
      FileHandle.standardError.write(
        Data(
          "\rstep \(step)/\(last)  loss \(String(format: "%.3f  %.2f steps/s  ETA %.0fs ", losses.last!, rate, (Double(steps) - done) / rate))"
            .utf8))
      if losses.count % report == 0 || step == last {
        let recent = losses.suffix(report)
        let held = try gpt.heldOutLoss(heldOut)
        heldOutPoints.append((Double(step), held))
        FileHandle.standardError.write(Data("\r".utf8))
        print(
          "step \(step)  loss \(String(format: "%.3f", recent.reduce(0, +) / Double(recent.count))) (mean of the last \(recent.count))  held-out \(String(format: "%.3f", held)) nats/char"
        )
      }
    }
    let seconds = Date().timeIntervalSince(start)
    let held = heldOutPoints.last!.1
    print(
      "\(steps) steps in \(String(format: "%.1f s (%.0f ms a step)", seconds, 1000 * seconds / Double(steps)))  held-out loss \(String(format: "%.3f", held)) nats/char"
    )
    let sample = try gpt.sample(prompt: prompt, count: 240, temperature: 0.8, seed: seed)
    print("sample (τ = 0.8): \(prompt)\(sample)".replacingOccurrences(of: "\n", with: "⏎"))

    let file = out.appending(path: "tinygpt.safetensors")
    try Safetensors.write(gpt.checkpoint, to: file)
    print("wrote \(file.path) (continue with --resume \(file.path))")

    var plot = LinePlot(
      title: "TinyGPT on \(corpusURL.lastPathComponent): loss", xLabel: "step",
      yLabel: "cross-entropy (nats per character)")
    let smooth = LinePlot.trailingMean(losses, window: 25)
    plot.series = [
      LinePlot.Series(
        "training, mean of 25 steps", x: losses.indices.map { Double(first + $0) }, y: smooth),
      LinePlot.Series(
        "held out", x: heldOutPoints.map(\.0), y: heldOutPoints.map(\.1), dashed: true),
    ]
    try plot.write(to: out.appending(path: "tinygpt-loss.svg"))
    print("wrote \(out.appending(path: "tinygpt-loss.svg").path)")

    let (shown, weights) = try gpt.attention(for: prompt)
    try AttentionHeatMap(
      title:
        "TinyGPT's attention for \"\(String(shown).replacingOccurrences(of: "\n", with: "⏎"))\"",
      weights: weights, characters: shown
    ).write(to: out.appending(path: "tinygpt-attention.svg"))
    print("wrote \(out.appending(path: "tinygpt-attention.svg").path)")

    // One block on a batch of one sequence, drawn with its module clusters.
    let g = GraphBuilder()
    let x = try g.variable("x", [1, s.context, s.dimension])
    let block = gpt.model.blocks[0]
    let picture = try block(x).graph(names: ["block0"])
    let dot = try DOTEncoder().encode(picture, name: "tinygpt-block")
    try GraphvizRenderer().render(dot: dot, format: .svg).write(
      to: out.appending(path: "tinygpt-block.svg"), options: .atomic)
    print("wrote \(out.appending(path: "tinygpt-block.svg").path)")

    if compareCharrnn {
      var rnn = try CharRNN(vocabulary: vocabulary, seed: seed)
      let rnnStart = Date()
      var rnnSteps = 0
      while Date().timeIntervalSince(rnnStart) < seconds {
        _ = try rnn.step(on: train)
        rnnSteps += 1
      }
      let rnnHeld = try rnn.heldOutLoss(heldOut)
      let rnnSample = try rnn.sample(prompt: prompt, count: 240, temperature: 0.8)
      print(
        "CharRNN for the same \(String(format: "%.0f", seconds)) s: \(rnnSteps) steps, held-out loss \(String(format: "%.3f", rnnHeld)) nats/char (TinyGPT \(String(format: "%.3f", held)))"
      )
      print(
        "CharRNN sample (τ = 0.8): \(prompt)\(rnnSample)".replacingOccurrences(of: "\n", with: "⏎"))
    }
  }
}

TinyGPTExample.runAsExample()
