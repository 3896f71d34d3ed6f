import ArgumentParser
import CompGraph

/// A graph together with the derivative order of each of its outputs.
struct DerivativeGraph {
  var graph: Graph
  /// `0` for `f`, `1` for `∂f/∂p`, `2` for `∂²f/∂p∂q`, …
  var outputOrders: [Int]
}

extension Graph {
  /// Every output followed by its derivatives up to `order` with respect to
  /// `variables`: `f, ∂f/∂p, ∂f/∂q, ∂²f/∂p², ∂²f/∂p∂q, ∂²f/∂q², …`, one
  /// output per multiset of variables (mixed partials are symmetric, so
  /// `∂²f/∂q∂p` is not repeated), named with `derivativeName`.  Each order
  /// is the gradient of the order below, built in one arena; with
  /// `simplifying`, each order is simplified before the next is taken, so
  /// high orders stay small.
  static let maxOrder = 12

  func derivatives(wrt variables: [String], order: Int, simplifying: Bool) throws -> DerivativeGraph
  {
    let builder = GraphBuilder(self)
    let handles = try variables.map { name -> NodeID in
      guard let id = builder.existingVariable(name) else {
        let known = self.variables.map { "'\($0.name)'" }.joined(separator: ", ")
        throw UserError(
          "cannot differentiate with respect to '\(name)': the expression has no variable of that name"
            + (known.isEmpty ? "" : " (its variables are \(known))"))
      }
      return id
    }
    if !variables.isEmpty,
      let (name, output) = zip(outputNames, outputs).first(where: { !shape($0.1).isEmpty })
    {
      throw UserError(
        "cannot differentiate '\(name)': it has shape \(shape(output).shapeDescription), and "
          + "derivatives here need a scalar output; take sum() of it, or evaluate its Jacobian "
          + "at a point with 'compgraph eval --jacobian'")
    }
    var outputs: [NodeID] = [], names: [String] = [], orders: [Int] = []
    for (name, output) in zip(outputNames, self.outputs) {
      outputs.append(output)
      names.append(name)
      orders.append(0)
      // (variable indices, non-decreasing; node)
      var level: [(path: [Int], node: NodeID)] = [([], output)]
      for k in 1...max(order, 1) where !variables.isEmpty {
        var next: [(path: [Int], node: NodeID)] = []
        for (path, node) in level {
          let start = path.last ?? 0
          let grads = try userFacing {
            try builder.gradient(of: node, wrt: Array(handles[start...]))
          }
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
}

/// Checks `--order` for `grad` and `render`.
func validateOrder(_ order: Int) throws {
  guard (1...Graph.maxOrder).contains(order) else {
    throw ValidationError("--order must be between 1 and \(Graph.maxOrder).")
  }
}
