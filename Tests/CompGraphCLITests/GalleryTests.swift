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
}
