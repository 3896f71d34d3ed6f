import CompGraph

extension Graph {
  /// For each output f and each list of variables, say (x, y, z), the mixed
  /// partial ∂³f/∂x∂y∂z alone, named with `derivativeName`: the library's
  /// derivative tower restricted to these partials (and the lower ones they
  /// are built from), each order simplified when `simplifying`.
  func mixedPartials(_ lists: [[String]], simplifying: Bool, nodeBudget: Int) throws
    -> DerivativeGraph
  {
    let builder = GraphBuilder(self)
    var variables: [String] = [], handles: [NodeID] = []
    for list in lists {
      for name in list where !variables.contains(name) {
        guard let x = builder.existingVariable(name) else {
          throw UserError(
            "--derivative \(list.joined(separator: ",")): the expression has no variable '\(name)'")
        }
        variables.append(name)
        handles.append(x)
      }
    }
    let indices = lists.map { list in list.map { variables.firstIndex(of: $0)! } }
    let roots = simplifying ? builder.simplify(self.outputs) : self.outputs
    let tower = try builder.derivativeTower(
      of: roots, wrt: handles, partials: indices, simplify: simplifying,
      nodeBudget: nodeBudget)
    var outputs: [NodeID] = [], names: [String] = [], orders: [Int] = []
    for (f, name) in outputNames.enumerated() {
      for (list, index) in zip(lists, indices) {
        outputs.append(tower.node(output: f, index)!)
        names.append(derivativeName(of: name, wrt: list))
        orders.append(list.count)
      }
    }
    return DerivativeGraph(
      graph: builder.graph(outputs: outputs, names: names), outputOrders: orders)
  }
}
