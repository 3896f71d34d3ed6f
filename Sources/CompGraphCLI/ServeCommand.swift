import ArgumentParser
import CompGraphTools
import Foundation

/// `compgraph serve`: runs the explorer, `compgraph-serve`, which the
/// package in `Explorer/` builds (a package of its own, so that building
/// `compgraph` or depending on the library does not build the HTTP server);
/// `ExplorerLocation` says where it is looked for.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Explore expressions and their derivatives in the browser.",
    discussion: """
      Starts compgraph-serve, which serves the explorer page on loopback and prints its URL; \
      Ctrl-C stops it. Build it first with `swift build -c release --package-path Explorer` \
      in the checkout; it is looked for beside compgraph, in Explorer/.build, and on PATH.

      Example:
        compgraph serve --port 8080
      """
  )

  @Option(help: "The TCP port to listen on (0 picks a free port).")
  var port = 8080

  @Option(help: "The address to bind; give another than loopback only to share the explorer.")
  var host = "127.0.0.1"

  func run() throws {
    let me = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")
    guard let server = ExplorerLocation.server(for: me)?.path else {
      throw UserError(ExplorerLocation.missing(for: me))
    }
    let arguments = [server, "--port", "\(port)", "--host", host]
    var pointers = arguments.map { strdup($0) } + [nil]
    execv(server, &pointers)
    throw UserError("cannot start \(server): \(String(cString: strerror(errno)))")
  }
}
