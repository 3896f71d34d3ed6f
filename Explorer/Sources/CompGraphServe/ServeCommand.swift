import ArgumentParser
import CompGraph
import CompGraphTools
import Foundation
import Hummingbird
import Logging

/// `compgraph-serve`: the explorer — one web page and a small JSON API
/// that draw an expression and its derivatives in the browser.
///
/// Every request is parsed, differentiated, simplified and laid out in a
/// child process (this executable's hidden `worker` subcommand) with a time
/// budget, so a slow layout is killed with a message, and requests run at
/// once without sharing Graphviz's process-wide lock.
@main
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compgraph-serve",
    abstract: "Explore expressions and their derivatives in the browser.",
    discussion: """
      Serves the explorer page on loopback and prints its URL; Ctrl-C stops the server.

      Example:
        compgraph-serve --port 8080
      """,
    subcommands: [WorkerCommand.self]
  )

  @Option(help: "The TCP port to listen on (0 picks a free port).")
  var port = 8080

  @Option(help: "The address to bind; give another than loopback only to share the explorer.")
  var host = "127.0.0.1"

  @Option(help: "Seconds a request may take (parse, differentiate, lay out) before it is stopped.")
  var budget = Limits.standard.seconds

  @Option(help: "Refuse pictures with more nodes than this.")
  var maxNodes = Limits.standard.nodes

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535.") }
    guard budget > 0 else { throw ValidationError("--budget must be positive.") }
    guard maxNodes >= 1 else { throw ValidationError("--max-nodes must be positive.") }
  }

  func run() async throws {
    signal(SIGPIPE, SIG_IGN)
    var limits = Limits.standard
    limits.seconds = budget
    limits.nodes = maxNodes
    let explorer = try Explorer(
      limits: limits,
      worker: Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe"))
    var logger = Logger(label: "compgraph-serve")
    logger.logLevel = .warning
    let app = Application(
      router: explorer.router(),
      configuration: .init(address: .hostname(host, port: port), serverName: "compgraph-serve"),
      onServerRunning: { channel in
        let line = ExplorerBanner.line(host: host, port: channel.localAddress?.port ?? 0)
        FileHandle.standardOutput.write(Data(line.utf8))
      },
      logger: logger)
    try await app.runService()
  }
}
