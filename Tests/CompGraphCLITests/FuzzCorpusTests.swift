import Foundation
import Testing

/// Every seed in `Tests/FuzzCorpus` (the hostile-input reproducers, and the
/// inputs fuzz runs found crashing) replays through the fuzz target — parse,
/// print, simplify, evaluate, differentiate twice, compile — with no trap
/// and no broken graph invariant.  The replay build has no sanitizer; a
/// sanitizer run is the README's "Fuzzing".
@Suite struct FuzzCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

  @Test func everySeedReplaysWithoutATrap() throws {
    let seeds = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
      .map { Self.corpus.appendingPathComponent($0).path }
    #expect(seeds.count >= 20)
    let process = Process()
    process.executableURL = products.appendingPathComponent("compgraph-fuzz")
    process.arguments = seeds
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
