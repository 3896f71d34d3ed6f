extension Op {
  /// The shape of this op's result for inputs of the given shapes; throws a
  /// `GraphError` naming the op and the shapes when they do not fit.
  func outputShape(_ inputs: [Shape]) throws -> Shape {
    guard info.arity.accepts(inputs.count) else {
      throw GraphError.shapeMismatch(
        op: info.name, shapes: inputs, reason: "do not match its arity (\(inputs.count) operand(s))"
      )
    }
    switch self {
    case .variable, .constant:
      preconditionFailure("leaves carry their own shape")
    case .add, .mul, .power, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual,
      .equal, .select:
      var shape: Shape = []
      for s in inputs {
        guard let b = broadcastShapes(shape, s) else {
          throw GraphError.shapeMismatch(op: info.name, shapes: inputs, reason: "do not broadcast")
        }
        shape = b
      }
      return shape
    case .pow, .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs, .sign, .tan, .atan, .asin, .acos, .sinh,
      .cosh, .erf, .log1p, .expm1:
      return inputs[0]
    case .einsum(let spec):
      return try spec.outputShape(for: inputs)
    case .sumTo(let target):
      guard broadcasts(target, to: inputs[0]) else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: [inputs[0], target],
          reason: "cannot be summed to the second (it does not broadcast to the first)")
      }
      return target
    case .broadcastTo(let target):
      guard broadcasts(inputs[0], to: target) else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: [inputs[0], target], reason: "do not broadcast")
      }
      return target
    }
  }
}
