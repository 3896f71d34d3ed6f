import Foundation
import Testing

/// Examples write where they are told (`--out DIR`), else into the current
/// directory — never into the source checkout; each answers `--help` with
/// its options and refuses a bad one with exit status 2, as `compgraph` does.
@Suite struct ExampleOutputTests {
  static let examples = [
    "HigherOrderTanh", "FiniteDifferenceError", "NewtonRosenbrock", "LogisticRegression",
    "TaylorSeries", "CharRNN", "Spirals", "TinyGPT", "Optimize",
  ]

  /// Runs `example` with `arguments`, under `prlimit --as=addressSpace` when that is given.
  private func run(
    _ example: String, _ arguments: [String], in directory: URL? = nil, addressSpace: Int? = nil
  ) throws -> Run {
    let process = Process()
    let binary = products.appendingPathComponent(example)
    if let addressSpace {
      process.executableURL = URL(filePath: "/usr/bin/prlimit")
      process.arguments = ["--as=\(addressSpace)", binary.path] + arguments
    } else {
      process.executableURL = binary
      process.arguments = arguments
    }
    if let directory { process.currentDirectoryURL = directory }
    let stdout = Pipe(), stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
  }

  @Test func outChoosesTheDirectoryAndTheDefaultIsTheCurrentOne() throws {
    let here = try temporaryDirectory(), there = try temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(at: here)
      try? FileManager.default.removeItem(at: there)
    }
    let out = there.appendingPathComponent("pictures")
    #expect(try run("TaylorSeries", ["--out", out.path], in: here).status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["taylor-series.svg"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: here.path).isEmpty)
    #expect(try run("TaylorSeries", [], in: here).status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: here.path) == ["taylor-series.svg"])
  }

  @Test(arguments: examples) func answersHelpWithItsOptions(_ example: String) throws {
    let help = try run(example, ["--help"])
    #expect(help.status == 0 && help.stderr.isEmpty, "\(help)")
    #expect(help.stdout.contains("USAGE: \(example)"), "\(help.stdout)")
    var options = ["--out <DIR>", "-h, --help"]
    if example == "CharRNN" {
      options += [
        "--steps <steps>", "--seed <seed>", "--temperature <temperature>", "--resume <FILE>",
        "--corpus <FILE>",
      ]
    }
    if example == "Optimize" { options.append("--n <n>") }
    if example == "TinyGPT" {
      options += [
        "--steps <steps>", "--seed <seed>", "--dtype <dtype>", "--resume <FILE>",
        "--corpus <FILE>", "--prompt <prompt>", "--schedule <N>", "--dropout <dropout>",
        "--compare-charrnn",
      ]
    }
    for option in options { #expect(help.stdout.contains(option), "\(example): \(option)") }
    let bogus = try run(example, ["--bogus"])
    #expect(bogus.status == 2 && bogus.stdout.isEmpty, "\(bogus)")
    #expect(bogus.stderr.contains("Unknown option '--bogus'"), "\(bogus.stderr)")
  }

  /// `--steps` beyond what one run can take is refused before any work,
  /// naming the range (it used to print `step 1/-1`).
  @Test func charRNNRefusesStepsItCannotTake() throws {
    for steps in ["9223372036854775807", "10000001", "0"] {
      let result = try run("CharRNN", ["--steps", steps, "--out", "/nonexistent/never"])
      #expect(result.status == 2 && result.stdout.isEmpty, "\(steps): \(result)")
      #expect(result.stderr.contains("--steps takes 1 … 10000000"), "\(steps): \(result.stderr)")
    }
  }

  /// Two steps, then two more resumed from the saved file, end with the file
  /// four steps in one run write, and the resumed run numbers its steps 3 and 4.
  @Test func charRNNResumeContinuesTheRun() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = directory.appendingPathComponent("corpus.txt")
    try String(repeating: "the cat sat on the mat. ", count: 4).write(
      to: corpus, atomically: true, encoding: .utf8)
    let (whole, parts) = (
      directory.appendingPathComponent("whole"), directory.appendingPathComponent("parts")
    )
    let common = ["--corpus", corpus.path, "--seed", "3"]
    #expect(try run("CharRNN", common + ["--steps", "4", "--out", whole.path]).status == 0)
    #expect(try run("CharRNN", common + ["--steps", "2", "--out", parts.path]).status == 0)
    let saved = parts.appendingPathComponent("charrnn.safetensors")
    let resumed = try run(
      "CharRNN", common + ["--steps", "2", "--out", parts.path, "--resume", saved.path])
    #expect(resumed.status == 0, "\(resumed)")
    #expect(resumed.stdout.contains("after step 2\n"), "\(resumed.stdout)")
    #expect(resumed.stdout.contains("step     4  loss"), "\(resumed.stdout)")
    #expect(resumed.stderr.contains("step 3/4") && resumed.stderr.contains("step 4/4"))
    #expect(
      try Data(contentsOf: saved)
        == Data(contentsOf: whole.appendingPathComponent("charrnn.safetensors")))
  }

  /// A checkpoint padded to 3 GiB is refused by its header, read before the file is mapped: under
  /// a 2.5 GiB address-space limit the message says what is wrong with the file, where mapping it
  /// first failed with "cannot read … error 256".
  @Test func aPaddedCheckpointIsRefusedBeforeItIsMapped() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let header = Data(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}   "#.utf8)
    var file = Data((0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) })
    file += header + Data(count: 8)
    let padded = directory.appendingPathComponent("padded.safetensors")
    try file.write(to: padded)
    let handle = try FileHandle(forWritingTo: padded)
    try handle.truncate(atOffset: 3 << 30)
    try handle.close()
    let result = try run(
      "CharRNN", ["--steps", "1", "--out", directory.path, "--resume", padded.path],
      addressSpace: 5 << 29)
    #expect(result.status == 1, "\(result)")
    #expect(
      result.stderr.contains(
        "\(3 << 30 - file.count) bytes follow the last tensor, which ends at data byte 8: the file is padded or damaged"
      ), "\(result.stderr)")
  }

  /// TinyGPT refuses a type, a dropout rate or a step count it cannot use before any work.
  @Test func tinyGPTRefusesBadOptions() throws {
    for (arguments, message) in [
      (["--dtype", "f16"], "--dtype takes f32 or f64, not 'f16'"),
      (["--dropout", "1"], "--dropout takes a probability in [0, 1), not 1.0"),
      (["--steps", "0"], "--steps takes 1 … 10000000, not 0"),
      (["--prompt", ""], "--prompt needs at least one character"),
    ] {
      let result = try run("TinyGPT", arguments + ["--out", "/nonexistent/never"])
      #expect(result.status == 2 && result.stdout.isEmpty, "\(arguments): \(result)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    let short = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: short) }
    let corpus = short.appendingPathComponent("short.txt")
    try "too short".write(to: corpus, atomically: true, encoding: .utf8)
    let result = try run("TinyGPT", ["--corpus", corpus.path, "--out", short.path])
    #expect(result.status == 1 && result.stderr.contains("holds out 10%"), "\(result)")
  }

  /// Two steps (of a four-step schedule), then two more resumed from the saved file, end with
  /// the file four steps in one run write; the pictures and the checkpoint are written.
  @Test func tinyGPTResumeContinuesTheRun() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = directory.appendingPathComponent("corpus.txt")
    try String(repeating: "the cat sat on the mat. ", count: 430).write(
      to: corpus, atomically: true, encoding: .utf8)
    let (whole, parts) = (
      directory.appendingPathComponent("whole"), directory.appendingPathComponent("parts")
    )
    let common = ["--corpus", corpus.path, "--seed", "3", "--dropout", "0.1"]
    let first = try run("TinyGPT", common + ["--steps", "4", "--out", whole.path])
    #expect(first.status == 0, "\(first)")
    #expect(first.stdout.contains("held-out loss") && first.stdout.contains("sample (τ = 0.8)"))
    for picture in ["tinygpt-loss.svg", "tinygpt-attention.svg", "tinygpt-block.svg"] {
      let svg = try String(
        contentsOf: whole.appendingPathComponent(picture), encoding: .utf8)
      #expect(svg.contains("<svg") && svg.hasSuffix("</svg>\n"), "\(picture)")
    }
    #expect(
      try run("TinyGPT", common + ["--steps", "2", "--schedule", "4", "--out", parts.path])
        .status == 0)
    let saved = parts.appendingPathComponent("tinygpt.safetensors")
    let resumed = try run(
      "TinyGPT", common + ["--steps", "2", "--out", parts.path, "--resume", saved.path])
    #expect(resumed.status == 0, "\(resumed)")
    #expect(resumed.stdout.contains("after step 2\n"), "\(resumed.stdout)")
    #expect(resumed.stderr.contains("step 3/4") && resumed.stderr.contains("step 4/4"))
    #expect(
      try Data(contentsOf: saved)
        == Data(contentsOf: whole.appendingPathComponent("tinygpt.safetensors")))
  }
}
