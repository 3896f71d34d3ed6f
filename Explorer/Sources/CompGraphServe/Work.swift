@_spi(Explorer) import CompGraph
import ExplorerCore
import Foundation

/// The work behind one request, in the worker process: the expression's
/// graph, its derivatives, and the pictures and text the page shows.
struct Work {
  let request: ExplorerRequest
  let limits: Limits

  /// The server's node limit: the most a request may ask for.
  var nodeLimit: Int { limits.nodes }

  /// The limit this picture is drawn with: the page's, else the server's.
  var pictureLimit: Int { min(request.nodes ?? nodeLimit, nodeLimit) }

  /// f and its derivatives up to the requested order, simplified unless the
  /// request says `"simplify": false` (as `compgraph render` draws them);
  /// orders past the node budget are refused before they are built;
  /// `stabilizing` for the downloads, which write stable forms as every
  /// export does.
  func derivatives(stabilizing: Bool = false) throws -> DerivativeGraph {
    let simplifying = request.simplify ?? true
    return try aboutInput {
      let graph = try parseProgram(request.source, into: GraphBuilder()).graph()
      let drawing = try graph.derivatives(
        wrt: request.variables, order: request.highestOrder, simplifying: simplifying,
        stabilizing: stabilizing, nodeBudget: limits.nodeBudget)
      return simplifying ? drawing.simplifiedTogether() : drawing
    }
  }

  /// The outputs of `full` that the request keeps (`orders`, `partial`),
  /// as a graph of only the nodes they reach.
  func selection(of full: DerivativeGraph) throws -> DerivativeGraph {
    let kept = full.graph.outputs.indices.filter { k in
      (request.orders?.contains(full.outputOrders[k]) ?? true)
        && (request.partial.map { $0 == full.graph.outputNames[k] } ?? true)
    }
    guard !kept.isEmpty else {
      if let partial = request.partial {
        throw InputProblem(
          message: "there is no output \(quoted(partial)) among the orders shown; outputs: "
            + full.graph.outputNames.joined(separator: ", "))
      }
      throw InputProblem(message: "every derivative order is switched off; switch one on")
    }
    return DerivativeGraph(
      graph: GraphBuilder(full.graph).graph(
        outputs: kept.map { full.graph.outputs[$0] },
        names: kept.map { full.graph.outputNames[$0] }),
      outputOrders: kept.map { full.outputOrders[$0] })
  }

  /// The picture of `dot`, refused past `limit` (a summary has no limit:
  /// it has a node per derivative order).
  func svg(_ dot: String, limit: Int? = nil) throws -> String {
    try aboutInput { try render(dot, limit: limit) }
  }

  /// `svg(_:limit:)` with the renderer's own error.
  func render(_ dot: String, limit: Int?) throws(RenderError) -> String {
    let renderer = GraphvizRenderer(
      layout: request.layout ?? "dot", nodeLimit: limit ?? Int.max / 4)
    return String(decoding: try renderer.render(dot: dot, format: .svg), as: UTF8.self)
  }

  /// The export the request names, of the graph the page shows, refused
  /// before it is written when evaluating the graph would need more than
  /// the explorer's memory (what the file holds grows with it: ONNX's
  /// constants, one-hot tables).
  func exported() throws -> Data {
    let drawing = try selection(of: derivatives(stabilizing: true))
    try checkMemory(drawing.graph, doing: "exporting")
    return try aboutInput {
      switch ExportFormat(rawValue: request.format ?? "") {
      case .onnx: return Data(try drawing.graph.onnxModel(stabilizing: false))
      // Stabilized before it was differentiated.
      case .c: return Data(try drawing.graph.cCode(name: "f", stabilizing: false).utf8)
      case nil: throw InputProblem(message: "give 'format': onnx or c")
      }
    }
  }
}

extension Work {
  /// Refuses a graph whose evaluation needs more than `limits.evaluationBytes`
  /// (`Graph.peakMemoryEstimate`), naming the node and its shape.
  func checkMemory(_ graph: Graph, doing what: String = "evaluating") throws {
    let (bytes, node) = graph.peakMemoryEstimate()
    guard bytes > Double(limits.evaluationBytes) else { return }
    throw InputProblem(
      message: "\(what) needs about \(Int(bytes / Double(1 << 20))) MiB (at node \(node), shape "
        + "\(ExplorerSupport.describe(graph.shape(node)))), more than the explorer's "
        + "\(limits.evaluationBytes >> 20) MiB; use smaller tensors")
  }
}
