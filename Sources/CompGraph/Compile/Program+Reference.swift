/// Programs of graphs with f32 values.  One whose operations all compute in f32 compiles to a
/// tensor plan of f32 values (`TensorProgram.computesInF32Only`); any other runs on the reference evaluator,
/// which computes each f32 node from its operands (literals rounded to f32) and rounds the
/// result to f32, so a program gives the values `Graph.evaluate` gives.
extension Program {
  /// `evaluate(point:)` of a graph with f32 values; throws, as the compiled forms do, for a
  /// tensor input or output.
  func referenceValues(_ graph: Graph, at point: [Double], api: String) throws -> [Double] {
    if graph.variables.contains(where: { !$0.shape.isEmpty })
      || graph.outputs.contains(where: { !graph.shape($0).isEmpty })
    {
      throw scalarEvaluationError(api)
    }
    guard point.count == inputNames.count else {
      throw inputCountError(given: point.count, of: "value")
    }
    let values = try graph.evaluate(
      Dictionary(uniqueKeysWithValues: zip(inputNames, point.map { Tensor($0) })))
    return values.map { $0.scalars[0] }
  }

  /// `evaluate(batch:count:)` point by point: for a graph with f32 values, on the reference
  /// evaluator or its f32 tensor plan.
  func batchPointByPoint(_ inputs: [[Double]], count: Int) throws -> BatchValues {
    guard inputs.count == inputNames.count else {
      throw inputCountError(given: inputs.count, of: "column")
    }
    for (name, column) in zip(inputNames, inputs) where column.count != count {
      throw GraphError.unsupported("input '\(name)' has \(column.count) values for \(count) points")
    }
    var values = [Double](repeating: 0, count: outputNames.count * count)
    for i in 0..<count {
      let point = try self.values(at: inputs.map { $0[i] }, api: "evaluate(batch:count:)")
      for (k, value) in point.enumerated() { values[k * count + i] = value }
    }
    return BatchValues(count: count, values: values)
  }
}
