import Foundation
import Testing

/// Examples write where they are told (`--out DIR`), else into the current
/// directory — never into the source checkout.
@Suite struct ExampleOutputTests {
  private func run(_ example: String, _ arguments: [String], in directory: URL) throws -> Int32 {
    let process = Process()
    process.executableURL = products.appendingPathComponent(example)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  @Test func outChoosesTheDirectoryAndTheDefaultIsTheCurrentOne() throws {
    let here = try temporaryDirectory(), there = try temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(at: here)
      try? FileManager.default.removeItem(at: there)
    }
    let out = there.appendingPathComponent("pictures")
    #expect(try run("TaylorSeries", ["--out", out.path], in: here) == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["taylor-series.svg"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: here.path).isEmpty)
    #expect(try run("TaylorSeries", [], in: here) == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: here.path) == ["taylor-series.svg"])
    #expect(try run("TaylorSeries", ["--bogus"], in: here) == 2)
  }
}
