import ExplorerCore
import Foundation
import Testing

/// The request fuzzer's seeds (`Explorer/Tests/FuzzCorpus`) through its
/// target (`RequestFuzzTarget`): no trap, and each request decided as the
/// server decides it.
@Suite struct ExplorerFuzzCorpusTests {
  static let corpus = ExplorerServer.repository.appendingPathComponent("Explorer/Tests/FuzzCorpus")

  static let expected: [String: [Int]] = [
    "graph.http": [200], "underflow.http": [200], "rebinding.http": [403], "export.http": [200],
    "combining-marks.http": [200], "bad-fields.http": [400], "expect-continue.http": [413],
    "pipelined.http": [200, 200, 405], "chunked.http": [200], "malformed.http": [],
  ]

  @Test func everySeedIsDecided() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
    #expect(files == Self.expected.keys.sorted())
    for file in files {
      let data = try Data(contentsOf: Self.corpus.appendingPathComponent(file))
      let statuses = data.withUnsafeBytes {
        RequestFuzzTarget.run($0.bindMemory(to: UInt8.self))
      }
      #expect(statuses == Self.expected[file], "\(file)")
    }
  }
}
