import CBLAS
import Foundation

/// A matrix of a batch that a linear-algebra kernel could not compute: its position among the
/// leading axes (row-major) and why, for `GraphError.matrixFailure`.
struct MatrixFailure: Sendable, Equatable {
  let batch: Int
  let reason: String
}

/// The kernels of the linear-algebra ops (one table: `MatrixFunction.run`), on row-major buffers.
///
/// LAPACK is column-major, so a row-major buffer is the transposed matrix to it: `dgetrf` of
/// the buffer factors Aᵀ (det Aᵀ = det A, and `dgetrs` with `T` then solves A·X = B), and
/// `dpotrf` with `U` of a symmetric S writes Uᵀ = L, with S = UᵀU = L·Lᵀ, into the row-major
/// lower triangle.  Triangular solves are `cblas_dtrsm`, which takes row-major buffers.
extension MatrixFunction {
  /// Computes the op: `x[k]` holds input k, of shape `shapes[k]`; `out` gets
  /// the result.  A matrix the op cannot compute (singular, not positive definite, a 0 on a
  /// triangle's diagonal) becomes NaN, and the first such matrix with finite entries is
  /// returned.  Every LAPACK and BLAS call gets extents of at least 1.
  func run(
    _ x: [UnsafePointer<Double>], shapes: [Shape], into out: UnsafeMutablePointer<Double>
  ) -> MatrixFailure? {
    let n = shapes[0].last ?? 0
    let batch = shapes[0].dropLast(2).reduce(1, *)
    let k = shapes.count > 1 ? shapes[1].last ?? 0 : n
    useBLASThreads(forWork: Double(batch) * Double(n) * Double(n) * Double(Swift.max(n, k)))
    var failure: MatrixFailure?
    func failed(_ b: Int, _ matrix: UnsafePointer<Double>, _ reason: String) {
      let finite = (0..<(n * n)).allSatisfy { matrix[$0].isFinite }
      if failure == nil && finite { failure = MatrixFailure(batch: b, reason: reason) }
    }
    var work = [Double](repeating: 0, count: Swift.max(1, n * n))
    var pivots = [blasint](repeating: 0, count: Swift.max(1, n))
    var columns = [Double](repeating: 0, count: Swift.max(1, n * k))
    for b in 0..<batch {
      let a = x[0] + b * n * n
      switch self {
      case .cholesky:
        let l = out + b * n * n
        if !symmetricPart(a, n, into: l) {
          l.update(repeating: .nan, count: n * n)
          failed(b, a, notPositiveDefinite)
        }
      case .logdet:
        if symmetricPart(a, n, into: &work) {
          var sum = 0.0
          for i in 0..<n { sum += log(work[i * n + i]) }
          out[b] = 2 * sum
        } else {
          out[b] = .nan
          failed(b, a, notPositiveDefinite)
        }
      case .determinant:
        work.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: a, count: n * n) }
        _ = luFactor(&work, &pivots, n)
        var det = 1.0
        for i in 0..<n { det *= pivots[i] == i + 1 ? work[i * n + i] : -work[i * n + i] }
        out[b] = det
      case .solve, .inverse:
        let result = out + b * n * k
        work.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: a, count: n * n) }
        if let pivot = luFactor(&work, &pivots, n) {
          result.update(repeating: .nan, count: n * k)
          failed(b, a, "is singular (LU's pivot \(pivot) is 0); solve with a regular matrix")
          continue
        }
        // B (row-major n×k) as LAPACK's column-major n×k, solved in place.
        if case .solve = self {
          let rhs = x[1] + b * n * k
          for i in 0..<n { for j in 0..<k { columns[i + j * n] = rhs[i * k + j] } }
        } else {
          for i in 0..<n { for j in 0..<n { columns[i + j * n] = i == j ? 1 : 0 } }
        }
        var (size, count, info) = (blasint(n), blasint(k), blasint(0))
        var lead = blasint(Swift.max(1, n))
        if n > 0 && k > 0 {
          dgetrs_("T", &size, &count, work, &lead, pivots, &columns, &lead, &info)
        }
        for i in 0..<n { for j in 0..<k { result[i * k + j] = columns[i + j * n] } }
      case .triangularSolve(let lower, let transpose):
        let result = out + b * n * k
        result.update(from: x[1] + b * n * k, count: n * k)
        if let row = (0..<n).first(where: { a[$0 * n + $0] == 0 }) {
          result.update(repeating: .nan, count: n * k)
          failed(b, a, "has a 0 on its diagonal (row \(row)), so it is singular")
          continue
        }
        guard n > 0 && k > 0 else { continue }
        cblas_dtrsm(
          CblasRowMajor, CblasLeft, lower ? CblasLower : CblasUpper,
          transpose ? CblasTrans : CblasNoTrans, CblasNonUnit, blasint(n), blasint(k), 1, a,
          blasint(n), result, blasint(k))
      }
    }
    return failure
  }

  /// The op applied to tensors, with the first matrix it could not compute (see `run`).
  func apply(_ x: [Tensor], shape: Shape) -> (value: Tensor, failure: MatrixFailure?) {
    var scalars = [Double](repeating: 0, count: shape.elementCount)
    let shapes = x.map(\.shape)
    let failure = withPointers(x.map(\.scalars)) { pointers in
      scalars.withUnsafeMutableBufferPointer { out in
        run(pointers, shapes: shapes, into: out.baseAddress!)
      }
    }
    return (Tensor(shape: shape, scalars: scalars), failure)
  }

  /// The op applied to tensors; throws `GraphError.badMatrix` for a matrix with finite entries
  /// it cannot compute.
  func checkedApply(_ x: [Tensor], shape: Shape) throws -> Tensor {
    let (value, failure) = apply(x, shape: shape)
    if let failure { throw failure.error(of: self, batch: Array(x[0].shape.dropLast(2))) }
    return value
  }

  /// The op it is.
  var op: Op {
    switch self {
    case .solve: .solve
    case .inverse: .inverse
    case .determinant: .determinant
    case .cholesky: .cholesky
    case .triangularSolve(let lower, let transpose):
      .triangularSolve(lower: lower, transpose: transpose)
    case .logdet: .logdet
    }
  }
}

