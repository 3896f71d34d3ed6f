/// An einsum as LaTeX writes it (`Graph.text(.latex)`): the matrix operation it is where it is one,
/// else the result's element in index notation with the other indices summed,
///
///     ij->ji  A^{\top}        ii->  \operatorname{tr}\left(A\right)        ji,jk->ik  A^{\top} B
///     i,i->   v^{\top} w      ij,j,k->ik  \left[\sum_{j} W_{ij} x_{j} x_{k}\right]_{ik}
enum LaTeXEinsum {
  /// `ij->ji`: Aᵀ.
  case transpose
  /// `ii->`: tr A.
  case trace
  /// Two matrices or vectors multiplied, each perhaps transposed (a vector is a column):
  /// `ij,jk->ik` is A B, `ji,jk->ik` Aᵀ B, `ij,j->i` A x, `i,i->` xᵀ y, `i,j->ij` x yᵀ.
  case product([(operand: Int, transposed: Bool)])
  /// The result's element, the other indices summed: `[Σ_j W_ij x_j x_k]_ik`.
  case indexed

  init(_ spec: EinsumSpec) {
    switch (spec.operands, spec.output) {
    case ([[0, 1]], [1, 0]): self = .transpose
    case ([[0, 0]], []): self = .trace
    default: self = Self.product(spec).map(LaTeXEinsum.product) ?? .indexed
    }
  }

  /// The einsum as a product of two matrices or vectors, if it is one.
  private static func product(_ spec: EinsumSpec) -> [(operand: Int, transposed: Bool)]? {
    guard spec.operands.count == 2,
      spec.operands.allSatisfy({ (1...2).contains($0.count) && Set($0).count == $0.count })
    else { return nil }
    let shared = Set(spec.operands[0]).intersection(spec.operands[1])
    guard shared.count <= 1 else { return nil }
    for (l, r) in [(0, 1), (1, 0)] {
      let (left, right) = (spec.operands[l], spec.operands[r])
      let freeLeft = left.filter { !shared.contains($0) }
      let freeRight = right.filter { !shared.contains($0) }
      guard spec.output == freeLeft + freeRight else { continue }
      if shared.isEmpty {
        // An outer product of two vectors: x yᵀ.
        if left.count == 1 && right.count == 1 { return [(l, false), (r, true)] }
        continue
      }
      // The left factor's columns and the right one's rows are the summed index; a vector is a
      // column, so on the left it is transposed.
      return [(l, left.count == 1 || left.last != shared.first), (r, right.first != shared.first)]
    }
    return nil
  }

  /// How tightly it binds: a transpose as a power, a trace or a bracketed element as an atom, a
  /// product as a product, a sum over a scalar's indices as a sum.
  func level(_ spec: EinsumSpec) -> InfixLevel {
    switch self {
    case .transpose: .power
    case .trace: .atom
    case .product: .product
    case .indexed: spec.output.isEmpty ? (spec.labelCount == 0 ? .product : .sum) : .atom
    }
  }
}
