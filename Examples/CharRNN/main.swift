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
// corpus README.md.  --resume continues from a file this program saved.
import CompGraph
import ExampleSupport
import Foundation

let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

struct Options {
  var steps = 2400
  var seed: UInt64 = 1
  var temperature = 0.7
  var out = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
  var resume: URL?
  var corpus = root.appending(path: "README.md")
}

func fail(_ message: String, status: Int32 = 2) -> Never {
  FileHandle.standardError.write("CharRNN: \(message)\n".data(using: .utf8)!)
  exit(status)
}

func parse(_ arguments: [String]) -> Options {
  var options = Options()
  var rest = arguments[...]
  while let flag = rest.popFirst() {
    guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--steps":
      guard let n = Int(value), n >= 1 else {
        fail("--steps takes a positive integer, not '\(value)'")
      }
      options.steps = n
    case "--seed":
      guard let n = UInt64(value) else {
        fail("--seed takes a non-negative integer, not '\(value)'")
      }
      options.seed = n
    case "--temperature":
      guard let t = Double(value), t > 0, t.isFinite else {
        fail("--temperature takes a positive number, not '\(value)'")
      }
      options.temperature = t
    case "--out": options.out = URL(filePath: value)
    case "--resume": options.resume = URL(filePath: value)
    case "--corpus": options.corpus = URL(filePath: value)
    default:
      fail(
        "unknown option '\(flag)'; use --steps, --seed, --temperature, --out, --resume or --corpus")
    }
  }
  return options
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
let text: String
do { text = try String(contentsOf: options.corpus, encoding: .utf8) } catch {
  fail("cannot read the corpus \(options.corpus.path): \(error.localizedDescription)", status: 1)
}
do {
  try FileManager.default.createDirectory(at: options.out, withIntermediateDirectories: true)
  var rnn = try CharRNN(vocabulary: CharRNN.vocabulary(of: text), seed: options.seed)
  let corpus = rnn.encode(text)
  guard corpus.count > rnn.length else {
    fail("the corpus needs more than \(rnn.length) characters", status: 1)
  }
  let V = rnn.vocabulary.count
  print(
    "corpus: \(options.corpus.lastPathComponent), \(corpus.count) characters, vocabulary \(V) (ln V = \(String(format: "%.3f", log(Double(V)))))"
  )
  print(
    "parameters:",
    rnn.model.parameters.map { "\($0.path) \($0.shape.shapeDescription)" }.joined(separator: ", "))
  print("training-step graph:", rnn.training.graph.sizeSummary)
  if let resume = options.resume {
    try rnn.resume(from: try Safetensors.read(from: resume))
    print("resumed from \(resume.path)")
  }
  var rng = SplitMix64(seed: options.seed)
  var losses: [Double] = []
  let start = Date()
  let report = max(options.steps / 6, 1)
  for step in 1...options.steps {
    let loss = rnn.perCharacter(try rnn.step(rnn.batch(from: corpus, using: &rng)))
    losses.append(loss)
    let elapsed = Date().timeIntervalSince(start)
    let rate = Double(step) / elapsed
    FileHandle.standardError.write(
      String(
        format: "\rstep %d/%d  loss %.3f  %.1f steps/s  ETA %.0fs ", step, options.steps, loss,
        rate,
        Double(options.steps - step) / rate
      ).data(using: .utf8)!)
    if step % report == 0 || step == options.steps {
      let recent = losses.suffix(report)
      let line = try rnn.sample(
        prompt: "\n", count: 72, temperature: options.temperature, using: &rng)
      FileHandle.standardError.write("\r".data(using: .utf8)!)
      print(
        String(
          format: "step %5d  loss %.3f nats/char (mean of the last %d)", step,
          recent.reduce(0, +) / Double(recent.count), recent.count))
      print("  sample: \(line.replacingOccurrences(of: "\n", with: "⏎"))")
    }
  }
  let seconds = Date().timeIntervalSince(start)
  print(
    String(
      format: "%d steps in %.1f s (%.1f ms a step)", options.steps, seconds,
      1000 * seconds / Double(options.steps)))

  let saved = options.out.appending(path: "charrnn.safetensors")
  try Safetensors.write(rnn.checkpoint, to: saved)
  print("wrote \(saved.path) (resume with --resume \(saved.path))")

  var plot = LinePlot(
    title: "CharRNN on \(options.corpus.lastPathComponent): training loss", xLabel: "step",
    yLabel: "cross-entropy (nats per character)")
  let smooth = losses.indices.map { k in
    let window = losses[max(0, k - 24)...k]
    return window.reduce(0, +) / Double(window.count)
  }
  plot.series = [
    LinePlot.Series("loss, mean of 25 steps", x: losses.indices.map { Double($0 + 1) }, y: smooth),
    LinePlot.Series(
      "ln V (uniform guess)", x: [1, Double(losses.count)], y: [log(Double(V)), log(Double(V))],
      dashed: true),
  ]
  try plot.write(to: options.out.appending(path: "charrnn-loss.svg"))
  print("wrote \(options.out.appending(path: "charrnn-loss.svg").path)")

  // One unrolled step — one prediction, batch 1 — drawn with its module clusters.
  let g = GraphBuilder()
  let xs = try (0..<2).map { try g.variable("x\($0)", [1]) }
  let picture = try rnn.model.loss(xs).graph(names: ["loss"])
  let dot = try DOTEncoder().encode(picture, name: "charrnn-step")
  try GraphvizRenderer().render(dot: dot, format: .svg).write(
    to: options.out.appending(path: "charrnn-step.svg"), options: .atomic)
  print("wrote \(options.out.appending(path: "charrnn-step.svg").path)")
} catch {
  fail("\(error)", status: 1)
}
