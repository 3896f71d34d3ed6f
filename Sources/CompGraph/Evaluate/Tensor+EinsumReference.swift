extension Tensor {
  /// Reference einsum: one loop over every combination of label values, the
  /// definition written out.  Slow (no blocking, no BLAS); `einsum` must agree
  /// with it, and the kernel tests check that it does.
  ///
  ///     out[o] = Σ_{labels ∉ o} Π_k operand_k[labels_k]
  package static func einsumReference(_ spec: EinsumSpec, _ operands: [Tensor]) -> Tensor {
    let sizes = (try? spec.labelSizes(for: operands.map(\.shape))) ?? []
    let outShape = spec.output.map { sizes[$0] }
    var out = [Double](repeating: 0, count: outShape.elementCount)
    let labelCount = sizes.count
    let strides = operands.indices.map { k -> [Int] in
      var s = [Int](repeating: 0, count: labelCount)
      let own = Tensor.strides(of: operands[k].shape)
      for (axis, label) in spec.operands[k].enumerated() { s[label] += own[axis] }
      return s
    }
    var outStrides = [Int](repeating: 0, count: labelCount)
    let ownOut = Tensor.strides(of: outShape)
    for (axis, label) in spec.output.enumerated() { outStrides[label] = ownOut[axis] }
    let total = sizes.reduce(1, *)
    if total == 0 { return Tensor(shape: outShape, scalars: out) }
    var counter = [Int](repeating: 0, count: labelCount)
    var offsets = [Int](repeating: 0, count: operands.count)
    var outOffset = 0
    for _ in 0..<total {
      var product = 1.0
      for k in operands.indices { product *= operands[k].scalars[offsets[k]] }
      out[outOffset] += product
      var label = labelCount - 1
      while label >= 0 {
        counter[label] += 1
        for k in operands.indices { offsets[k] += strides[k][label] }
        outOffset += outStrides[label]
        if counter[label] < sizes[label] { break }
        for k in operands.indices { offsets[k] -= strides[k][label] * sizes[label] }
        outOffset -= outStrides[label] * sizes[label]
        counter[label] = 0
        label -= 1
      }
    }
    return Tensor(shape: outShape, scalars: out)
  }
}
