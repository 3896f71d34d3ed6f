import CompGraph

extension Graph {
  /// For each output f and each list of variables, say (x, y, z), the mixed
  /// partial ∂³f/∂x∂y∂z alone, taken one variable at a time (each step
  /// simplified when `simplifying`) and named with `derivativeName`.
  func mixedPartials(_ lists: [[String]], simplifying: Bool) throws -> DerivativeGraph {
    let builder = GraphBuilder(self)
    var outputs: [NodeID] = [], names: [String] = [], orders: [Int] = []
    for (name, output) in zip(outputNames, self.outputs) {
      for list in lists {
        var node = output
        for variable in list {
          guard let x = builder.existingVariable(variable) else {
            throw UserError(
              "--derivative \(list.joined(separator: ",")): the expression has no variable '\(variable)'"
            )
          }
          node = try builder.gradient(of: node, wrt: [x])[0]
          if simplifying { node = builder.simplify([node])[0] }
        }
        outputs.append(node)
        names.append(derivativeName(of: name, wrt: list))
        orders.append(list.count)
      }
    }
    return DerivativeGraph(
      graph: builder.graph(outputs: outputs, names: names), outputOrders: orders)
  }
}
