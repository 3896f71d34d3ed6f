import Foundation
import Testing

/// The DocC catalog builds clean: every symbol link (``name``) in its articles and in the
/// library's doc comments resolves. What `swift package generate-documentation --target
/// CompGraph` does, cheaply: the symbol graph of the module already built for the tests, then
/// `docc convert` (about ten seconds).
@Suite struct DocumentationTests {
  @Test func theCatalogBuildsWithoutWarnings() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("compgraph-docc-\(UUID().uuidString)")
    let graphs = directory.appendingPathComponent("symbols")
    try FileManager.default.createDirectory(at: graphs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try SymbolGraph.extract(into: graphs)
    let convert = try runProcess(
      URL(filePath: "/usr/bin/env"),
      [
        "docc", "convert",
        PublicSurfaceTests.root.appendingPathComponent("Sources/CompGraph/CompGraph.docc").path,
        "--additional-symbol-graph-dir", graphs.path,
        "--output-path", directory.appendingPathComponent("out").path,
        "--fallback-display-name", "CompGraph", "--fallback-bundle-identifier", "CompGraph",
      ])
    #expect(convert.status == 0, "\(convert.stderr)")
    let warnings = (convert.stdout + convert.stderr).split(separator: "\n")
      .filter { $0.contains("warning:") || $0.contains("error:") }
    #expect(warnings.isEmpty, "\(warnings.joined(separator: "\n"))")
  }
}
