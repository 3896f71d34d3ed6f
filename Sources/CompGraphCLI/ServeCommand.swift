import ArgumentParser
import Foundation

/// `compgraph serve`: runs the explorer, `compgraph-serve`, built beside
/// this executable (a separate product, so that building `compgraph` does
/// not build the HTTP server).
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Explore expressions and their derivatives in the browser.",
    discussion: """
      Starts compgraph-serve, which serves the explorer page on loopback and prints its URL; \
      Ctrl-C stops it. Build it first with `swift build -c release --product compgraph-serve`.

      Example:
        compgraph serve --port 8080
      """
  )

  @Option(help: "The TCP port to listen on (0 picks a free port).")
  var port = 8080

  @Option(help: "The address to bind; give another than loopback only to share the explorer.")
  var host = "127.0.0.1"

  func run() throws {
    let directory = (Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe"))
      .resolvingSymlinksInPath().deletingLastPathComponent()
    let server = directory.appendingPathComponent("compgraph-serve").path
    guard FileManager.default.isExecutableFile(atPath: server) else {
      throw UserError(
        "the explorer is a separate program, and \(server) is not built; build it with "
          + "`swift build -c release --product compgraph-serve` (or run "
          + "`swift run -c release compgraph-serve`)")
    }
    let arguments = [server, "--port", "\(port)", "--host", host]
    var pointers = arguments.map { strdup($0) } + [nil]
    execv(server, &pointers)
    throw UserError("cannot start \(server): \(String(cString: strerror(errno)))")
  }
}
