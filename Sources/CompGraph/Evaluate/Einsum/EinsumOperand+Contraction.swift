/// Contracting two operands, keeping the labels `keep`:
///
///     C[keep] = Σ_{labels ∉ keep} A[labels_A] · B[labels_B]
///
/// The labels split into *batch* (both, kept), *summed* (both, not kept),
/// *left* (A only) and *right* (B only).  A label carried by one operand and
/// not kept is summed out of that operand first.  Then, in order:
/// - one operand all ones: `Σ_c A[b,l,c] · 1 = (Σ_c A)[b,l]`, broadcast over `r`;
/// - every group at least 8 wide: a batched GEMM (OpenBLAS);
/// - anything else (outer, elementwise, dot, matrix–vector, small): one
///   strided loop nest writing straight into the requested layout.
extension EinsumOperand {
  /// The smallest extent of each GEMM group for which dgemm beats the loops.
  private static let gemmMinimumExtent = 8

  /// `self` contracted with `b`, contiguous in `order` when given (its labels
  /// must be exactly the kept ones), else in the order the kernel finds cheapest.
  func contracted(
    with b: EinsumOperand, keep: [Int], order: [Int]?, labelExtents: [Int]
  ) -> EinsumOperand {
    let a = summingOut(
      labels.filter { !keep.contains($0) && !b.labels.contains($0) }, labelExtents: labelExtents)
    let b = b.summingOut(
      b.labels.filter { !keep.contains($0) && !labels.contains($0) }, labelExtents: labelExtents)
    let batch = a.labels.filter { b.labels.contains($0) && keep.contains($0) }
    let summed = a.labels.filter { b.labels.contains($0) && !keep.contains($0) }
    let left = a.labels.filter { !b.labels.contains($0) }
    let right = b.labels.filter { !a.labels.contains($0) }
    let natural = batch + left + right
    let extent = { (labels: [Int]) in labels.reduce(1) { $0 * labelExtents[$1] } }
    let (m, n, k) = (extent(left), extent(right), extent(summed))
    let work = extent(batch) * m * n * k
    if !summed.isEmpty && work >= 2 * (a.count + b.count) {
      if b.isAllOnes {
        return a.rearranged(to: batch + left, labelExtents: labelExtents)
          .rearranged(to: order ?? natural, labelExtents: labelExtents)
      }
      if a.isAllOnes {
        return b.rearranged(to: batch + right, labelExtents: labelExtents)
          .rearranged(to: order ?? natural, labelExtents: labelExtents)
      }
    }
    if !summed.isEmpty, min(m, n, k) >= Self.gemmMinimumExtent, max(m, n, k) <= Int(Int32.max) {
      guard let order, order != natural else {
        return Self.gemm(
          a, b, batch: batch, left: left, summed: summed, right: right, labelExtents: labelExtents)
      }
      // Cᵀ = Bᵀ Aᵀ: with the operands swapped dgemm writes `batch + right + left`.
      let swappedBatch = b.labels.filter { batch.contains($0) }
      if order == swappedBatch + right + left {
        return Self.gemm(
          b, a, batch: swappedBatch, left: right, summed: summed, right: left,
          labelExtents: labelExtents)
      }
      return Self.gemm(
        a, b, batch: batch, left: left, summed: summed, right: right, labelExtents: labelExtents
      )
      .rearranged(to: order, labelExtents: labelExtents)
    }
    return Self.product(a, b, order: order ?? natural, labelExtents: labelExtents)
  }

  /// `self` with `labels` summed out (itself when there are none).
  private func summingOut(_ summed: [Int], labelExtents: [Int]) -> EinsumOperand {
    summed.isEmpty
      ? self : rearranged(to: labels.filter { !summed.contains($0) }, labelExtents: labelExtents)
  }

  /// `C[order] = Σ_{labels ∉ order} A · B` as one strided loop nest.
  private static func product(
    _ a: EinsumOperand, _ b: EinsumOperand, order: [Int], labelExtents: [Int]
  ) -> EinsumOperand {
    let summed = (a.labels + b.labels.filter { !a.labels.contains($0) }).filter {
      !order.contains($0)
    }
    return loopNest(a, b, order: order, summed: summed, labelExtents: labelExtents)
  }
}
