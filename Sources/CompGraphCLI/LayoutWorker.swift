import ArgumentParser
import CompGraph
import CompGraphTools
import Foundation

/// Graphviz layouts with a time budget: a `BudgetedProcess` running this
/// executable's hidden `layout-worker` subcommand, killed when the budget
/// runs out; the message then says what to do instead.
enum BudgetedLayout {
  /// The budget unless `--layout-timeout` changes it.
  static let defaultSeconds = 20.0

  /// `dot` laid out and rendered by `renderer`, in at most `seconds`;
  /// `size` describes the graph for the message on overrun.
  static func render(
    dot: String, with renderer: GraphvizRenderer, format: GraphvizRenderer.Format,
    seconds: Double, size: String
  ) throws -> Data {
    let arguments = [
      "layout-worker", "--layout", renderer.layout, "--max-nodes", "\(renderer.nodeLimit)",
      "--format", format.rawValue,
    ]
    guard
      let finished = try BudgetedProcess.run(
        Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe"), arguments: arguments,
        input: Data(dot.utf8), seconds: seconds)
    else {
      throw UserError(
        "the \(renderer.layout) layout did not finish in \(formatNumber(seconds)) s "
          + "(\(size)); use --layout sfdp, which lays out thousands of nodes in a "
          + "second, draw fewer derivative orders, write the DOT text with --format dot, or "
          + "allow more time with --layout-timeout")
    }
    guard finished.status == 0 else {
      let message = String(decoding: finished.errors, as: UTF8.self)
      guard message.isEmpty else {
        throw UserError(relayed: message.trimmingCharacters(in: .newlines))
      }
      throw UserError("the \(renderer.layout) layout stopped (status \(finished.status))")
    }
    return finished.output
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
    // Ends with the `compgraph` that started it (killed by `timeout`, say) instead of laying
    // out for minutes more: PR_SET_PDEATHSIG, as the explorer's workers do. The signal comes
    // when the thread that spawned the worker ends, and `BudgetedProcess.run` holds that
    // thread until the worker has exited.
    BudgetedProcess.dieWithParent()
    let dot = try BoundedInput.read(nil, name: "standard input", limit: ByteCount(bytes: Int.max))
    let format = try userFacing { try GraphvizRenderer.Format(parsing: self.format) }
    let renderer = GraphvizRenderer(layout: layout, nodeLimit: maxNodes)
    try StandardStreams.write(
      userFacing { try renderer.render(dot: String(decoding: dot, as: UTF8.self), format: format) })
  }
}
