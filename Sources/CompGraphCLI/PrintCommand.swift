import ArgumentParser
import CompGraph

/// `compgraph print`: the graph as an SSA listing and its size.
struct PrintCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "print",
    abstract: "Print the graph as an SSA listing.",
    discussion: """
      One node a line (jaxpr-like), then the node, edge and operation counts.

      Example:
        compgraph print "exp(x) * y"
      """
  )

  @OptionGroup var input: InputOptions

  func run() throws {
    let graph = try input.parse().graph()
    try StandardStreams.write(graph.listing + "# \(graph.sizeSummary)\n")
  }
}
