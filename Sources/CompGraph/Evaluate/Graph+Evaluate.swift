/// The reference evaluator: one forward loop in node order.
extension Graph {
  /// Evaluates every output with variables bound by name.  Throws
  /// `GraphError.unboundVariable` or `.boundShapeMismatch`.
  ///
  /// Values are released after their last use, so a million-node chain needs
  /// little memory, and a sum over an einsum or a broadcasting product used
  /// nowhere else is one einsum (the outer product in
  /// `sum(einsum("i,j->ij", a, b))` is never built; see `EvaluationPlan`).
  public func evaluate(_ bindings: [String: Tensor]) throws -> [Tensor] {
    let plan = EvaluationPlan(self)
    var values = [Tensor?](repeating: nil, count: nodeCount)
    for index in 0..<nodeCount where !plan.skipped.contains(index) {
      switch nodes.ops[index] {
      case .variable(let name):
        guard let value = bindings[name] else { throw GraphError.unboundVariable(name) }
        if value.shape != nodes.shapes[index] {
          if value.scalars.count == 1 && nodes.shapes[index].isEmpty {
            values[index] = Tensor(value.scalars[0])
            continue
          }
          throw GraphError.boundShapeMismatch(
            variable: name, declared: nodes.shapes[index], given: value.shape)
        }
        values[index] = value
      case .constant(let value):
        values[index] = value
      case let op:
        let inputs = plan.operands(of: index, in: self)
        values[index] =
          if let fused = plan.fused[index] {
            plan.evaluateFused(fused, values: values, shape: nodes.shapes[index])
          } else {
            op.apply(inputs.map { values[$0.index]! }, shape: nodes.shapes[index])
          }
        for input in inputs where plan.lastUse[input.index] == Int32(index) {
          values[input.index] = nil
        }
      }
    }
    return outputs.map { values[$0.index]! }
  }

  /// Evaluates with scalar bindings.
  public func evaluate(_ bindings: [String: Double]) throws -> [Tensor] {
    try evaluate(bindings.mapValues { Tensor($0) })
  }
}

extension Expr {
  /// The value of this expression with variables bound by name.
  public func evaluate(_ bindings: [String: Tensor]) throws -> Tensor {
    try graph().evaluate(bindings)[0]
  }

  /// The scalar value of this expression with scalar bindings.
  public func evaluate(_ bindings: [String: Double]) throws -> Double {
    try graph().evaluate(bindings)[0].scalars[0]
  }
}
