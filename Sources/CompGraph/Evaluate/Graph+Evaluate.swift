/// The reference evaluator: one forward loop in node order.
extension Graph {
  /// Evaluates every output with variables bound by name.  Throws
  /// `GraphError.unboundVariable` or `.boundShapeMismatch`, and `.badMatrix` for a matrix a
  /// linear-algebra op cannot compute (where `Program` and the exports give NaN).
  ///
  /// An f32 node is computed from its operands as f32 values (a literal,
  /// or an f64 value bound to an f32 variable, rounded to f32 first) and
  /// its result rounded to f32: for + − × ÷ and √ that is the f32 result
  /// exactly (a double holds the exact result to twice f32's precision), for
  /// the other functions within an f32 ulp of it.  Output tensors carry
  /// their node's `dtype`.
  ///
  /// Values are released after their last use, so a million-node chain needs
  /// little memory, and a sum over an einsum or a broadcasting product used
  /// nowhere else is one einsum (the outer product in
  /// `sum(einsum("i,j->ij", a, b))` is never built; see `EvaluationPlan`).
  public func evaluate(_ bindings: [String: Tensor]) throws -> [Tensor] {
    try evaluate(bindings, plan: EvaluationPlan(self))
  }

  /// `evaluate(_:)` with its plan made once (a scan's body is evaluated at every step).
  func evaluate(_ bindings: [String: Tensor], plan: EvaluationPlan) throws -> [Tensor] {
    var values = [Tensor?](repeating: nil, count: nodeCount)
    for index in 0..<nodeCount where !plan.skipped.contains(index) {
      switch nodes.ops[index] {
      case .variable(let name):
        guard let value = bindings[name] else { throw GraphError.unboundVariable(name) }
        let dtype = nodes.types[index].dtype
        if value.shape != nodes.shapes[index] {
          if value.scalars.count == 1 && nodes.shapes[index].isEmpty {
            values[index] = Tensor(value.scalars[0]).rounded(to: dtype)
            continue
          }
          throw GraphError.boundShapeMismatch(
            variable: name, declared: nodes.shapes[index], given: value.shape)
        }
        values[index] = value.dtype == dtype ? value : value.rounded(to: dtype)
      case .constant(let value):
        values[index] = value
      case let op:
        let inputs = plan.operands(of: index, in: self)
        let f32 = nodes.types[index] == .f32
        let operands = inputs.map { f32 ? values[$0.index]!.rounded(to: .f32) : values[$0.index]! }
        let value =
          if let fused = plan.fused[index] {
            plan.evaluateFused(fused, values: values, shape: nodes.shapes[index])
          } else if let f = op.matrixFunction {
            try f.checkedApply(operands, shape: nodes.shapes[index])
          } else if case .scan(let spec) = op {
            try spec.run(operands)
          } else {
            op.apply(operands, shape: nodes.shapes[index])
          }
        values[index] = f32 ? value.rounded(to: .f32) : value
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
