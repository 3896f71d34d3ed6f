/// A graph together with the derivative order of each of its outputs.
public struct DerivativeGraph: Sendable {
  public var graph: Graph
  /// `0` for `f`, `1` for `∂f/∂p`, `2` for `∂²f/∂p∂q`, …
  public var outputOrders: [Int]

  public init(graph: Graph, outputOrders: [Int]) {
    self.graph = graph
    self.outputOrders = outputOrders
  }
}

extension Graph {
  /// Every output followed by its derivatives up to `order` with respect to
  /// `variables`: `f, ∂f/∂p, ∂f/∂q, ∂²f/∂p², ∂²f/∂p∂q, ∂²f/∂q², …`, one
  /// output per multiset of variables (mixed partials are symmetric, so
  /// `∂²f/∂q∂p` is not repeated), named with `derivativeName`.  Each order
  /// is the gradient of the order below, built in one arena; with
  /// `simplifying`, each order is simplified before the next is taken, so
  /// high orders stay small.  Order 0 gives the outputs alone.
  public func derivatives(wrt variables: [String], order: Int, simplifying: Bool) throws
    -> DerivativeGraph
  {
    let builder = GraphBuilder(self)
    let handles = try variables.map { name -> NodeID in
      guard let id = builder.existingVariable(name) else {
        let known = self.variables.map { "'\($0.name)'" }.joined(separator: ", ")
        throw GraphError.unsupported(
          "cannot differentiate with respect to '\(name)': the expression has no variable of that name"
            + (known.isEmpty ? "" : " (its variables are \(known))"))
      }
      return id
    }
    if !variables.isEmpty,
      let (name, output) = zip(outputNames, outputs).first(where: { !shape($0.1).isEmpty })
    {
      throw GraphError.unsupported(
        "cannot differentiate '\(name)': it has shape \(shape(output).shapeDescription), and "
          + "derivatives need a scalar output; take sum() of it, or take its Jacobian "
          + "(jacobian(of:wrt:))")
    }
    var outputs: [NodeID] = [], names: [String] = [], orders: [Int] = []
    for (name, output) in zip(outputNames, self.outputs) {
      outputs.append(output)
      names.append(name)
      orders.append(0)
      // (variable indices, non-decreasing; node)
      var level: [(path: [Int], node: NodeID)] = [([], output)]
      for k in stride(from: 1, through: order, by: 1) where !variables.isEmpty {
        var next: [(path: [Int], node: NodeID)] = []
        for (path, node) in level {
          let start = path.last ?? 0
          let grads = try builder.gradient(of: node, wrt: Array(handles[start...]))
          for (offset, gradient) in grads.enumerated() {
            let newPath = path + [start + offset]
            next.append((newPath, gradient))
            outputs.append(gradient)
            names.append(derivativeName(of: name, wrt: newPath.map { variables[$0] }))
            orders.append(k)
          }
        }
        if simplifying {
          let simplified = builder.simplify(next.map(\.node))
          let first = outputs.count - next.count
          for i in next.indices {
            next[i].node = simplified[i]
            outputs[first + i] = simplified[i]
          }
        }
        level = next
      }
    }
    return DerivativeGraph(
      graph: builder.graph(outputs: outputs, names: names), outputOrders: orders)
  }

  /// The highest derivative order the command line builds.
  public static let maxOrder = 12
}
