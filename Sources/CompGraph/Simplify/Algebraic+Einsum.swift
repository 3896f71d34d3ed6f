/// Einsum identities (part of the algebraic phase).  Each one is exact up to
/// the order in which products are summed.
let einsumRules: [RewriteRule] = [
  .einsumIdentity, .einsumToSum, .einsumMerge, .einsumConstantOperand, .einsumDelta,
  .sumOfBroadcastProduct,
]

extension RewriteRule {
  /// einsum("ij->ij", A) = A: a one-operand einsum that keeps every axis in
  /// order is the identity.
  static let einsumIdentity = RewriteRule(
    "einsum-identity", .algebraic, .any(.einsum),
    if: { m, c in
      guard case .einsum(let spec) = c.builder.op(m.root), spec.operands.count == 1 else {
        return false
      }
      return spec.operands[0] == spec.output
    }
  ) { m, c in c.builder.inputs(m.root).first! }

  /// einsum("ij->j", A) = Σ→[n_j](A): summing leading axes is `sumTo`
  /// (the output's labels are a suffix of the operand's, in order, none repeated).
  static let einsumToSum = RewriteRule(
    "einsum-to-sum", .algebraic, .any(.einsum),
    if: { m, c in
      guard case .einsum(let spec) = c.builder.op(m.root), spec.operands.count == 1 else {
        return false
      }
      let labels = spec.operands[0]
      return Set(labels).count == labels.count && spec.output.count < labels.count
        && Array(labels.suffix(spec.output.count)) == spec.output
    }
  ) { m, c in try c.node(.sumTo(c.builder.shape(m.root)), [c.builder.inputs(m.root).first!]) }

  /// einsum(…, einsum(…)ₖ, …) = one einsum: the inner operands take the
  /// inner einsum's place, its output labels renamed to the outer slot's
  /// labels and its summed labels made fresh.  Only when the inner einsum is
  /// used once (else its work would be done twice), or is an einsum of
  /// constants (an unfolded outer product such as a Jacobian's identity
  /// seed, whose factors the merged einsum can contract).
  ///
  ///     Σ_j A_ij (Σ_k B_jk C_kl) = Σ_jk A_ij B_jk C_kl
  static let einsumMerge = RewriteRule("einsum-merge", .algebraic, .any(.einsum)) { m, c in
    try c.mergeInnerEinsum(m.root)
  }

  /// An operand whose elements all equal κ (a constant, or κ broadcast) or
  /// one scalar s (s broadcast) drops out: each label it alone carries is
  /// either summed (a factor of its extent) or, when it is a leading output
  /// axis, broadcast back, and s becomes a factor:
  ///
  ///     Σ_k 1_ik B_jk = ⇑(Σ_k B_jk)        (the gradient of sum(A·B))
  ///     Σ_k s_ik B_jk = ⇑(s · Σ_k B_jk)     (s_ik = s broadcast)
  static let einsumConstantOperand = RewriteRule(
    "einsum-constant-operand", .algebraic, .any(.einsum)
  ) {
    m, c in try c.dropConstantOperand(m.root)
  }

  /// An identity-matrix operand δ_ab merges its labels: b is renamed a
  /// everywhere and δ drops (Σ_b x_b δ_ab = x_a).  Not when both a and b are
  /// output axes (the result is then a diagonal embedding).
  static let einsumDelta = RewriteRule("einsum-delta", .algebraic, .any(.einsum)) { m, c in
    try c.dropDeltaOperand(m.root)
  }
}

extension RewriteRule {
  /// A sum over a product whose factors broadcast is one einsum, so the
  /// broadcast product is never built (`EinsumSpec.sumOfProduct`; scalar
  /// factors stay outside it).
  ///
  ///     Σ_jk a_i b_j c_k = a_i (Σ_j b_j)(Σ_k c_k)      (sum_to[n×1×1](a·b·c))
  ///
  /// The gradient of `sum(a*b*c*d)` with a, b, c, d of shapes n×1×1×1, n×1×1,
  /// n×1 and n is then a product of sums, not an n⁴ tensor of ones times
  /// the other factors.  Exact up to the order in which products are summed.
  static let sumOfBroadcastProduct = RewriteRule(
    "sum-of-broadcast-product", .algebraic, .op(.sumTo, .any(.mul))
  ) { m, c in try c.sumOfProduct(m.root) }
}

extension RuleContext {
  func sumOfProduct(_ root: NodeID) throws -> NodeID? {
    guard case .sumTo(let target) = builder.op(root) else { return nil }
    let product = builder.inputs(root).first!
    let shape = builder.shape(product)
    let factors = Array(builder.inputs(product))
    let scalars = factors.filter { builder.shape($0).isEmpty }
    let tensors = factors.filter { !builder.shape($0).isEmpty }
    guard
      let (spec, ones) = EinsumSpec.sumOfProduct(
        tensors.map(builder.shape), shape: shape, to: target)
    else { return nil }
    var inputs = tensors
    if ones > 0 {
      inputs.append(
        builder.constantNode(Tensor(repeating: 1, shape: Shape(repeating: 1, count: ones))))
    }
    let sum = try node(.einsum(spec), inputs)
    return scalars.isEmpty ? sum : try node(.mul, [sum] + scalars)
  }

