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
}

extension Work {
  /// The answer to `/api/graph`.
  func graphAnswer() throws -> GraphAnswer {
    let full = try derivatives()
    let drawing = try selection(of: full)
    let graph = drawing.graph
    var options = DOTEncoder.Options(outputOrders: drawing.outputOrders, nodeLimit: nodeLimit)
    let (point, valuesNote) = self.point(for: graph)
    if let point {
      (options.values, options.adjoints) = try aboutInput {
        try graph.valuesAndAdjoints(at: point, check: { try checkMemory($0) })
      }
    }
    let dot = try aboutInput { try DOTEncoder(options: options).encode(graph) }
    let infix = graph.infix(of: graph.ids, limit: 300)
    var nodes: [String: GraphAnswer.Node] = [:]
    for id in graph.ids {
      nodes["n\(id.rawValue)"] = GraphAnswer.Node(
        infix: infix[id.index], value: options.values[id].map(Self.text),
        adjoint: options.adjoints[id].map(Self.text))
    }
    let drawn = Set(zip(graph.outputNames, drawing.outputOrders).map { "\($0)#\($1)" })
    return GraphAnswer(
      svg: try svg(dot), dot: dot, listing: graph.listing + "# \(graph.sizeSummary)\n",
      outputs: zip(full.graph.outputNames, full.outputOrders).map { name, order in
        GraphAnswer.Output(name: name, order: order, drawn: drawn.contains("\(name)#\(order)"))
      },
      sizes: Self.sizes(of: full),
      variables: full.graph.variables.map {
        GraphAnswer.Variable(
          name: $0.name, shape: $0.shape.isEmpty ? "" : ExplorerSupport.describe($0.shape))
      },
      nodes: nodes, adjointOf: options.adjoints.isEmpty ? nil : graph.outputNames.first,
      valuesNote: valuesNote)
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
