import CompGraph

/// The Jacobian of several outputs with respect to several variables, of
/// any shapes, by forward mode: one tangent sweep per variable element `e`
/// (a one-hot direction), each giving column `e` of every output's block.
///
///     J[o, v] has shape shape(o) + shape(v):  J[o, v][i, e] = ∂oᵢ/∂vₑ
struct JacobianNodes {
  /// `columns[v][e][o]`: the tangent of output `o` along element `e` of variable `v`.
  let columns: [[[NodeID]]]
  let outputShapes: [Shape]
  let variableShapes: [Shape]

  /// Builds the tangent sweeps of `outputs` in `builder`.
  init(of outputs: [NodeID], wrt variables: [NodeID], in builder: GraphBuilder) throws {
    outputShapes = outputs.map(builder.shape)
    variableShapes = variables.map(builder.shape)
    columns = try variables.map { v in
      let shape = builder.shape(v)
      return try (0..<shape.elementCount).map { e in
        var direction = [Double](repeating: 0, count: shape.elementCount)
        direction[e] = 1
        let tangent = builder.constantNode(Tensor(shape: shape, scalars: direction))
        return try builder.jvp(of: outputs, tangents: [v: tangent])
      }
    }
  }

  /// Every node of every sweep, in the order `blocks(from:)` reads them.
  var nodes: [NodeID] { columns.flatMap { $0.flatMap { $0 } } }

  /// The blocks `J[o][v]` from the values of `nodes`, in that order.
  func blocks(from values: ArraySlice<Tensor>) -> [[Tensor]] {
    var values = values
    var columnValues: [[[Tensor]]] = []  // [v][e][o]
    for v in columns.indices {
      columnValues.append(
        columns[v].map { sweep in
          defer { values = values.dropFirst(sweep.count) }
          return Array(values.prefix(sweep.count))
        })
    }
    return outputShapes.indices.map { o in
      variableShapes.indices.map { v in
        let count = variableShapes[v].elementCount
        var scalars: [Double] = []
        scalars.reserveCapacity(outputShapes[o].elementCount * count)
        for i in 0..<outputShapes[o].elementCount {
          for e in 0..<count { scalars.append(columnValues[v][e][o].scalars[i]) }
        }
        return Tensor(shape: outputShapes[o] + variableShapes[v], scalars: scalars)
      }
    }
  }
}

extension JacobianNodes {
  /// The blocks as one matrix: a row per output element, a column per
  /// variable element, both in row-major order.
  func matrix(_ blocks: [[Tensor]]) -> [[Double]] {
    var rows: [[Double]] = []
    for (o, row) in blocks.enumerated() {
      for i in 0..<outputShapes[o].elementCount {
        rows.append(
          row.indices.flatMap { v in
            let count = variableShapes[v].elementCount
            return row[v].scalars[(i * count)..<(i * count + count)]
          })
      }
    }
    return rows
  }
}

/// The names of a variable's elements in row-major order: `x` for a
/// scalar, `v[0]`, `v[1]`, … for a vector, `A[0,0]`, `A[0,1]`, … for a matrix.
func elementLabels(_ name: String, shape: Shape) -> [String] {
  guard !shape.isEmpty else { return [name] }
  return (0..<shape.elementCount).map { flat in
    var index = [Int](repeating: 0, count: shape.count)
    var rest = flat
    for axis in shape.indices.reversed() {
      index[axis] = rest % shape[axis]
      rest /= shape[axis]
    }
    return "\(name)[\(index.map(String.init).joined(separator: ","))]"
  }
}
