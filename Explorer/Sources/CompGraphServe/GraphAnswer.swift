@_spi(Explorer) import CompGraph
import ExplorerCore
import Foundation

/// What `/api/graph` answers: the picture, its DOT text and listing, and
/// what the page shows around it (order toggles, sizes, hover texts).
struct GraphAnswer: Encodable {
  struct Output: Encodable {
    let name: String
    let order: Int
    let drawn: Bool
  }
  /// The size of the derivatives of one order (all outputs of that order together).
  struct Size: Encodable {
    let order: Int
    let nodes: Int
    let ops: Int
  }
  struct Variable: Encodable {
    let name: String
    /// `""` for a scalar, else `2x3`.
    let shape: String
  }
  /// What hovering a node shows.
  struct Node: Encodable {
    let infix: String
    let value: String?
    let adjoint: String?
  }

  /// Why the picture is the summary (one node per derivative order) and
  /// what would draw the graph itself: only what works.
  struct TooLarge: Encodable {
    /// The node limit the picture needs, and the limit it was drawn with.
    let nodes: Int
    let limit: Int
    let message: String
    /// A node limit the page may ask for that draws it (at most the cap).
    let raiseTo: Int?
    /// The `collapse` choices that draw it within the limit.
    let collapse: [String]
  }

  let svg: String
  let dot: String
  let listing: String
  let outputs: [Output]
  let sizes: [Size]
  let variables: [Variable]
  /// By DOT node name (`n12`, the `<title>` of the SVG group).
  let nodes: [String: Node]
  /// The output whose adjoints the nodes show (the first one drawn).
  let adjointOf: String?
  /// Why no values are shown, when none are.
  let valuesNote: String?
  /// The picture's node limit and the server's cap, the most a page may ask for.
  let nodeLimit: Int
  let nodeCap: Int
  /// Set when the graph is past the limit and the summary is drawn.
  let tooLarge: TooLarge?
}

extension Work {
  /// The answer to `/api/graph`.
  func graphAnswer() throws -> GraphAnswer {
    let full = try derivatives()
    let drawing = try selection(of: full)
    let graph = drawing.graph
    var options = DOTEncoder.Options(
      outputOrders: drawing.outputOrders, nodeLimit: pictureLimit,
      collapse: DOTEncoder.Collapse(rawValue: request.collapse ?? "") ?? .none,
      expandedGroups: Set(request.expand ?? []))
    let (point, valuesNote) = self.point(for: graph)
    if let point {
      (options.values, options.adjoints) = try aboutInput {
        try graph.valuesAndAdjoints(at: point, check: { try checkMemory($0) })
      }
    }
    var (dot, picture, tooLarge) = ("", "", GraphAnswer.TooLarge?.none)
    do {
      dot = try DOTEncoder(options: options).encode(graph)
      // The limit counts the graph's nodes; the output names and the legend come on top.
      picture = try render(dot, limit: pictureLimit + graph.outputs.count + 1)
    } catch {
      // Past the limit the summary still shows what the graph holds.
      guard Self.isTooLarge(error) else { throw InputProblem(message: "\(error)") }
      tooLarge = advice(drawing, options: options)
      dot = try aboutInput { try DOTEncoder(options: options).summary(graph) }
      picture = try svg(dot)
    }
    let infix = graph.infix(of: graph.ids, limit: 300)
    var nodes: [String: GraphAnswer.Node] = [:]
    for id in graph.ids {
      nodes["n\(id.rawValue)"] = GraphAnswer.Node(
        infix: infix[id.index], value: options.values[id].map(Self.text),
        adjoint: options.adjoints[id].map(Self.text))
    }
    let drawn = Set(zip(graph.outputNames, drawing.outputOrders).map { "\($0)#\($1)" })
    return GraphAnswer(
      svg: picture, dot: dot, listing: graph.listing + "# \(graph.sizeSummary)\n",
      outputs: zip(full.graph.outputNames, full.outputOrders).map { name, order in
        GraphAnswer.Output(name: name, order: order, drawn: drawn.contains("\(name)#\(order)"))
      },
      sizes: Self.sizes(of: full),
      variables: full.graph.variables.map {
        GraphAnswer.Variable(
          name: $0.name, shape: $0.shape.isEmpty ? "" : ExplorerSupport.describe($0.shape))
      },
      nodes: nodes, adjointOf: options.adjoints.isEmpty ? nil : graph.outputNames.first,
      valuesNote: valuesNote, nodeLimit: pictureLimit, nodeCap: nodeLimit, tooLarge: tooLarge)
  }

