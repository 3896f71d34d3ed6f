/// The pullback of an einsum is an einsum (HIPS autograd's rule): swap the
/// output's subscripts with operand k's,
///
///     y = einsum(s₁,…,s_n → o)   ⇒   x̄_k = einsum(o, s₁,…,ŝ_k,…,s_n → s_k)(ȳ, x₁,…,x_n)
///
/// with two repairs so that it is right in every case:
/// - a label repeated inside s_k (a diagonal, `ii`) is renamed, and an
///   identity matrix δ ties the copies together: x̄[i,j] = ȳ·δᵢⱼ for `ii->`;
/// - a label of s_k found in no other operand nor in o (summed in operand k
///   alone, `ij->i`) is produced by a ones vector.
extension EinsumSpec {
  func pullback(_ k: Int, _ x: [Expr], _ g: Expr) -> Expr {
    let builder = g.builder
    let shapes = x.map { $0.shape ?? [] }
    guard let sizes = try? labelSizes(for: shapes) else { return g }
    var nextLabel = labelCount
    var operandLabels: [[Int]] = [output]
    var operandExprs: [Expr] = [g]
    for j in x.indices where j != k {
      operandLabels.append(operands[j])
      operandExprs.append(x[j])
    }
    var resultLabels: [Int] = []
    var seen = Set<Int>()
    for label in operands[k] {
      if seen.insert(label).inserted {
        resultLabels.append(label)
      } else {
        let fresh = nextLabel
        nextLabel += 1
        resultLabels.append(fresh)
        operandLabels.append([label, fresh])
        operandExprs.append(builder.constant(Tensor.identity(sizes[label])))
      }
    }
    let available = Set(operandLabels.flatMap { $0 })
    for label in Set(operands[k]) where !available.contains(label) {
      operandLabels.append([label])
      operandExprs.append(builder.constant(Tensor(repeating: 1, shape: [sizes[label]])))
    }
    let spec = EinsumSpec(operands: operandLabels, output: resultLabels)
    return Expr.apply(.einsum(spec), operandExprs)
  }
}

extension Tensor {
  /// The n×n identity matrix δᵢⱼ.
  static func identity(_ n: Int) -> Tensor {
    var t = Tensor(repeating: 0, shape: [n, n])
    for i in 0..<n { t.scalars[i * n + i] = 1 }
    return t
  }
}
