/// ONNX's products: `MatMul` (NumPy's `matmul`: vectors promoted, leading axes broadcast) and
/// `Gemm` (αA′B′ + βC), as einsums.
extension ONNXOperator {
  func matrixProduct(_ a: Expr, _ b: Expr, _ n: ONNXNode) throws(ONNXImportError) -> Expr {
    guard let sa = a.shape, let sb = b.shape, !sa.isEmpty, !sb.isEmpty else {
      throw n.invalid("MatMul needs operands of rank 1 or more")
    }
    if sa.count == 1 && sb.count == 1 { return einsum("i,i->", a, b) }
    if sa.count == 1 {
      let product = try matrixProduct(reshape(a, [1, sa[0]]), b, n)
      return reshape(product, Array(sb.dropLast(2)) + [sb[sb.count - 1]])
    }
    if sb.count == 1 { return einsum("...ij,j->...i", a, b) }
    let batchA = Array(sa.dropLast(2)), batchB = Array(sb.dropLast(2))
    guard let batch = broadcastShapes(batchA, batchB) else {
      throw n.invalid("MatMul's batch axes \(batchA) and \(batchB) do not broadcast")
    }
    if batchB.isEmpty { return einsum("...ij,jk->...ik", a, b) }
    if batchA.isEmpty && batch == batchB { return einsum("ij,...jk->...ik", a, b) }
    let wideA = a.broadcast(to: batch + sa.suffix(2)), wideB = b.broadcast(to: batch + sb.suffix(2))
    return einsum("...ij,...jk->...ik", wideA, wideB)
  }

  /// `Gemm`: α·op(A)·op(B) + β·C, op a transpose when `transA`/`transB`; C optional from opset 11
  /// (before opset 7, broadcast only with `broadcast`).
  func gemm(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let a = try n.expr(0), b = try n.expr(1)
    let alpha = try n.float("alpha", default: 1), beta = try n.float("beta", default: 1)
    let left = try n.int("transA", default: 0) == 1 ? "ji" : "ij"
    let right = try n.int("transB", default: 0) == 1 ? "kj" : "jk"
    var product = einsum("\(left),\(right)->ik", a, b)
    if alpha != 1 { product = alpha * product }
    guard let c = n.optionalInput(2) else { return product }
    return product + (beta == 1 ? c.expr : beta * c.expr)
  }
}
