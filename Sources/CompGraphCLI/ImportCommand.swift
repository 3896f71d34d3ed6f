import ArgumentParser
import CompGraph

/// `compgraph import`: an ONNX model's summary — its inputs with their shapes, its outputs, the
/// count of each op, and its parameters.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import an ONNX model and print its summary.",
    discussion: """
      Prints the model's inputs with their shapes and element types, its outputs, how many \
      nodes of each ONNX op it has, and its parameters (the real-valued initializers), then \
      the size of the imported graph. Every other command takes the model directly with \
      --onnx model.onnx, as it takes -f file.cg; --params-as-variables makes the parameters \
      variables, so that grad and eval differentiate with respect to them.

      An op the importer does not read is refused with a message naming the op, the node and \
      the opset, and listing the ops it reads.

      Example:
        compgraph import squeezenet.onnx
        compgraph grad --onnx model.onnx --wrt x --order 2
        compgraph eval --onnx model.onnx --at 'gpu_0/data_0=@input_0.pb' --json
      """
  )

  @Argument(help: "The ONNX model file.")
  var model: String

  @Flag(help: "Make the model's parameters variables (by default they are constants).")
  var paramsAsVariables = false

  @Option(
    name: .customLong("var"),
    help: ArgumentHelp(
      "Give an input whose shape the model leaves symbolic one, e.g. --var x=1x3x224x224 "
        + "(repeatable).", valueName: "name=shape"),
    transform: Declaration.init(parsing:))
  var declarations: [Declaration] = []

  @Option(
    help: ArgumentHelp(
      "The most bytes to read from the model file (K, M, G suffixes).", valueName: "size"))
  var maxInput = ByteCount(bytes: 1 << 30)

  @OptionGroup var memory: MemoryBudget
  @OptionGroup var budget: NodeBudget

  func run() throws {
    let shapes = Dictionary(declarations.map { ($0.name, $0.shape) }, uniquingKeysWith: { $1 })
    let imported = try ModelInput.importModel(
      model, parametersAsVariables: paramsAsVariables, inputShapes: shapes, maxInput: maxInput,
      limits: ONNXImportLimits(maxNodes: budget.nodeBudget, maxBytes: Int(memory.limit)))
    let graph = try userFacing { try imported.graph() }
    var lines = ["model: \(model) (opset \(imported.opset))", "inputs:"]
    for input in imported.inputs {
      lines.append("  \(input.name): \(input.shape.shapeDescription) \(input.dtype.rawValue)")
    }
    lines.append("outputs:")
    for (name, expr) in imported.program.outputs {
      let shape = expr.shape.map(\.shapeDescription) ?? "?"
      lines.append("  \(name): \(shape) \(expr.dtype?.rawValue ?? "")")
    }
    let nodes = imported.opCounts.reduce(0) { $0 + $1.count }
    lines.append(
      "ops (\(nodes) nodes): "
        + imported.opCounts.map { "\($0.op) \($0.count)" }.joined(separator: ", "))
    let count = imported.parameters.reduce(0) { $0 + $1.tensor.scalars.count }
    lines.append(
      "parameters: \(imported.parameters.count) tensors, \(count) values, "
        + (imported.parametersAreVariables ? "variables" : "constants"))
    for (name, tensor) in imported.parameters.prefix(parameterLines) {
      lines.append("  \(name): \(tensor.shape.shapeDescription) \(tensor.dtype.rawValue)")
    }
    if imported.parameters.count > parameterLines {
      lines.append("  … \(imported.parameters.count - parameterLines) more")
    }
    lines.append("graph: \(graph.sizeSummary)")
    try StandardStreams.write(lines: lines)
  }

  /// The parameters listed one a line; the rest are counted.
  private var parameterLines: Int { 20 }
}
