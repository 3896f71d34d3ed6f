import ArgumentParser
import CompGraph
import Foundation

/// Graphviz layouts with a time budget.  A layout cannot be interrupted
/// inside the C library, so it runs in a child process — this executable's
/// hidden `layout-worker` subcommand — which is killed when the budget runs
/// out; the message then says what to do instead.
enum BudgetedLayout {
  /// The budget unless `--layout-timeout` changes it.
  static let defaultSeconds = 20.0

  /// `dot` laid out and rendered by `renderer`, in at most `seconds`;
  /// `size` describes the graph for the message on overrun.
  static func render(
    dot: String, with renderer: GraphvizRenderer, format: GraphvizRenderer.Format,
    seconds: Double, size: String
  ) throws -> Data {
    let process = Process()
    process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = [
      "layout-worker", "--layout", renderer.layout, "--max-nodes", "\(renderer.nodeLimit)",
      "--format", format.rawValue,
    ]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    // A child killed mid-read must not take this process down with SIGPIPE.
    let previousPipeHandler = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previousPipeHandler) }
    try process.run()
    // Feed, collect and wait on separate threads, so no pipe fills up.
    let collected = Collected()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
      _ = StandardStreams.writeAll(Data(dot.utf8), to: input.fileHandleForWriting.fileDescriptor)
      try? input.fileHandleForWriting.close()
    }
    DispatchQueue.global().async(group: group) {
      collected.set(output: output.fileHandleForReading.readDataToEndOfFile())
    }
    DispatchQueue.global().async(group: group) {
      collected.set(errors: errors.fileHandleForReading.readDataToEndOfFile())
    }
    let finished = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      process.waitUntilExit()
      finished.signal()
    }
    if finished.wait(timeout: .now() + seconds) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      finished.wait()
      group.wait()
      throw UserError(
        "the \(renderer.layout) layout did not finish in \(formatNumber(seconds)) s "
          + "(\(size)); use --layout sfdp, which lays out thousands of nodes in a "
          + "second, draw fewer derivative orders, write the DOT text with --format dot, or "
          + "allow more time with --layout-timeout")
    }
    group.wait()
    guard process.terminationStatus == 0 else {
      let message = String(decoding: collected.errors, as: UTF8.self)
      guard message.isEmpty else {
        throw UserError(relayed: message.trimmingCharacters(in: .newlines))
      }
      throw UserError(
        "the \(renderer.layout) layout stopped (status \(process.terminationStatus))")
    }
    return collected.output
  }

  /// What the child wrote, filled in by the reader threads.
  private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var outputData = Data()
    private var errorData = Data()
    var output: Data { lock.withLock { outputData } }
    var errors: Data { lock.withLock { errorData } }
    func set(output data: Data) { lock.withLock { outputData = data } }
    func set(errors data: Data) { lock.withLock { errorData = data } }
  }
}

/// `compgraph layout-worker`: DOT on standard input, the picture on
/// standard output (the child process of `BudgetedLayout`; not for users).
struct LayoutWorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layout-worker", abstract: "Lay out DOT text (internal).", shouldDisplay: false)

  @Option var layout: String
  @Option var maxNodes: Int
  @Option var format: String

  func run() throws {
    let dot = try BoundedInput.read(nil, name: "standard input", limit: ByteCount(bytes: Int.max))
    let format = try userFacing { try GraphvizRenderer.Format(parsing: self.format) }
    let renderer = GraphvizRenderer(layout: layout, nodeLimit: maxNodes)
    try StandardStreams.write(
      userFacing { try renderer.render(dot: String(decoding: dot, as: UTF8.self), format: format) })
  }
}