extension MatrixFailure {
  /// The error that names `f`, the matrix's position among the leading axes `batch`, and why.
  func error(of f: MatrixFunction, batch: Shape) -> GraphError {
    var index = [Int](repeating: 0, count: batch.count)
    var rest = self.batch
    for axis in batch.indices.reversed() {
      index[axis] = rest % batch[axis]
      rest /= batch[axis]
    }
    return .badMatrix(op: f.op.info.name, batch: batch, index: index, reason: reason)
  }
}

private let notPositiveDefinite =
  "is not positive definite (Cholesky factorization failed); add a multiple of the identity "
  + "(jitter) or check how it is built"

/// Writes S = ½(A + Aᵀ) of the row-major n×n `a` into `s` and factors it in place into its
/// Cholesky factor L (lower triangle, zeros above); `false` when S is not positive definite.
private func symmetricPart(
  _ a: UnsafePointer<Double>, _ n: Int, into s: UnsafeMutablePointer<Double>
) -> Bool {
  for i in 0..<n {
    for j in 0..<n { s[i * n + j] = 0.5 * a[i * n + j] + 0.5 * a[j * n + i] }
  }
  guard n > 0 else { return true }
  var (size, info) = (blasint(n), blasint(0))
  dpotrf_("U", &size, s, &size, &info)
  for i in 0..<n { for j in (i + 1)..<n { s[i * n + j] = 0 } }
  return info == 0
}

private func symmetricPart(_ a: UnsafePointer<Double>, _ n: Int, into s: inout [Double]) -> Bool {
  s.withUnsafeMutableBufferPointer { symmetricPart(a, n, into: $0.baseAddress!) }
}

/// LU-factors the row-major n×n `a` in place (`dgetrf` of Aᵀ); the 1-based pivot that is 0
/// when the matrix is singular, else `nil`.
private func luFactor(_ a: inout [Double], _ pivots: inout [blasint], _ n: Int) -> Int? {
  guard n > 0 else { return nil }
  var (size, info) = (blasint(n), blasint(0))
  dgetrf_(&size, &size, &a, &size, &pivots, &info)
  return info > 0 ? Int(info) : nil
}

/// Calls `body` with a pointer to each array's elements (two at most: a nesting per array).
private func withPointers<R>(
  _ arrays: [[Double]], _ body: ([UnsafePointer<Double>]) -> R
) -> R {
  var pointers: [UnsafePointer<Double>] = []
  func next(_ k: Int) -> R {
    guard k < arrays.count else { return body(pointers) }
    return arrays[k].withUnsafeBufferPointer { buffer in
      pointers.append(buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!)
      return next(k + 1)
    }
  }
  return next(0)
}
