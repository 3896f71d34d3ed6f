import ArgumentParser
import CompGraph
import CompGraphTools
import ExplorerCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

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

  @Option(help: "MiB of address space each worker may use; past it the request is refused.")
  var workerMemory = Limits.standard.workerMemory >> 20

  @Option(help: "Requests worked on at once.")
  var workers = Limits.standard.concurrentWorkers

  @Option(help: "Requests that may wait for a worker; past it the server answers 503.")
  var queue = Limits.standard.queuedRequests

  @Option(help: "Open connections; past it new ones wait until one closes.")
  var maxConnections = Limits.standard.connections

  @Option(help: "Seconds a connection may take to send a request's head (or stay idle).")
  var headTimeout = Limits.standard.headSeconds

  @Option(help: "Seconds a request may take to send its body.")
  var bodyTimeout = Limits.standard.bodySeconds

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535.") }
    guard budget > 0 else { throw ValidationError("--budget must be positive.") }
    guard maxNodes >= 1 else { throw ValidationError("--max-nodes must be positive.") }
    // A worker's address space starts at about 360 MiB (the runtime,
    // Foundation, Graphviz and their threads' stacks).
    guard (512...(1 << 30)).contains(workerMemory) else {
      throw ValidationError("--worker-memory must be 512 (MiB) or more.")
    }
    guard workers >= 1, queue >= 0, maxConnections >= 1 else {
      throw ValidationError("--workers and --max-connections must be positive, --queue 0 or more.")
    }
    guard headTimeout > 0, bodyTimeout > 0 else {
      throw ValidationError("--head-timeout and --body-timeout must be positive.")
    }
  }

  /// The limits the options give.
  var limits: Limits {
    var limits = Limits.standard
    (limits.seconds, limits.nodes, limits.workerMemory) = (budget, maxNodes, workerMemory << 20)
    (limits.concurrentWorkers, limits.queuedRequests, limits.connections) =
      (workers, queue, maxConnections)
    (limits.headSeconds, limits.bodySeconds) = (headTimeout, bodyTimeout)
    return limits
  }

  func run() async throws {
    signal(SIGPIPE, SIG_IGN)
    if !["127.0.0.1", "::1", "localhost"].contains(host) {
      FileHandle.standardError.write(
        Data(
          ("compgraph-serve: warning: listening on \(host) lets other machines use the explorer; "
            + "it has no accounts or passwords, and every request runs a worker on this machine\n")
            .utf8))
    }
    let limits = self.limits
    let explorer = try Explorer(
      limits: limits,
      worker: Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe"))
    var logger = Logger(label: "compgraph-serve")
    logger.logLevel = .warning
    let app = Application(
      responder: explorer,
      server: .http1(
        configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits)])),
      configuration: .init(
        address: .hostname(host, port: port), serverName: "compgraph-serve",
        availableConnectionsDelegate: MaximumAvailableConnections(limits.connections)),
      onServerRunning: { channel in
        let line = ExplorerBanner.line(host: host, port: channel.localAddress?.port ?? 0)
        FileHandle.standardOutput.write(Data(line.utf8))
      },
      logger: logger)
    try await app.runService()
  }
}
