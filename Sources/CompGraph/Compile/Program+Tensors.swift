/// Running a program on tensors: any graph, scalar or not.
extension Program {
  /// Evaluates every output with variables bound by name (a scalar
  /// variable takes any one-element tensor); outputs are new tensors.
  /// Throws `GraphError.unboundVariable`, `.boundShapeMismatch` or (for a
  /// matrix a linear-algebra op cannot compute) `.badMatrix`, as
  /// `Graph.evaluate` does.
  public func evaluate(_ bindings: [String: Tensor]) throws -> [Tensor] {
    let inputs = try inputNames.map { name in
      guard let value = bindings[name] else { throw GraphError.unboundVariable(name) }
      return value
    }
    var outputs: [Tensor] = []
    try evaluate(inputs: inputs, into: &outputs)
    return outputs
  }

  /// Evaluates with `inputs` in `inputNames` order, read where they are
  /// (no copy), and writes the outputs into `outputs`: an output tensor of
  /// the right shape is overwritten in place, so a training loop that
  /// passes the same array every step allocates nothing; any other entry is
  /// replaced by a new tensor.
  public func evaluate(inputs: [Tensor], into outputs: inout [Tensor]) throws {
    guard inputs.count == inputNames.count else {
      throw inputCountError(given: inputs.count, of: "tensor")
    }
    switch compiled {
    case .reference(let graph):
      outputs = try graph.evaluate(Dictionary(uniqueKeysWithValues: zip(inputNames, inputs)))
    case .scalar, .native:
      let point = try zip(inputNames, inputs).map { name, value in
        guard let scalar = value.scalar else {
          throw GraphError.boundShapeMismatch(variable: name, declared: [], given: value.shape)
        }
        return scalar
      }
      // Native code of an f32 graph gives f32 values, as its plan would.
      let dtype: DType = if case .native = compiled { .f32 } else { .f64 }
      outputs = try evaluate(point: point).map { Tensor(shape: [], scalars: [$0], dtype: dtype) }
    case .tensor(let program):
      let shapes = program.plan.inputShapes
      for (k, value) in inputs.enumerated() where value.shape != shapes[k] {
        guard shapes[k].isEmpty && value.scalars.count == 1 else {
          throw GraphError.boundShapeMismatch(
            variable: inputNames[k], declared: shapes[k], given: value.shape)
        }
      }
      if let failure = program.evaluate(inputs: inputs, into: &outputs) { throw failure }
    }
  }
}