  private func einsumParts(_ id: NodeID) -> (EinsumSpec, [NodeID])? {
    guard case .einsum(let spec) = builder.op(id) else { return nil }
    return (spec, Array(builder.inputs(id)))
  }

  func mergeInnerEinsum(_ root: NodeID) throws -> NodeID? {
    guard let (spec, operands) = einsumParts(root) else { return nil }
    guard
      let k = operands.indices.first(where: {
        guard case .einsum = builder.op(operands[$0]) else { return false }
        return useCount(operands[$0]) == 1
          || builder.borrowedInputs(operands[$0]).allSatisfy { kind($0) == .constant }
      }), let (inner, innerOperands) = einsumParts(operands[k])
    else { return nil }
    var next = spec.labelCount
    var rename: [Int: Int] = [:]
    for (a, label) in inner.output.enumerated() { rename[label] = spec.operands[k][a] }
    for label in 0..<inner.labelCount where rename[label] == nil {
      rename[label] = next
      next += 1
    }
    var newOperands: [[Int]] = []
    var newInputs: [NodeID] = []
    for (j, labels) in spec.operands.enumerated() {
      if j == k {
        for (labels, input) in zip(inner.operands, innerOperands) {
          newOperands.append(labels.map { rename[$0]! })
          newInputs.append(input)
        }
      } else {
        newOperands.append(labels)
        newInputs.append(operands[j])
      }
    }
    return try node(.einsum(EinsumSpec(operands: newOperands, output: spec.output)), newInputs)
  }

  /// (κ, nil) when every element of `id` is the same constant κ; (1, s)
  /// when `id` is a one-element value broadcast, s that value as a scalar.
  private func uniformValue(_ id: NodeID) throws -> (kappa: Double, scalar: NodeID?)? {
    switch builder.op(id) {
    case .constant(let t):
      guard let first = t.scalars.first, t.scalars.allSatisfy({ $0 == first }) else { return nil }
      return (first, nil)
    case .broadcastTo:
      let input = builder.inputs(id).first!
      if let kappa = builder.scalarConstant(input) { return (kappa, nil) }
      let shape = builder.shape(input)
      guard shape.elementCount == 1 else { return nil }
      return (1, shape.isEmpty ? input : try node(.sumTo([]), [input]))
    default:
      return nil
    }
  }

  func dropConstantOperand(_ root: NodeID) throws -> NodeID? {
    guard let (spec, operands) = einsumParts(root), operands.count >= 2,
      let sizes = try? spec.labelSizes(for: operands.map(builder.shape))
    else { return nil }
    for (k, operand) in operands.enumerated() {
      guard let (kappa, scalar) = try uniformValue(operand) else { continue }
      let others = Set(spec.operands.indices.filter { $0 != k }.flatMap { spec.operands[$0] })
      let alone = Set(spec.operands[k]).subtracting(others)
      let broadcastLabels = spec.output.filter(alone.contains)
      // Labels carried only here and kept in the output must lead it.
      guard Array(spec.output.prefix(broadcastLabels.count)) == broadcastLabels else { continue }
      var factor = kappa
      for label in alone where !spec.output.contains(label) { factor *= Double(sizes[label]) }
      var newOperands = spec.operands
      var newInputs = operands
      newOperands.remove(at: k)
      newInputs.remove(at: k)
      let output = Array(spec.output.dropFirst(broadcastLabels.count))
      var result = try node(.einsum(EinsumSpec(operands: newOperands, output: output)), newInputs)
      if let scalar { result = try node(.mul, [result, scalar]) }
      result = try broadcast(result, to: builder.shape(root))
      return try scaled(result, by: factor)
    }
    return nil
  }

  private func isIdentityMatrix(_ id: NodeID) -> Bool {
    guard case .constant(let t) = builder.op(id), t.shape.count == 2, t.shape[0] == t.shape[1]
    else {
      return false
    }
    let n = t.shape[0]
    for i in 0..<n {
      for j in 0..<n where t.scalars[i * n + j] != (i == j ? 1 : 0) { return false }
    }
    return true
  }

  func dropDeltaOperand(_ root: NodeID) throws -> NodeID? {
    guard let (spec, operands) = einsumParts(root), operands.count >= 2 else { return nil }
    for (k, operand) in operands.enumerated() where isIdentityMatrix(operand) {
      let (a, b) = (spec.operands[k][0], spec.operands[k][1])
      guard a != b, !(spec.output.contains(a) && spec.output.contains(b)) else { continue }
      // Keep the label the output uses, if any.
      let (keep, drop) = spec.output.contains(b) ? (b, a) : (a, b)
      func rename(_ labels: [Int]) -> [Int] { labels.map { $0 == drop ? keep : $0 } }
      var newOperands = spec.operands.map(rename)
      var newInputs = operands
      newOperands.remove(at: k)
      newInputs.remove(at: k)
      return try node(
        .einsum(EinsumSpec(operands: newOperands, output: rename(spec.output))), newInputs)
    }
    return nil
  }
}
