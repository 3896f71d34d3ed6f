import CompGraph

/// The Hessian as one matrix over the variables' elements (each variable's
/// in row-major order, the variables in turn) from its blocks: `blocks[[i,
/// j]]` (i ≤ j) is ∂²f/∂xᵢ∂xⱼ, of shape shape(xᵢ) + shape(xⱼ), and the
/// blocks below the diagonal are their mirrors, H[(j, c), (i, a)] = H[(i, a), (j, c)].
func hessianMatrix(_ blocks: [[Int]: Tensor], shapes: [Shape]) -> [[Double]] {
  let counts = shapes.map(\.elementCount)
  var rows: [[Double]] = []
  for i in shapes.indices {
    for a in 0..<counts[i] {
      var row: [Double] = []
      for j in shapes.indices {
        for c in 0..<counts[j] {
          row.append(
            i <= j
              ? blocks[[i, j]]!.scalars[a * counts[j] + c]
              : blocks[[j, i]]!.scalars[c * counts[i] + a])
        }
      }
      rows.append(row)
    }
  }
  return rows
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
