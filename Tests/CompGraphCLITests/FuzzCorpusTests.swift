import Foundation
import Testing

/// Every seed in `Tests/FuzzCorpus` (the hostile-input reproducers, and the
/// inputs fuzz runs found crashing) replays through the fuzz target — parse,
/// print, simplify, evaluate, differentiate twice, compile — and every seed
/// in `Tests/FuzzCorpusSafetensors` through the safetensors reader's, with
/// no trap and no broken check.  The replay build has no sanitizer; a
/// sanitizer run is the README's "Fuzzing".
@Suite struct FuzzCorpusTests {
  static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test func everySeedReplaysWithoutATrap() throws {
    try replay(corpus: "FuzzCorpus", target: "program", atLeast: 20)
  }

  @Test func everySafetensorsSeedReplaysWithoutATrap() throws {
    try replay(corpus: "FuzzCorpusSafetensors", target: "safetensors", atLeast: 5)
  }

  /// Runs the replay build of `compgraph-fuzz` over every file of `corpus`
  /// with `COMPGRAPH_FUZZ_TARGET=target`.
  func replay(corpus: String, target: String, atLeast count: Int) throws {
    let folder = Self.tests.appendingPathComponent(corpus)
    let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
      .map { folder.appendingPathComponent($0).path }
    #expect(seeds.count >= count)
    let process = Process()
    process.executableURL = products.appendingPathComponent("compgraph-fuzz")
    process.arguments = seeds
    process.environment = ProcessInfo.processInfo.environment.merging([
      "COMPGRAPH_FUZZ_TARGET": target
    ]) { _, new in new }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 0)
    let replayed = text.split(separator: "\n").map { $0.split(separator: ":")[0] }
    #expect(replayed.map(String.init) == seeds)
    #expect(!text.contains("cannot read"))
  }
}
