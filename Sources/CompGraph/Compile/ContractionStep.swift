import CBLAS

/// An einsum or a `sum_to` as the plan runs it, chosen at compile time from
/// the operands' shapes:
/// - `gemm`: two operands whose layouts dgemm (sgemm for f32) reads as they are (plain or
///   transposed, batched over leading shared axes), written straight into
///   the output buffer — matmuls and their gradients;
/// - `loops`: one strided loop nest over pointers (`EinsumKernels`): sums,
///   traces, transposes, `sum_to`, outer and small products;
/// - `reference`: anything else (three or more operands, a large product
///   whose operands need a copy into a dgemm layout, or one that sums a
///   label of one operand only) through `Tensor.einsum`, which orders the
///   contraction, sums such labels first and copies where it must.
enum ContractionStep: Sendable {
  case gemm(GEMM)
  case loops(Loops)
  case reference

  /// C[t] = op(A[t]) · op(B[t]) for each batch index t, row-major.
  struct GEMM: Sendable {
    var transA: CBLAS_TRANSPOSE, transB: CBLAS_TRANSPOSE
    var m: Int, n: Int, k: Int, batches: Int
    var lda: Int, ldb: Int
    /// Whether the output is Cᵀ = Bᵀ Aᵀ (the operands are swapped).
    var swapped: Bool
  }

  /// One loop nest: a copy or a sum of one operand, a product or a sum of
  /// products of two.
  struct Loops: Sendable {
    var nest: EinsumLoopNest
    var summing: Bool
    var binary: Bool
  }

  /// The plan of `out[spec.output] = Σ Π operands` for operands of `shapes`.
  static func einsum(_ spec: EinsumSpec, shapes: [Shape]) -> ContractionStep {
    guard let extents = try? spec.labelSizes(for: shapes),
      spec.output.indices.allSatisfy({ !spec.output[..<$0].contains(spec.output[$0]) })
    else { return .reference }
    let views = zip(spec.operands, shapes).map { View(labels: $0, shape: $1) }
    let outStrides = Tensor.strides(of: spec.output.map { extents[$0] })
    switch views.count {
    case 1:
      let summed = views[0].labels.filter { !spec.output.contains($0) }
      let loops = spec.output + summed
      return .loops(
        Loops(
          nest: EinsumLoopNest(
            extents: loops.map { extents[$0] }, out: outStrides + summed.map { _ in 0 },
            a: loops.map(views[0].stride(of:)), b: loops.map { _ in 0 }),
          summing: !summed.isEmpty, binary: false))
    case 2:
      if let gemm = GEMM(views[0], views[1], output: spec.output, extents: extents) {
        return .gemm(gemm)
      }
      let (a, b) = (views[0], views[1])
      let all = a.labels + b.labels.filter { !a.labels.contains($0) }
      let summed = all.filter { !spec.output.contains($0) }
      let shared = summed.filter { a.labels.contains($0) && b.labels.contains($0) }
      let work = (spec.output + summed).reduce(1) { $0 * extents[$1] }
      let size = { (labels: [Int]) in labels.reduce(1) { $0 * extents[$1] } }
      // A big contraction needing copies is still a GEMM, and a label only one
      // operand carries is summed out of it first (Σ_ij a_i b_j is two sums,
      // not n² products): leave both to the kernels.
      if work >= 1 << 16, shared.count < summed.count {
        return .reference
      }
      if !shared.isEmpty, work >= 1 << 20,
        min(size(a.labels.filter { !b.labels.contains($0) }), size(shared)) >= 8
      {
        return .reference
      }
      let loops = spec.output + summed
      return .loops(
        Loops(
          nest: EinsumLoopNest(
            extents: loops.map { extents[$0] }, out: outStrides + summed.map { _ in 0 },
            a: loops.map(a.stride(of:)), b: loops.map(b.stride(of:))),
          summing: !summed.isEmpty, binary: true))
    default:
      return .reference
    }
  }

  /// `sum_to`: `out[o] = Σ x[i]` over the elements of `shape` that broadcast onto o.
  static func sum(_ shape: Shape, to target: Shape) -> ContractionStep {
    let outStrides = Tensor(repeating: 0, shape: target).broadcastStrides(to: shape)
    return .loops(
      Loops(
        nest: EinsumLoopNest(
          extents: shape, out: outStrides, a: Tensor.strides(of: shape),
          b: shape.map { _ in 0 }),
        summing: true, binary: false))
  }

