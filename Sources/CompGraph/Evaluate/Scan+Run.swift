/// The reference loop of a scan: the body's graph evaluated once per step, its evaluation plan
/// made once.
extension ScanSpec {
  /// The packed value of `scan` on `x` (initial carries, sequences, closed-over values): the
  /// stacked outputs, then the final carries.  Throws what evaluating the body throws.
  func run(_ x: [Tensor]) throws -> Tensor {
    let m = body.carryCount
    let n = body.sliceCount
    let names = body.parameters
    let plan = EvaluationPlan(body.graph)
    let sliceShapes = body.sliceShapes
    let sliceSizes = sliceShapes.map(\.elementCount)
    let outputSizes = body.outputShapes.map(\.elementCount)
    var stacked = outputSizes.map { [Double](repeating: 0, count: length * $0) }
    var bindings: [String: Tensor] = [:]
    for k in (m + n)..<names.count { bindings[names[k]] = x[k] }
    for k in 0..<m { bindings[names[k]] = x[k] }
    for step in 0..<length {
      let t = reverse ? length - 1 - step : step
      for i in 0..<n {
        let size = sliceSizes[i]
        bindings[names[m + i]] = Tensor(
          shape: sliceShapes[i], scalars: Array(x[m + i].scalars[(t * size)..<((t + 1) * size)]))
      }
      let out = try body.graph.evaluate(bindings, plan: plan)
      for k in 0..<m { bindings[names[k]] = out[k] }
      for j in outputSizes.indices {
        let size = outputSizes[j]
        stacked[j].replaceSubrange((t * size)..<((t + 1) * size), with: out[m + j].scalars)
      }
    }
    var packed: [Double] = []
    packed.reserveCapacity(layout.last!)
    for part in stacked { packed += part }
    for k in 0..<m { packed += bindings[names[k]]!.scalars }
    return Tensor(shape: [packed.count], scalars: packed)
  }
}
