import Foundation
import Testing

/// Issue 26 §6: a package that depends on CompGraph pays for the library alone. The library's
/// manifest (as SwiftPM reads it) and its committed Package.resolved name no server package —
/// Hummingbird, SwiftNIO and the like belong to `Explorer/Package.swift`, which takes the library
/// by path — so a path dependency resolves argument-parser, numerics and the DocC plugin only.
@Suite struct PackageLayoutTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let expected: Set<String> = [
    "swift-argument-parser", "swift-numerics", "swift-docc-plugin", "swift-docc-symbolkit",
  ]

  /// The `identity` values of a manifest dump or a Package.resolved.
  static func identities(_ json: String) -> Set<String> {
    Set(
      json.split(separator: "\n").compactMap { line -> String? in
        guard let range = line.range(of: #""identity" : ""#) else { return nil }
        return String(line[range.upperBound...].prefix { $0 != "\"" })
      })
  }

  @Test func theLibrarysPackageResolvesNoServer() throws {
    let resolved = try String(
      contentsOf: Self.root.appendingPathComponent("Package.resolved"), encoding: .utf8)
    #expect(Self.identities(resolved) == Self.expected, "\(Self.identities(resolved))")
    // A scratch folder of its own: the checkout's .build is locked by the `swift test` running
    // this.
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID())")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "swift", "package", "--package-path", Self.root.path, "--scratch-path", scratch.path,
      "dump-package",
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let manifest = String(
      decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0)
    let dependencies = Self.identities(manifest)
    #expect(dependencies.isSubset(of: Self.expected) && !dependencies.isEmpty, "\(dependencies)")
    let explorer = try String(
      contentsOf: Self.root.appendingPathComponent("Explorer/Package.swift"), encoding: .utf8)
    #expect(explorer.contains(#".package(name: "CompGraph", path: "..")"#))
    #expect(explorer.contains("hummingbird") && !manifest.contains("hummingbird"))
  }
}
