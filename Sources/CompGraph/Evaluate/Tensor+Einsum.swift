extension Tensor {
  /// Evaluates an einsum:
  ///
  ///     out[o] = Σ_{labels ∉ o} Π_k operand_k[labels_k]
  ///
  /// Exact for every spec (it agrees with `einsumReference` up to the order of
  /// floating-point sums), and fast:
  /// - each operand is a strided view, so a repeated label (`ii`) is a
  ///   diagonal taken without a copy, and labels that only one operand carries
  ///   and the output lacks are summed out of it first;
  /// - one operand: trace, diagonal, sums and transposes are strided loops
  ///   (`ii->` reads n elements; `ij->ji` is copied in cache-sized tiles);
  /// - two operands: a batched GEMM through OpenBLAS, or a direct loop for
  ///   outer, elementwise and reduction-like products (see `contracted`);
  /// - three or more: contracted pairwise in the greedy order of
  ///   `EinsumContractionOrder`, each label summed as soon as nothing needs it.
  ///
  /// Operands must fit `spec` (as `spec.labelSizes(for:)` checks); a mismatch
  /// falls through to the reference loop.
  public static func einsum(_ spec: EinsumSpec, _ operands: [Tensor]) -> Tensor {
    guard !operands.isEmpty, spec.operands.count == operands.count,
      spec.output.indices.allSatisfy({ !spec.output[..<$0].contains(spec.output[$0]) }),
      let labelExtents = try? spec.labelSizes(for: operands.map(\.shape))
    else { return einsumReference(spec, operands) }
    var views = zip(operands, spec.operands).map { EinsumOperand($0, labels: $1) }
    for k in views.indices {
      let needed = views[k].labels.filter { label in
        spec.output.contains(label)
          || views.indices.contains { $0 != k && views[$0].labels.contains(label) }
      }
      if needed.count < views[k].labels.count {
        views[k] = views[k].rearranged(to: needed, labelExtents: labelExtents)
      }
    }
    while views.count > 2 {
      let (x, y) = EinsumContractionOrder.nextPair(
        views, output: spec.output, labelExtents: labelExtents)
      let keep = EinsumContractionOrder.kept(x, y, in: views, output: spec.output)
      let merged = views[x].contracted(
        with: views[y], keep: keep, order: nil, labelExtents: labelExtents)
      views.remove(at: y)
      views.remove(at: x)
      views.append(merged)
    }
    let result =
      views.count == 2
      ? views[0].contracted(
        with: views[1], keep: spec.output, order: spec.output, labelExtents: labelExtents)
      : views[0].rearranged(to: spec.output, labelExtents: labelExtents)
    return Tensor(shape: spec.output.map { labelExtents[$0] }, scalars: result.scalars)
  }
}
