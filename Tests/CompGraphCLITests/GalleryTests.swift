import Foundation
import Testing

@testable import CompGraphCLI

/// `Graphs/`: every committed `.dot` equals what `compgraph gallery Graphs`
/// would write now.
@Suite struct GalleryTests {
  static let graphs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Graphs")

  @Test func committedDOTIsCurrent() throws {
    let sources = try GalleryCommand.sources(in: Self.graphs.path)
    #expect(sources.count >= 7)
    for source in sources {
      let render = try GalleryCommand.renderCommand(for: source)
      let dot = try render.dotText(render.derivativeGraph())
      let committed = try String(
        contentsOf: source.deletingPathExtension().appendingPathExtension("dot"), encoding: .utf8)
      #expect(
        dot == committed,
        "\(source.lastPathComponent): Graphs is stale; run `swift run compgraph gallery Graphs`")
    }
  }

  /// Outside a checkout, `gallery` says where it looked and what it is for.
  @Test func aDirectoryWithoutSourcesSaysWhereItLookedAndWhatGalleryIsFor() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let missing = directory.appendingPathComponent("Graphs").path
    for (path, problem) in [
      (directory.path, "'\(directory.path)' (\(directory.path)) holds no .cg files."),
      (missing, "cannot read the directory '\(missing)' (\(missing)): "),
    ] {
      let run = try compgraph("gallery", path)
      #expect(run.status == 1 && run.stdout.isEmpty, "\(run)")
      #expect(run.stderr.hasPrefix("compgraph: error: \(problem)"), "\(run.stderr)")
      #expect(
        run.stderr.contains(
          "\ngallery redraws NAME.dot and NAME.svg for every NAME.cg source in a directory,\n")
          && run.stderr.contains("use compgraph render"), "\(run.stderr)")
    }
  }
}
