import Testing

@testable import CompGraph

/// `Tensor.einsum` (strided loops, GEMM, pairwise order) against
/// `Tensor.einsumReference` (the definition as one loop).  The fast path sums
/// in a different order, so each element may differ by rounding: the bound is
/// `1e-12 · Σ|terms|`, the reference evaluated on absolute values.
@Suite struct EinsumKernelTests {
  static func random(_ shape: Shape, _ rng: inout SplitMix64) -> Tensor {
    Tensor(
      shape: shape,
      scalars: (0..<shape.elementCount).map { _ in Double.random(in: -1...1, using: &rng) })
  }

  /// Checks `einsum == einsumReference` for `text` on the given operands.
  static func check(
    _ text: String, _ operands: [Tensor], sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let spec = try EinsumSpec.parse(text, shapes: operands.map(\.shape))
    let fast = Tensor.einsum(spec, operands)
    let reference = Tensor.einsumReference(spec, operands)
    let scale = Tensor.einsumReference(
      spec, operands.map { Tensor(shape: $0.shape, scalars: $0.scalars.map(abs)) })
    #expect(fast.shape == reference.shape, "\(text) shapes", sourceLocation: sourceLocation)
    guard fast.shape == reference.shape else { return }
    let worst =
      zip(zip(fast.scalars, reference.scalars), scale.scalars).map { pair, bound in
        abs(pair.0 - pair.1) - 1e-12 * bound
      }.max() ?? 0
    #expect(
      worst <= 0, "\(text) on \(operands.map(\.shape)): excess error \(worst)",
      sourceLocation: sourceLocation)
  }

  static func check(
    _ text: String, shapes: [Shape], seed: UInt64 = 1,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    var rng = SplitMix64(seed: seed)
    try check(text, shapes.map { random($0, &rng) }, sourceLocation: sourceLocation)
  }

  @Test func matrixProducts() throws {
    for (m, k, n) in [
      (3, 4, 5), (20, 30, 25), (16, 8, 9), (1, 12, 12), (12, 1, 12), (0, 9, 9), (9, 0, 9),
      (1, 1, 1),
    ] {
      try Self.check("ij,jk->ik", shapes: [[m, k], [k, n]])
      try Self.check("ij,jk->ki", shapes: [[m, k], [k, n]])  // dgemm with the operands swapped
      try Self.check("ik,jk->ij", shapes: [[m, k], [n, k]])  // B transposed
      try Self.check("ki,kj->ij", shapes: [[k, m], [k, n]])  // A transposed
      try Self.check("ij,jk,kl->il", shapes: [[m, k], [k, n], [n, m]])
    }
    try Self.check("ij,kj->ik", shapes: [[17, 13], [11, 13]])
    try Self.check("ji,jk->ik", shapes: [[33, 20], [33, 18]])
  }

  @Test func batchedProducts() throws {
    try Self.check("bij,bjk->bik", shapes: [[4, 10, 12], [4, 12, 9]])
    try Self.check("bij,bjk->bik", shapes: [[3, 2, 3], [3, 3, 2]])
    try Self.check("bij,jbk->kbi", shapes: [[3, 10, 12], [12, 3, 9]])  // batch and layout permuted
    try Self.check("bi,bj->bij", shapes: [[5, 7], [5, 6]])  // batch of outer products
    try Self.check("...ij,...jk->...ik", shapes: [[2, 3, 10, 12], [2, 3, 12, 9]])
    try Self.check("...ij,...jk->...ik", shapes: [[2, 4, 3], [2, 3, 5]])
  }

  @Test func singleOperand() throws {
    try Self.check("ii->", shapes: [[37, 37]])
    try Self.check("ii->i", shapes: [[37, 37]])
    try Self.check("ij->ji", shapes: [[70, 45]])  // tiled, with partial tiles
    try Self.check("ij->ji", shapes: [[3, 5]])
    try Self.check("ijk->kji", shapes: [[40, 35, 33]])
    try Self.check("ijk->ikj", shapes: [[3, 40, 36]])  // tiled, under an outer loop
    try Self.check("bij->jbi", shapes: [[3, 20, 17]])  // tiled, batch outside
    try Self.check("ijk->jik", shapes: [[4, 5, 6]])
    try Self.check("ij->", shapes: [[13, 17]])
    try Self.check("ij->i", shapes: [[13, 17]])
    try Self.check("ij->j", shapes: [[13, 17]])
    try Self.check("iij->ji", shapes: [[6, 6, 5]])
    try Self.check("ijk->", shapes: [[0, 3, 4]])
    try Self.check("ij->ij", shapes: [[4, 4]])
  }

  @Test func elementwiseOuterAndDots() throws {
    try Self.check("i,j->ij", shapes: [[40], [33]])
    try Self.check("ij,ij->", shapes: [[9, 11], [9, 11]])
    try Self.check("ij,ij->ij", shapes: [[9, 11], [9, 11]])
    try Self.check("ij,ji->ij", shapes: [[9, 11], [11, 9]])
    try Self.check("i,i,i->", shapes: [[50], [50], [50]])
    try Self.check("ij,j->i", shapes: [[12, 30], [30]])
    try Self.check("i,ij->j", shapes: [[12], [12, 30]])
    try Self.check("ij,k->ijk", shapes: [[3, 4], [5]])
    try Self.check("i,j->", shapes: [[6], [7]])  // both labels summed before multiplying
    try Self.check(",ij->ij", shapes: [[], [3, 4]])
  }

  /// Nests of at least `EinsumLoopNest.parallelMinimum` iterations run split
  /// across the cores along their outermost loop: copies (a transpose, tiled
  /// within each part), products, sums into each output and a batch of
  /// matrix–vector products, with odd extents so the parts are unequal.
  @Test func largeNestsSplitAcrossCores() throws {
    try Self.check("ij->ji", shapes: [[701, 403]])
    try Self.check("ijk->kji", shapes: [[67, 65, 63]])
    try Self.check("i,j->ij", shapes: [[601], [499]])
    try Self.check("ij->i", shapes: [[603, 501]])
    try Self.check("bij,bj->bi", shapes: [[3, 307, 301], [3, 301]])
    try Self.check("ij,ij->ij", shapes: [[513, 511], [513, 511]])
  }

  @Test func threeOrMoreOperands() throws {
    try Self.check("ijk,jl,kl->il", shapes: [[12, 10, 9], [10, 11], [9, 11]])
    try Self.check("ijk,jl,kl->il", shapes: [[5, 4, 3], [4, 2], [3, 2]])
    try Self.check("ij,jk,kl,lm->mi", shapes: [[9, 10], [10, 11], [11, 12], [12, 9]])
    try Self.check("ab,bc,cd,ad->", shapes: [[4, 5], [5, 6], [6, 7], [4, 7]])
    try Self.check("iij,jk,k->i", shapes: [[5, 5, 6], [6, 7], [7]])
  }

  /// `ijk,jl,kl->il`: (ijk,jl) and (ijk,kl) tie on memory and multiply–adds;
  /// (ijk,kl) is one dgemm without a copy, so the greedy order takes it.
  @Test func greedyOrderPrefersCopyFreeGEMM() throws {
    let shapes: [Shape] = [[16, 16, 16], [16, 16], [16, 16]]
    let spec = try EinsumSpec.parse("ijk,jl,kl->il", shapes: shapes)
    let views = zip(shapes, spec.operands).map {
      EinsumOperand(Tensor(repeating: 0, shape: $0), labels: $1)
    }
    let pair = EinsumContractionOrder.nextPair(
      views, output: spec.output, labelExtents: try spec.labelSizes(for: shapes))
    #expect(pair == (0, 2))
  }

  @Test func onesOperandsBecomeSums() throws {
    var rng = SplitMix64(seed: 7)
    let a = Self.random([24, 20], &rng)
    let ones = Tensor(repeating: 1, shape: [20, 18])
    try Self.check("ij,jk->ik", [a, ones])
    try Self.check(
      "ij,jk->ik", [Tensor(repeating: 1, shape: [24, 20]), Self.random([20, 18], &rng)])
    try Self.check(
      "ik,jk->ij", [Self.random([24, 18], &rng), Tensor(repeating: 1, shape: [20, 18])])
  }

  /// Every permutation (and some reductions) of rank-3 and rank-4 tensors of
  /// random extents: exercises the tiled copy under outer loops.
  @Test func randomPermutationsSweep() throws {
    var rng = SplitMix64(seed: 99)
    for rank in 3...4 {
      for _ in 0..<12 {
        let letters = Array("ijkl".prefix(rank))
        let shape = (0..<rank).map { _ in Int.random(in: rank == 3 ? 1...40 : 1...14, using: &rng) }
        let output = letters.shuffled(using: &rng).prefix(
          Int.random(in: rank - 1...rank, using: &rng))
        try Self.check(String(letters) + "->" + String(output), shapes: [shape], seed: rng.next())
      }
    }
  }

  @Test func randomSizesSweep() throws {
    var rng = SplitMix64(seed: 42)
    typealias Shapes = (Int, Int, Int) -> [Shape]
    let matmul: Shapes = { x, y, z in [[x, y], [y, z]] }
    let bmm: Shapes = { x, y, z in [[2, x, y], [2, y, z]] }
    let threeOperand: Shapes = { x, y, z in [[x, y, z], [y, x], [z, x]] }
    let matrix: Shapes = { x, _, z in [[x, z]] }
    let square: Shapes = { _, y, _ in [[y, y]] }
    let chain: Shapes = { x, y, z in [[x, y], [y, z], [z, x]] }
    let vectors: Shapes = { x, _, z in [[x], [z]] }
    let specs: [(String, Shapes)] = [
      ("ij,jk->ik", matmul), ("bij,bjk->bik", bmm), ("ijk,jl,kl->il", threeOperand),
      ("ij->ji", matrix),
      ("ii->i", square), ("ij,jk,kl->il", chain), ("i,j->ij", vectors),
    ]
    for (text, shapes) in specs {
      for _ in 0..<8 {
        let (x, y, z) = (
          Int.random(in: 0...36, using: &rng), Int.random(in: 0...36, using: &rng),
          Int.random(in: 0...36, using: &rng)
        )
        try Self.check(text, shapes: shapes(x, y, z), seed: rng.next())
      }
    }
  }
}
