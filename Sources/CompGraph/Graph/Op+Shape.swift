extension Op {
  /// The shape of this op's result for inputs of the given shapes; throws a
  /// `GraphError` naming the op and the shapes when they do not fit.
  /// Throws unless `axis` names an axis of `shape`.
  private func checkAxis(_ axis: Int, of shape: Shape) throws {
    guard 0 <= axis, axis < shape.count else {
      throw GraphError.shapeMismatch(
        op: info.name, shapes: [shape],
        reason: "do not have an axis \(axis) (axes count from 0; -1 is the last)")
    }
  }

  /// Throws unless `window` is valid and `shape` has the extents `windowed` from its axis on.
  private func check(_ window: Window, _ shape: Shape, windowed: Shape, as form: String) throws {
    if let reason = window.validate() {
      throw GraphError.shapeMismatch(
        op: info.name, shapes: [shape], reason: "do not fit: the window \(reason)")
    }
    let end = window.axis + windowed.count
    guard end <= shape.count, Array(shape[window.axis..<end]) == windowed else {
      throw GraphError.shapeMismatch(
        op: info.name, shapes: [shape],
        reason: "do not fit the window: from axis \(window.axis) the operand must be \(form)")
    }
  }

  func outputShape(_ inputs: [Shape]) throws -> Shape {
    guard info.arity.accepts(inputs.count) else {
      throw GraphError.shapeMismatch(
        op: info.name, shapes: inputs, reason: "do not match its arity (\(inputs.count) operand(s))"
      )
    }
    guard let structure else {
      precondition(!kind.isLeaf, "leaves carry their own shape")
      // Elementwise: the inputs broadcast together (one input keeps its shape).
      if inputs.count == 1 { return inputs[0] }
      var shape: Shape = []
      for s in inputs {
        guard let b = broadcastShapes(shape, s) else {
          throw GraphError.shapeMismatch(op: info.name, shapes: inputs, reason: "do not broadcast")
        }
        shape = b
      }
      return shape
    }
    switch structure {
    case .einsum(let spec):
      return try spec.outputShape(for: inputs)
    case .scan(let spec):
      return try spec.outputShape(inputs)
    case .sumTo(let target):
      guard broadcasts(target, to: inputs[0]) else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: [inputs[0], target],
          reason: "cannot be summed to the second (it does not broadcast to the first)")
      }
      return target
    case .reshape(let target):
      guard target.elementCount == inputs[0].elementCount else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: [inputs[0], target], reason: "have different element counts")
      }
      return target
    case .reduceMax(let axis):
      try checkAxis(axis, of: inputs[0])
      var shape = inputs[0]
      shape.remove(at: axis)
      return shape
    case .slice(let axis, let start, let end):
      try checkAxis(axis, of: inputs[0])
      guard 0 <= start, start <= end, end <= inputs[0][axis] else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: inputs,
          reason: "do not have elements \(start)..<\(end) along axis \(axis)")
      }
      var shape = inputs[0]
      shape[axis] = end - start
      return shape
    case .pad(let axis, let before, let after):
      try checkAxis(axis, of: inputs[0])
      var shape = inputs[0]
      shape[axis] += before + after
      return shape
    case .oneHot(let n):
      return inputs[0] + [n]
    case .patches(let w):
      try check(w, inputs[0], windowed: w.size, as: "(…, D, …) with D = \(w.size.shapeDescription)")
      return Array(inputs[0][..<w.axis]) + w.kernel + w.count + inputs[0][(w.axis + w.rank)...]
    case .unpatches(let w):
      try check(
        w, inputs[0], windowed: w.kernel + w.count,
        as: "(…, K, O, …) with K = \(w.kernel.shapeDescription) and O = "
          + w.count.shapeDescription)
      return Array(inputs[0][..<w.axis]) + w.size + inputs[0][(w.axis + 2 * w.rank)...]
    case .broadcastTo(let target):
      guard broadcasts(inputs[0], to: target) else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: [inputs[0], target], reason: "do not broadcast")
      }
      return target
    case .matrix(let f):
      let a = inputs[0]
      guard a.count >= 2, a[a.count - 1] == a[a.count - 2] else {
        throw GraphError.shapeMismatch(
          op: info.name, shapes: inputs,
          reason:
            "do not fit: the first must be a square matrix (n, n) or a batch of them (…, n, n)")
      }
      switch f {
      case .inverse, .cholesky: return a
      case .determinant, .logdet: return Array(a.dropLast(2))
      case .solve, .triangularSolve:
        let b = inputs[1]
        guard b.count == a.count, b.dropLast(2) == a.dropLast(2), b[b.count - 2] == a[a.count - 1]
        else {
          throw GraphError.shapeMismatch(
            op: info.name, shapes: inputs,
            reason: "do not fit: the right-hand side must be (…, n, k) with the matrix's leading "
              + "axes (…) and its n rows")
        }
        return b
      }
    }
  }
}
