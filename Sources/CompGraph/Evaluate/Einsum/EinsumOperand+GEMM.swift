import CBLAS
import Foundation

/// A two-operand contraction as a batched matrix product through OpenBLAS:
///
///     C[b, l, r] = Σ_c A[b, l, c] · B[b, c, r]        (one dgemm per batch index b)
///
/// with `b` the batch labels (in both operands and kept), `l` the labels of A
/// only, `r` those of B only and `c` the summed labels shared by both, each
/// group flattened to one matrix axis.
extension EinsumOperand {
  /// The two contiguous layouts dgemm reads without a copy: `[batch, rows, inner]`
  /// (no transpose) or `[batch, inner, rows]` (transposed); `nil` for any other.
  private func gemmLayout(batch: [Int], rows: [Int], inner: [Int]) -> CBLAS_TRANSPOSE? {
    if isContiguous(in: batch + rows + inner) { return CblasNoTrans }
    if isContiguous(in: batch + inner + rows) { return CblasTrans }
    return nil
  }

  /// How many elements the GEMM path copies to bring `a` and `b` into a dgemm
  /// layout (0 when both already are one), for choosing a contraction order.
  static func gemmCopyCount(_ a: EinsumOperand, _ b: EinsumOperand, keep: [Int]) -> Int {
    let batch = a.labels.filter { b.labels.contains($0) && keep.contains($0) }
    let summed = a.labels.filter { b.labels.contains($0) && !keep.contains($0) }
    let left = a.labels.filter { !b.labels.contains($0) }
    let right = b.labels.filter { !a.labels.contains($0) }
    return (a.gemmLayout(batch: batch, rows: left, inner: summed) == nil ? a.count : 0)
      + (b.gemmLayout(batch: batch, rows: summed, inner: right) == nil ? b.count : 0)
  }

  /// `C[batch, left, right] = Σ_summed A · B`, contiguous in the label order
  /// `batch + left + right`.  `a` carries exactly `batch ∪ left ∪ summed`,
  /// `b` exactly `batch ∪ summed ∪ right`; every group's extent product is ≥ 1.
  static func gemm(
    _ a: EinsumOperand, _ b: EinsumOperand,
    batch: [Int], left: [Int], summed: [Int], right: [Int], labelExtents: [Int]
  ) -> EinsumOperand {
    let extent = { (labels: [Int]) in labels.reduce(1) { $0 * labelExtents[$1] } }
    let (batches, m, n, k) = (extent(batch), extent(left), extent(right), extent(summed))
    useBLASThreads(forWork: Double(batches) * Double(m) * Double(n) * Double(k))
    var (a, b) = (a, b)
    let transA: CBLAS_TRANSPOSE
    if let layout = a.gemmLayout(batch: batch, rows: left, inner: summed) {
      transA = layout
    } else {
      a = a.rearranged(to: batch + left + summed, labelExtents: labelExtents)
      transA = CblasNoTrans
    }
    let transB: CBLAS_TRANSPOSE
    if let layout = b.gemmLayout(batch: batch, rows: summed, inner: right) {
      transB = layout
    } else {
      b = b.rearranged(to: batch + summed + right, labelExtents: labelExtents)
      transB = CblasNoTrans
    }
    let lda = transA == CblasNoTrans ? k : m
    let ldb = transB == CblasNoTrans ? n : k
    let total = batches * m * n
    let c = [Double].hugePageStorage(count: total) { pc in
      a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
          for t in 0..<batches {
            cblas_dgemm(
              CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1,
              pa.baseAddress! + t * m * k, Int32(lda), pb.baseAddress! + t * k * n, Int32(ldb),
              0, pc + t * m * n, Int32(n))
          }
        }
      }
    }
    return EinsumOperand(
      contiguous: c, labels: batch + left + right,
      extents: (batch + left + right).map { labelExtents[$0] })
  }
}
