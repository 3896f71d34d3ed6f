import ArgumentParser
import CompGraph

/// `compgraph eval`: the value of every output at a point.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate the outputs with variables bound to values.",
    discussion:
      "Bind scalars with --at x=1.5 and tensors with their elements in row-major order: --at A=1,2,3,4."
  )

  @OptionGroup var input: InputOptions

  @Option(
    name: .customLong("at"),
    help: ArgumentHelp(
      "Bind a variable, e.g. --at x=1.5 or --at v=1,2,3 (repeatable).", valueName: "name=values"))
  var bindings: [Binding] = []

  func run() throws {
    let graph = try input.parse().graph()
    let shapes = Dictionary(
      graph.variables.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
    var values: [String: Tensor] = [:]
    for binding in bindings {
      guard let shape = shapes[binding.name] else {
        throw UserError("--at \(binding.name): the expression has no variable '\(binding.name)'")
      }
      guard binding.values.count == shape.elementCount else {
        throw UserError(
          "--at \(binding.name): variable '\(binding.name)' has shape \(shape.shapeDescription) "
            + "(\(shape.elementCount) value(s)) but \(binding.values.count) were given")
      }
      values[binding.name] = Tensor(shape: shape, scalars: binding.values)
    }
    do {
      for (name, value) in zip(graph.outputNames, try graph.evaluate(values)) {
        print("\(name) = \(value)")
      }
    } catch let error as GraphError {
      throw UserError("\(error)")
    }
  }
}

/// `NAME=VALUE[,VALUE…]` of `--at`.
struct Binding: ExpressibleByArgument {
  let name: String
  let values: [Double]

  init?(argument: String) {
    let parts = argument.split(separator: "=", maxSplits: 1)
    guard parts.count == 2, !parts[0].isEmpty else { return nil }
    let values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
    name = String(parts[0])
    self.values = values.compactMap { $0 }
  }
}
