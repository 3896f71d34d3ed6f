// CharRNN: the seed project's character-level RNN (tanh cell, H = 100, B = 8, T = 20, Adam
// lr 0.01) trained on the project's own README, as one training-step graph per step.
// Prints the loss and a sampled line as it goes, a progress line with steps/s and ETA,
// and writes a loss-curve SVG, a picture of one unrolled step with module clusters and
// the trained parameters (safetensors) to the output folder.
//
//     swift run -c release CharRNN [--steps N] [--seed S] [--temperature T] [--out DIR]
//                                  [--resume FILE] [--corpus FILE]
//
// Defaults: 2400 steps, seed 1, temperature 0.7, --out the current directory,
// corpus README.md.  --resume continues from a file this program saved: its weights, Adam's
// state, its step count and its random stream, for N more steps.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

struct CharRNNExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "CharRNN",
    abstract: "Trains the seed project's character-level RNN on a text (the README by default).",
    discussion: """
      Prints the loss and a sampled line as it goes, and writes the loss curve \
      (charrnn-loss.svg), one unrolled step (charrnn-step.svg) and the trained state \
      (charrnn.safetensors: weights, Adam's state, the step count and the random stream, so \
      that --resume continues the run where it stopped).
      """)

  /// The most steps one run takes: at about 5 ms a step, 14 hours.
  static let maximumSteps = 10_000_000

  @Option(
    help: "Training steps this run takes (1 … 10000000; with --resume, steps after the saved ones)."
  )
  var steps = 2400
  @Option(help: "Seeds the initial weights and the random stream of batches and samples.")
  var seed: UInt64 = 1
  @Option(help: "The sampling temperature τ: characters are drawn from softmax(logits / τ).")
  var temperature = 0.7
  @OptionGroup var output: OutputOptions
  @Option(help: ArgumentHelp("Continues the run saved in FILE.", valueName: "FILE"))
  var resume: String?
  @Option(help: ArgumentHelp("The text to train on (default: the README).", valueName: "FILE"))
  var corpus = root.appending(path: "README.md").path

  func validate() throws {
    guard (1...Self.maximumSteps).contains(steps) else {
      throw ValidationError(
        "--steps takes 1 … \(Self.maximumSteps) (about 14 hours at 5 ms a step), not \(steps); train longer in parts with --resume"
      )
    }
    guard temperature > 0, temperature.isFinite else {
      throw ValidationError("--temperature takes a positive number, not \(temperature)")
    }
  }

  func run() throws {
    let out = try output.directory()
    let corpusURL = URL(filePath: corpus)
    let text: String
    do { text = try String(contentsOf: corpusURL, encoding: .utf8) } catch {
      throw GraphError.unsupported(
        "cannot read the corpus \(corpusURL.path): \(error.localizedDescription)")
    }
    var rnn = try CharRNN(vocabulary: CharRNN.vocabulary(of: text), seed: seed)
    let codes = rnn.encode(text)
    guard codes.count > rnn.length else {
      throw GraphError.unsupported("the corpus needs more than \(rnn.length) characters")
    }
    let V = rnn.vocabulary.count
    print(
      "corpus: \(corpusURL.lastPathComponent), \(codes.count) characters, vocabulary \(V) (ln V = \(String(format: "%.3f", log(Double(V)))))"
    )
    print(
      "parameters:",
      rnn.model.parameters.map { "\($0.path) \($0.shape.shapeDescription)" }.joined(
        separator: ", "))
    print("training-step graph:", rnn.training.graph.sizeSummary)
    if let resume {
      try rnn.resume(from: try Safetensors.read(from: URL(filePath: resume)))
      print("resumed from \(resume) after step \(rnn.stepsTaken)")
    }
    let first = rnn.stepsTaken + 1, last = rnn.stepsTaken + steps
    var losses: [Double] = []
    let start = Date()
    let report = max(steps / 6, 1)
    for step in first...last {
      let loss = rnn.perCharacter(try rnn.step(on: codes))
      losses.append(loss)
      let done = Double(step - first + 1)
      let rate = done / Date().timeIntervalSince(start)
      FileHandle.standardError.write(
        Data(
          "\rstep \(step)/\(last)  loss \(String(format: "%.3f  %.1f steps/s  ETA %.0fs ", loss, rate, (Double(steps) - done) / rate))"
            .utf8))
      if losses.count % report == 0 || step == last {
        let recent = losses.suffix(report)
        let line = try rnn.sample(prompt: "\n", count: 72, temperature: temperature)
        FileHandle.standardError.write(Data("\r".utf8))
        print(
          "step \(String(repeating: " ", count: max(0, 5 - String(step).count)))\(step)  loss \(String(format: "%.3f", recent.reduce(0, +) / Double(recent.count))) nats/char (mean of the last \(recent.count))"
        )
        print("  sample: \(line.replacingOccurrences(of: "\n", with: "⏎"))")
      }
    }
    let seconds = Date().timeIntervalSince(start)
    print(
      "\(steps) steps in \(String(format: "%.1f s (%.1f ms a step)", seconds, 1000 * seconds / Double(steps)))"
    )

    let saved = out.appending(path: "charrnn.safetensors")
    try Safetensors.write(rnn.checkpoint, to: saved)
    print("wrote \(saved.path) (continue with --resume \(saved.path))")

    var plot = LinePlot(
      title: "CharRNN on \(corpusURL.lastPathComponent): training loss", xLabel: "step",
      yLabel: "cross-entropy (nats per character)")
    let smooth = LinePlot.trailingMean(losses, window: 25)
    plot.series = [
      LinePlot.Series(
        "loss, mean of 25 steps", x: losses.indices.map { Double(first + $0) }, y: smooth),
      LinePlot.Series(
        "ln V (uniform guess)", x: [Double(first), Double(last)],
        y: [log(Double(V)), log(Double(V))], dashed: true),
    ]
    try plot.write(to: out.appending(path: "charrnn-loss.svg"))
    print("wrote \(out.appending(path: "charrnn-loss.svg").path)")

    // One unrolled step — one prediction, batch 1 — drawn with its module clusters.
    let g = GraphBuilder()
    let xs = try (0..<2).map { try g.variable("x\($0)", [1]) }
    let picture = try rnn.model.loss(xs).graph(names: ["loss"])
    let dot = try DOTEncoder().encode(picture, name: "charrnn-step")
    try GraphvizRenderer().render(dot: dot, format: .svg).write(
      to: out.appending(path: "charrnn-step.svg"), options: .atomic)
    print("wrote \(out.appending(path: "charrnn-step.svg").path)")
  }
}

CharRNNExample.runAsExample()