  /// Runs a `gemm` or `loops` step (`reference` steps run through the evaluator).
  func run<T: PlanElement>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>?, into c: UnsafeMutablePointer<T>, count: Int
  ) {
    switch self {
    case .gemm(let g):
      let (x, y) = g.swapped ? (b!, a) : (a, b!)
      useBLASThreads(forWork: Double(g.batches) * Double(g.m) * Double(g.n) * Double(g.k))
      for t in 0..<g.batches {
        T.gemm(
          g.transA, g.transB, m: g.m, n: g.n, k: g.k, x + t * g.m * g.k, lda: g.lda,
          y + t * g.k * g.n, ldb: g.ldb, c + t * g.m * g.n, ldc: g.n)
      }
    case .loops(let l):
      if l.nest.isEmpty || l.summing { c.update(repeating: 0, count: count) }
      if l.nest.isEmpty { return }
      switch (l.binary, l.summing) {
      case (false, false): EinsumKernels.copy(l.nest, into: c, from: a)
      case (false, true): EinsumKernels.accumulate(l.nest, into: c, from: a)
      case (true, false): EinsumKernels.multiply(l.nest, into: c, a, b!)
      case (true, true): EinsumKernels.multiplyAccumulate(l.nest, into: c, a, b!)
      }
    case .reference:
      preconditionFailure("reference contractions run through Tensor.einsum")
    }
  }
}

/// An operand's distinct labels with their strides in its row-major storage
/// (a repeated label's strides add up: the diagonal).
private struct View {
  var labels: [Int] = []
  var strides: [Int] = []
  var extents: [Int] = []
  var repeated = false

  init(labels subscripts: [Int], shape: Shape) {
    let own = Tensor.strides(of: shape)
    for (axis, label) in subscripts.enumerated() {
      if let k = labels.firstIndex(of: label) {
        strides[k] += own[axis]
        repeated = true
      } else {
        labels.append(label)
        strides.append(own[axis])
        extents.append(shape[axis])
      }
    }
  }

  /// How dgemm reads this operand as the matrix `[batch, rows, columns]`:
  /// as it is, transposed (stored `[batch, columns, rows]`), or not at all.
  func layout(_ batch: [Int], _ rows: [Int], _ columns: [Int]) -> CBLAS_TRANSPOSE? {
    if isContiguous(in: batch + rows + columns) { return CblasNoTrans }
    if isContiguous(in: batch + columns + rows) { return CblasTrans }
    return nil
  }

  func stride(of label: Int) -> Int { labels.firstIndex(of: label).map { strides[$0] } ?? 0 }

  /// Whether the storage is row-major in the label order `order` (axes of
  /// extent 1 aside), so a GEMM reads it as it is.
  func isContiguous(in order: [Int]) -> Bool {
    guard !repeated, Set(order) == Set(labels) else { return false }
    let mine = labels.enumerated().filter { extents[$0.offset] != 1 }.map(\.element)
    let theirs = order.filter { label in extents[labels.firstIndex(of: label)!] != 1 }
    return mine == theirs
  }
}

extension ContractionStep.GEMM {
  /// The GEMM for `a · b` into `output` (row-major), when both operands and the
  /// output are in a layout dgemm takes without copies and every group (rows,
  /// columns, summed) is at least 8 wide; `nil` otherwise.
  fileprivate init?(_ a: View, _ b: View, output: [Int], extents: [Int]) {
    let batch = a.labels.filter { b.labels.contains($0) && output.contains($0) }
    let summed = a.labels.filter { b.labels.contains($0) && !output.contains($0) }
    let left = a.labels.filter { !b.labels.contains($0) }
    let right = b.labels.filter { !a.labels.contains($0) }
    guard !summed.isEmpty, Set(output) == Set(batch + left + right) else { return nil }
    let size = { (labels: [Int]) in labels.reduce(1) { $0 * extents[$1] } }
    let (m, n, k) = (size(left), size(right), size(summed))
    guard min(m, n, k) >= 8, max(m, n, k) <= Int(Int32.max) else { return nil }
    let outputView = View(labels: output, shape: output.map { extents[$0] })
    guard let transC = outputView.layout(batch, left, right) else { return nil }
    // With the output transposed, B plays A's part: Cᵀ = Bᵀ Aᵀ.
    swapped = transC == CblasTrans
    let (x, y) = swapped ? (b, a) : (a, b)
    let (rows, columns) = swapped ? (right, left) : (left, right)
    guard let transA = x.layout(batch, rows, summed), let transB = y.layout(batch, summed, columns)
    else { return nil }
    (self.transA, self.transB) = (transA, transB)
    (self.m, self.n, self.k, batches) = (size(rows), size(columns), k, size(batch))
    lda = transA == CblasNoTrans ? k : self.m
    ldb = transB == CblasNoTrans ? self.n : k
  }
}
