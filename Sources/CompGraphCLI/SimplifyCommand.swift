import ArgumentParser
import CompGraph

/// `compgraph simplify`: the simplified expression, as text.
struct SimplifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simplify",
    abstract: "Print the simplified expression.",
    discussion: """
      Prints each output as name = expression, with shared subexpressions as 'let t1 = …' lines \
      (see grad), and the graph's size before and after.

      Example:
        compgraph simplify "x*1 + 0 + ln(exp(y))" --trace
      """
  )

  @OptionGroup var input: InputOptions

  @Flag(help: "Print every rewrite rule that fired, in order.")
  var trace = false

  @Option(help: "Print as text (default), latex, python (NumPy), jax (jax.numpy) or c.")
  var format = TextFormatOption.text

  func run() throws {
    let graph = try input.parse().graph()
    let result = simplified(graph, trace: trace ? { print("# \($0)") } : nil)
    print(try userFacing { try result.text(format.format) }, terminator: "")
    if format == .text { print("# \(graph.sizeSummary) → \(result.sizeSummary)") }
  }
}
