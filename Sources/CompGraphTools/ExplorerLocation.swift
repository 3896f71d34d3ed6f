import Foundation

/// Where `compgraph serve` and `compgraph-bench serve` find the explorer,
/// `compgraph-serve`, which is built by a package of its own (`Explorer/`,
/// so that depending on CompGraph does not build an HTTP server):
///
/// 1. beside the program asking (an installed pair);
/// 2. in the explorer package's build folder of the same checkout, release
///    first — `REPO/.build/TRIPLE/CONFIG/compgraph` looks in
///    `REPO/Explorer/.build/TRIPLE/{release,debug}/compgraph-serve`;
/// 3. on `PATH`.
public enum ExplorerLocation {
  /// The command that builds the explorer, for messages.
  public static let buildCommand = "swift build -c release --package-path Explorer"

  /// The places `compgraph-serve` is looked for, in order, for a program
  /// at `executable` (its symbolic links resolved).
  public static func candidates(for executable: URL) -> [URL] {
    let directory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
    var places = [directory.appendingPathComponent("compgraph-serve")]
    let triple = directory.deletingLastPathComponent()
    let build = triple.deletingLastPathComponent()
    if build.lastPathComponent == ".build" {
      let explorerBuild = build.deletingLastPathComponent()
        .appendingPathComponent("Explorer/.build")
        .appendingPathComponent(triple.lastPathComponent)
      for mode in ["release", "debug"] {
        places.append(explorerBuild.appendingPathComponent("\(mode)/compgraph-serve"))
      }
    }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for folder in path.split(separator: ":") where !folder.isEmpty {
      places.append(URL(fileURLWithPath: String(folder)).appendingPathComponent("compgraph-serve"))
    }
    return places
  }

  /// The first executable `compgraph-serve` among `candidates(for:)`.
  public static func server(for executable: URL) -> URL? {
    candidates(for: executable).first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }

  /// Why no explorer was found, and how to build it.
  public static func missing(for executable: URL) -> String {
    let places = candidates(for: executable).prefix(3).map(\.path)
    return
      "the explorer, compgraph-serve, is not built (looked in \(places.joined(separator: ", ")) "
      + "and on PATH); build it in the checkout with `\(buildCommand)`"
  }
}
