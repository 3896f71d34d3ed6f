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
    if let reference {
      outputs = try reference.evaluate(Dictionary(uniqueKeysWithValues: zip(inputNames, inputs)))
      return
    }
    guard let tensorPlan, let workspace else {
      let point = try zip(inputNames, inputs).map { name, value in
        guard let scalar = value.scalar else {
          throw GraphError.boundShapeMismatch(variable: name, declared: [], given: value.shape)
        }
        return scalar
      }
      outputs = try evaluate(point: point).map(Tensor.init)
      return
    }
    for (k, value) in inputs.enumerated() where value.shape != tensorPlan.inputShapes[k] {
      guard tensorPlan.inputShapes[k].isEmpty && value.scalars.count == 1 else {
        throw GraphError.boundShapeMismatch(
          variable: inputNames[k], declared: tensorPlan.inputShapes[k], given: value.shape)
      }
    }
    // Outputs have the plan's type (an f32 plan's values are f32 values held as doubles).
    func fresh(_ shape: Shape) -> Tensor {
      Tensor(repeating: 0, shape: shape).rounded(to: tensorPlan.dtype)
    }
    if outputs.count != tensorPlan.outputs.count {
      outputs = tensorPlan.outputs.map { fresh($0.shape) }
    }
    for (k, output) in tensorPlan.outputs.enumerated()
    where outputs[k].shape != output.shape || outputs[k].dtype != tensorPlan.dtype {
      outputs[k] = fresh(output.shape)
    }
    let failure: GraphError?
    switch tensorPlan.dtype {
    case .f64:
      failure = withInputs(inputs) { pointers in
        workspace.with(Double.self) { arena, scratch, _ in
          tensorPlan.run(inputs: pointers, arena: arena, scratch: scratch) { k, values in
            outputs[k].scalars.withUnsafeMutableBufferPointer { out in
              out.baseAddress?.update(from: values, count: out.count)
            }
          }
        }
      }
    case .f32:
      // Inputs are staged rounded to f32 (an f64 variable read through a cast rounds so
      // too), outputs widened back, exactly.
      failure = workspace.with(Float.self) { arena, scratch, staging in
        let pointers = inputs.enumerated().map { k, input -> UnsafePointer<Float> in
          let start = staging + tensorPlan.stagingOffsets[k]
          input.scalars.withUnsafeBufferPointer { values in
            for i in values.indices { start[i] = Float(values[i]) }
          }
          return UnsafePointer(start)
        }
        return tensorPlan.run(inputs: pointers, arena: arena, scratch: scratch) { k, values in
          outputs[k].scalars.withUnsafeMutableBufferPointer { out in
            for i in out.indices { out[i] = Double(values[i]) }
          }
        }
      }
    }
    if let failure { throw failure }
  }

  /// The most inputs a tensor program reads in place: `withColumns` nests
  /// one closure per input, a few hundred bytes of stack each.  A training
  /// step's inputs (parameters, optimizer state, data; W6 has 66) stay well
  /// under it.
  static let maxInPlaceInputs = 256

  /// Calls `body` with a pointer to each input's elements: in place for up
  /// to `maxInPlaceInputs` inputs, else all copied into one staging array.
  private func withInputs<R>(_ inputs: [Tensor], _ body: ([UnsafePointer<Double>]) -> R) -> R {
    if inputs.count <= Self.maxInPlaceInputs {
      return withColumns(inputs.map(\.scalars)[...], body)
    }
    let staged = inputs.flatMap(\.scalars)
    return staged.withUnsafeBufferPointer { base in
      var pointers: [UnsafePointer<Double>] = []
      var offset = 0
      for input in inputs {
        pointers.append((base.baseAddress ?? UnsafePointer(bitPattern: 8)!) + offset)
        offset += input.scalars.count
      }
      return body(pointers)
    }
  }
}
