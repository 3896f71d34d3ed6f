/// The order in which an einsum of three or more operands is contracted
/// pairwise: opt_einsum's greedy rule.
///
/// At each step take the pair (x, y) whose contraction removes the most
/// memory, `|result| − |x| − |y|` smallest, where the result keeps only the
/// labels the output or another operand still needs (the rest are summed out
/// at once).  Ties go to fewer multiply–adds (`Π extents of x ∪ y`), then to
/// fewer elements copied into a dgemm layout, then to the earlier pair.
///
/// For `ijk,jl,kl->il` (n = 128) the pairs (ijk,jl) and (ijk,kl) tie at
/// `−n²` and `n⁴` multiply–adds, both optimal paths; (ijk,kl)→ijl needs no
/// copy (`[ij, k]·[k, l]` is one dgemm), so it goes first, then (ijl,jl)→il
/// is a single contiguous loop.
enum EinsumContractionOrder {
  /// The labels of `operands[x]` and `operands[y]` still needed once they are
  /// contracted: those in `output` or in any other operand.
  static func kept(_ x: Int, _ y: Int, in operands: [EinsumOperand], output: [Int]) -> [Int] {
    var kept: [Int] = []
    for label in operands[x].labels + operands[y].labels where !kept.contains(label) {
      let needed =
        output.contains(label)
        || operands.indices.contains { $0 != x && $0 != y && operands[$0].labels.contains(label) }
      if needed { kept.append(label) }
    }
    return kept
  }

  /// The pair to contract next, `x < y`.  Needs at least two operands.
  static func nextPair(_ operands: [EinsumOperand], output: [Int], labelExtents: [Int]) -> (
    Int, Int
  ) {
    var best: (pair: (Int, Int), key: (Double, Double, Int))?
    for y in operands.indices {
      for x in 0..<y {
        let keep = kept(x, y, in: operands, output: output)
        let size = keep.reduce(1.0) { $0 * Double(labelExtents[$1]) }
        let union =
          operands[x].labels + operands[y].labels.filter { !operands[x].labels.contains($0) }
        let flops = union.reduce(1.0) { $0 * Double(labelExtents[$1]) }
        let removed = size - Double(operands[x].count) - Double(operands[y].count)
        let copies = EinsumOperand.gemmCopyCount(operands[x], operands[y], keep: keep)
        let key = (removed, flops, copies)
        if best.map({ key < $0.key }) ?? true { best = ((x, y), key) }
      }
    }
    return best!.pair
  }
}