  /// Whether the renderer's error is the picture being past the limit.
  static func isTooLarge(_ error: RenderError) -> Bool {
    switch error {
    case .tooLarge, .tooManyEdges: true
    default: false
    }
  }

  /// The node limit a DOT text needs: its graph's nodes, and half its nodes
  /// and edges (the renderer's cost measure), counting the output names and
  /// the legend on top as `render(_:limit:)` does.
  static func neededLimit(_ dot: String, outputs: Int) -> Int {
    let lines = dot.split(separator: "\n")
    let edges = lines.count { $0.contains(" -> ") }
    let statements = lines.count { line in
      line.hasPrefix("  ") && line.contains(" [") && !line.contains(" -> ")
        && !["  graph [", "  node [", "  edge ["].contains { line.hasPrefix($0) }
    }
    return max(statements - outputs, (statements + edges + 1) / 2 - outputs - 1)
  }

  /// Why the summary is drawn, and only the choices that draw the graph
  /// itself: a node limit up to the server's cap, and each collapse whose
  /// picture fits the page's limit.
  private func advice(_ drawing: DerivativeGraph, options: DOTEncoder.Options)
    -> GraphAnswer.TooLarge
  {
    let outputs = drawing.graph.outputs.count
    let needed = { (options: DOTEncoder.Options) -> Int? in
      var unlimited = options
      unlimited.nodeLimit = nil
      return (try? DOTEncoder(options: unlimited).encode(drawing.graph)).map {
        Self.neededLimit($0, outputs: outputs)
      }
    }
    let nodes = needed(options) ?? nodeLimit + 1
    let raise = nodes <= nodeLimit ? nodes : nil
    let collapses = DOTEncoder.Collapse.allCases.filter { collapse in
      guard collapse != .none, collapse != options.collapse else { return false }
      var collapsed = options
      collapsed.collapse = collapse
      collapsed.expandedGroups = []
      return needed(collapsed).map { $0 <= pictureLimit } ?? false
    }
    var choices: [String] = []
    if let raise {
      choices.append("raise the node limit to \(raise) (this server allows \(nodeLimit))")
    }
    choices += collapses.map {
      "collapse \($0 == .outputs ? "each output" : "each module") into one node"
    }
    let limitText =
      pictureLimit < nodeLimit
      ? "the page's limit of \(pictureLimit)" : "this server's limit of \(nodeLimit)"
    let message =
      "This picture needs a node limit of \(nodes), more than \(limitText): showing one node "
      + "per derivative order. "
      + (choices.isEmpty
        ? "Neither this server's limit nor collapsing fits it; switching derivative orders off "
          + "or picking one partial draws fewer nodes."
        : "To draw it node by node, " + choices.joined(separator: ", or ") + ".")
    return GraphAnswer.TooLarge(
      nodes: nodes, limit: pictureLimit, message: message, raiseTo: raise,
      collapse: collapses.map(\.rawValue))
  }

  /// The point the request gives, when it binds every variable of `graph`
  /// (scalars only); otherwise why there are no values.
  private func point(for graph: Graph) -> ([String: Tensor]?, String?) {
    guard let at = request.at, !at.isEmpty else { return (nil, nil) }
    var point: [String: Tensor] = [:]
    for (name, shape) in graph.variables {
      guard shape.isEmpty else {
        return (
          nil,
          "values need scalar variables; '\(name)' has shape \(ExplorerSupport.describe(shape))"
        )
      }
      guard let value = at[name] else {
        return (nil, "give a value for every variable ('\(name)')")
      }
      point[name] = Tensor(value)
    }
    return (point, nil)
  }

  /// Nodes and operations of each order's outputs together.
  static func sizes(of drawing: DerivativeGraph) -> [GraphAnswer.Size] {
    Set(drawing.outputOrders).sorted().map { order in
      let kept = drawing.graph.outputs.indices.filter { drawing.outputOrders[$0] == order }
      let part = GraphBuilder(drawing.graph).graph(outputs: kept.map { drawing.graph.outputs[$0] })
      return GraphAnswer.Size(order: order, nodes: part.nodeCount, ops: part.operationCount)
    }
  }

  /// A value as the page shows it: a scalar in full, a tensor cut short.
  static func text(_ value: Tensor) -> String {
    let text = "\(value)"
    return text.count > 300 ? text.prefix(300) + "…" : text
  }
}
