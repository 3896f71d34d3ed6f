import ArgumentParser
import CompGraph
import Foundation

/// `compgraph gallery`: regenerates the `.dot` and `.svg` of every `.cg`
/// source in a directory (the repository's `Graphs/`).
///
/// A source says how it is drawn in a comment line of `render` options:
///
///     # render: --grad p,q --order 2
struct GalleryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gallery",
    abstract: "Regenerate NAME.dot and NAME.svg for every NAME.cg in a directory.",
    discussion: """
      Each source may hold one comment line '# render: OPTIONS' with the render options to use \
      (--grad, --order, --at, --layout, --no-simplify).

      Example:
        swift run compgraph gallery Graphs
      """
  )

  @Argument(help: "The directory holding the .cg sources.")
  var directory = "Graphs"

  func run() throws {
    let sources = try Self.sources(in: directory)
    if sources.isEmpty {
      throw UserError(
        "'\(directory)' (\(Self.absolute(directory))) holds no .cg files.\n\(Self.purpose)")
    }
    // Every source is drawn before anything is written, so a bad source
    // leaves the whole gallery as it was.
    let pictures = try sources.map { source in
      let render = try Self.renderCommand(for: source)
      let dot = try render.dotText(render.derivativeGraph())
      let svg = try BudgetedLayout.render(
        dot: dot, with: GraphvizRenderer(layout: render.layout), format: .svg,
        seconds: render.layoutTimeout, size: source.lastPathComponent)
      return (base: source.deletingPathExtension(), dot: Data(dot.utf8), svg: svg)
    }
    for picture in pictures {
      try writeOutput(picture.dot, to: picture.base.appendingPathExtension("dot").path)
      try writeOutput(picture.svg, to: picture.base.appendingPathExtension("svg").path)
      try StandardStreams.write(lines: [picture.base.lastPathComponent])
    }
  }

  /// What the command is for, for the messages that find nothing to draw.
  static let purpose = """
    gallery redraws NAME.dot and NAME.svg for every NAME.cg source in a directory,
    such as a CompGraph checkout's Graphs (compgraph gallery /path/to/CompGraph/Graphs);
    to draw one expression or program, use compgraph render.
    """

  /// `directory` as an absolute path, so a message says where it looked.
  static func absolute(_ directory: String) -> String {
    URL(fileURLWithPath: directory).standardizedFileURL.path
  }

  /// The `.cg` files of `directory`, sorted by name.
  static func sources(in directory: String) throws -> [URL] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      var isDirectory: ObjCBool = false
      let reason =
        !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        ? "there is no such directory"
        : isDirectory.boolValue ? "it cannot be read" : "it is a file"
      throw UserError(
        "cannot read the directory '\(directory)' (\(absolute(directory))): \(reason).\n\(purpose)")
    }
    return names.filter { $0.hasSuffix(".cg") }.sorted().map {
      URL(fileURLWithPath: directory).appendingPathComponent($0)
    }
  }

  /// `render -f SOURCE` with the options of the source's `# render:` line.
  static func renderCommand(for source: URL) throws -> RenderCommand {
    guard let text = try? String(contentsOf: source, encoding: .utf8) else {
      throw UserError("cannot read '\(source.path)'")
    }
    let marker = "# render:"
    let line = text.split(separator: "\n").first { $0.hasPrefix(marker) }
    let options =
      line.map { $0.dropFirst(marker.count).split(separator: " ").map(String.init) } ?? []
    do {
      return try RenderCommand.parse(["-f", source.path] + options)
    } catch {
      throw UserError("\(source.path): bad '\(marker)' line: \(RenderCommand.message(for: error))")
    }
  }
}
