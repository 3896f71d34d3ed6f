import ArgumentParser
import CompGraph
import Foundation

/// `compgraph export`: the expression and its derivatives as an ONNX model.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the expression and, with --grad, its derivatives as an ONNX model.",
    discussion: """
      The model is float64 throughout, ONNX opset \(Graph.onnxOpset). Each variable is an input \
      and each output (f, ∂f/∂p, ∂²f/∂p², …) an output, with its name and shape. Run it with \
      onnxruntime:

        import onnxruntime, numpy as np
        session = onnxruntime.InferenceSession("model.onnx")
        print(session.run(None, {"p": np.array(2.0), "q": np.array(3.0)}))

      Example:
        compgraph export "sqrt(p + p + q) / 3 + ln(p * (p * q))" --grad p,q -o model.onnx
      """
  )

  @OptionGroup var input: InputOptions
  @OptionGroup var budget: NodeBudget
  @OptionGroup var memory: MemoryBudget

  @OptionGroup var derivatives: DerivativeOptions
  @OptionGroup var simplification: SimplifyFlag
  @OptionGroup var stabilization: StabilizeFlag

  @Option(
    name: .shortAndLong,
    help:
      "Write the model to this file (atomically; a device or FIFO is written through; - is standard output)."
  )
  var output: String

  func run() throws {
    let parsed = try input.parse().graph()
    let graph = try userFacing {
      try parsed.derivatives(
        wrt: derivatives.variables?.names ?? [], order: derivatives.order,
        simplifying: simplification.simplify, stabilizing: stabilization.stabilize,
        nodeBudget: budget.nodeBudget
      ).graph
    }
    // Refused before the model is built: its initializers (one-hot tables, broadcast
    // constants) grow with the tensors an evaluation would hold.
    try memory.check(graph, doing: "exporting")
    // Stabilized (or not) before it was differentiated.
    let model = try userFacing { try graph.onnxModel(stabilizing: false) }
    try writeOutput(Data(model), to: output)
  }
}
