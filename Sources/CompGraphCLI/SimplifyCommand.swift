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
        compgraph simplify "ln(1 + x) + ln(exp(a) + exp(b))" --stabilize --trace
      """
  )

  @OptionGroup var input: InputOptions

  @Flag(help: "Print every rewrite rule that fired, in order.")
  var trace = false

  @Option(help: "Print as text (default), latex, python (NumPy), jax (jax.numpy) or c.")
  var format = TextFormatOption.text

  @Flag(
    inversion: .prefixedNo,
    help: ArgumentHelp(
      "Also run the stabilize phase: log1p, expm1, stable softplus, sigmoid, logsumexp, tanh; "
        + "the default for every --format but text."))
  var stabilize: Bool?

  func run() throws {
    let graph = try input.parse().graph()
    var traced: [String] = []
    let result = simplified(
      graph, stabilizing: stabilize ?? (format != .text),
      trace: trace ? { traced.append("# \($0)") } : nil)
    let summary = format == .text ? ["# \(graph.sizeSummary) → \(result.sizeSummary)"] : []
    try StandardStreams.write(
      traced.map { $0 + "\n" }.joined() + (try userFacing { try result.text(format.format) })
        + summary.map { $0 + "\n" }.joined())
  }
}
