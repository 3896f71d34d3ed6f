import ArgumentParser
import CompGraph

/// `compgraph grad`: the derivative expressions, as text.
struct GradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grad",
    abstract: "Print the (simplified) derivative expressions.",
    discussion: """
      Prints one line per derivative, ∂f/∂x = …, up to --order. A subexpression used more than \
      once whose text is longer than 16 characters is printed once, before the derivatives, as \
      'let t1 = …', and referred to by name, so the text grows with the graph rather than \
      exponentially with the order.

      Example:
        compgraph grad "x * y + exp(x + 3)" --wrt x,y --order 2
      """
  )

  @OptionGroup var input: InputOptions
  @OptionGroup var budget: NodeBudget

  @Option(
    help: ArgumentHelp(
      "The variables to differentiate with respect to, e.g. x,y.", valueName: "vars"))
  var wrt: VariableList

  @Option(help: "The highest derivative order.")
  var order = 1

  @Option(help: "Print as text (default), latex, python (NumPy), jax (jax.numpy) or c.")
  var format = TextFormatOption.text

  @Flag(
    inversion: .prefixedNo,
    help: ArgumentHelp(
      "Differentiate stable forms (log1p, expm1, max-shifted logsumexp, …), as eval does; the "
        + "default for every --format but text."))
  var stabilize: Bool?

  func validate() throws {
    try validateOrder(order)
    _ = try VariableList.distinct([wrt], option: "--wrt")
  }

  func run() throws {
    let expression = try input.parse().graph()
    let drawing = try userFacing {
      try expression.derivatives(
        wrt: wrt.names, order: order, simplifying: true,
        stabilizing: stabilize ?? (format.format != .compgraph), nodeBudget: budget.nodeBudget)
    }
    let graph = drawing.graph
    let derivativesOnly = zip(graph.outputs, drawing.outputOrders).filter { $0.1 > 0 }.map(\.0)
    let names = zip(graph.outputNames, drawing.outputOrders).filter { $0.1 > 0 }.map(\.0)
    let derivatives = graph.with(outputs: derivativesOnly, names: names)
    try StandardStreams.write(try userFacing { try derivatives.text(format.format, name: "df") })
  }
}
