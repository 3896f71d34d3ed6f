import CompGraph
import Foundation

/// `render --sparsity`: the spy plot of the Hessian's pattern with its star colouring, or of the
/// Jacobian's with its column colouring, instead of the graph.
extension RenderCommand {
  /// The plot's bytes: SVG, or text with `--format text`.
  func sparsityPicture(format: Format) throws -> Data {
    let plot = try spyPlot()
    return Data((format == .text ? plot.text : plot.svg).utf8)
  }

  /// The pattern of the program's outputs with respect to every variable, in the declared order,
  /// as `eval --hessian --sparse` and `--jacobian --sparse` find it: of the Hessian when the
  /// program has one output of one element, else of the Jacobian of every output. The graph is
  /// simplified (unless `--no-simplify`) and stabilized first, as eval evaluates it.
  func spyPlot() throws -> SpyPlot {
    let graph = try input.parse().graph()
    let builder = GraphBuilder(graph)
    var options = SimplifyOptions()
    options.assumeFinite = false
    options.phases.insert(.stabilize)
    let roots =
      simplification.simplify ? builder.simplify(graph.outputs, options: options) : graph.outputs
    let outputs = builder.graph(outputs: roots, names: graph.outputNames)
    let variables = graph.variables
    let labels = variables.flatMap { elementLabels($0.name, shape: $0.shape) }
    let names = variables.map(\.name)
    if names.isEmpty {
      throw UserError(
        "--sparsity: the expression has no variables, so its derivatives have no pattern")
    }
    if outputs.outputs.count == 1 && outputs.shape(outputs.outputs[0]).elementCount == 1 {
      let f = outputs.with(outputs: [outputs.outputs[0]], names: [graph.outputNames[0]])
      let pattern = try userFacing { try f.hessianSparsity(wrt: names) }
      return SpyPlot(
        pattern: pattern, coloring: pattern.starColoring(),
        title: "Hessian of \(graph.outputNames[0]), star colouring", rowLabels: labels,
        columnLabels: labels)
    }
    let pattern = try userFacing { try outputs.jacobianSparsity(wrt: names) }
    let rows = zip(outputs.outputNames, outputs.outputs).flatMap {
      elementLabels($0, shape: outputs.shape($1))
    }
    return SpyPlot(
      pattern: pattern, coloring: pattern.columnColoring(),
      title: "Jacobian, column colouring", rowLabels: rows, columnLabels: labels)
  }
}
