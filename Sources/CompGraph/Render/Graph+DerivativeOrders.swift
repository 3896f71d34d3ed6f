extension Graph {
  /// The derivative order of every node, given the order of each output
  /// (`f, ∂f/∂p, ∂²f/∂p²` have orders `0, 1, 2`):
  ///
  ///     order(n) = min { outputOrders[k] : output k reaches n }
  ///
  /// so a node shared by `f` and its derivative is original (order 0), and a
  /// node only the second derivative needs has order 2.  One backward loop
  /// (inputs have smaller ids); a node no output reaches gets order 0.
  ///
  /// `outputOrders` holds one entry per output; missing entries count as 0.
  public func derivativeOrders(outputOrders: [Int]) -> [Int] {
    var order = [Int](repeating: .max, count: nodeCount)
    for (k, output) in outputs.enumerated() {
      let given = k < outputOrders.count ? outputOrders[k] : 0
      order[output.index] = Swift.min(order[output.index], given)
    }
    for index in stride(from: nodeCount - 1, through: 0, by: -1) {
      if order[index] == .max {
        order[index] = 0
        continue
      }
      for input in inputs(NodeID(index)) {
        order[input.index] = Swift.min(order[input.index], order[index])
      }
    }
    return order
  }
}
