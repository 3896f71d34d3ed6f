/// The Cholesky factor L (A = L·Lᵀ) of a sparse symmetric positive definite matrix, stored by
/// its envelope: row i of L holds the columns from the first nonzero of row i of A to the
/// diagonal, where all of L's fill falls (George and Liu's envelope method). For a banded
/// pattern — the chained Rosenbrock Hessian is tridiagonal — it is a band Cholesky, O(n·b²).
/// Written here because neither the package's dependencies nor LAPACK (dense and band
/// factorizations only) take an arbitrary pattern in compressed columns.
public struct EnvelopeCholesky: Sendable {
  public let size: Int
  /// Row i's first column, and where its entries begin in `values` (`first[i]` … i).
  private var first: [Int]
  private var start: [Int]
  private var values: [Double]

  /// Factors A + diag(`shift`), A given by its nonzeros (both triangles or the lower one; the
  /// upper entries are ignored) as rows, columns and values. Returns `nil` when the matrix is
  /// not positive definite (a pivot ≤ 0).
  public init?(
    size n: Int, rows: [Int], columns: [Int], values a: [Double], shift: [Double]
  ) {
    size = n
    first = Array(0..<n)
    for (i, j) in zip(rows, columns) where j < i { first[i] = min(first[i], j) }
    start = [0]
    for i in 0..<n { start.append(start[i] + i - first[i] + 1) }
    values = [Double](repeating: 0, count: start[n])
    for (k, (i, j)) in zip(rows, columns).enumerated() where j <= i {
      values[start[i] + j - first[i]] += a[k]
    }
    for i in 0..<n { values[start[i] + i - first[i]] += shift[i] }
    // Row by row: L[i][j] = (A[i][j] − Σₖ L[i][k]·L[j][k]) / L[j][j], L[i][i] = √(A[i][i] − Σₖ L[i][k]²).
    for i in 0..<n {
      for j in first[i]...i {
        var s = values[start[i] + j - first[i]]
        for k in max(first[i], first[j])..<j {
          s -= values[start[i] + k - first[i]] * values[start[j] + k - first[j]]
        }
        if j < i {
          values[start[i] + j - first[i]] = s / values[start[j] + j - first[j]]
        } else {
          guard s > 0 else { return nil }
          values[start[i] + i - first[i]] = s.squareRoot()
        }
      }
    }
  }

  /// x with A·x = b: L·y = b forward, then Lᵀ·x = y backward.
  public func solve(_ b: [Double]) -> [Double] {
    var x = b
    for i in 0..<size {
      for k in first[i]..<i { x[i] -= values[start[i] + k - first[i]] * x[k] }
      x[i] /= values[start[i] + i - first[i]]
    }
    for i in stride(from: size - 1, through: 0, by: -1) {
      x[i] /= values[start[i] + i - first[i]]
      for k in first[i]..<i { x[k] -= values[start[i] + k - first[i]] * x[i] }
    }
    return x
  }
}
