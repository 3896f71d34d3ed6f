/// One einsum operand as a strided view: one axis per *distinct* label, with
/// its extent and its stride into `scalars`.
///
/// A label repeated in a subscript becomes one axis whose stride is the sum of
/// the repeated axes' strides, so `A[i,i]` is the view `i ↦ A[i·(n+1)]`: the
/// diagonal costs nothing to take.
struct EinsumOperand {
  var labels: [Int]
  var extents: [Int]
  var strides: [Int]
  var scalars: [Double]

  /// The view of `tensor` under the subscript `labels` (one per axis).
  init(_ tensor: Tensor, labels: [Int]) {
    let own = Tensor.strides(of: tensor.shape)
    self.labels = []
    extents = []
    strides = []
    for (axis, label) in labels.enumerated() {
      if let k = self.labels.firstIndex(of: label) {
        strides[k] += own[axis]
      } else {
        self.labels.append(label)
        extents.append(tensor.shape[axis])
        strides.append(own[axis])
      }
    }
    scalars = tensor.scalars
  }

  /// A contiguous row-major operand with axes `labels`.
  init(contiguous scalars: [Double], labels: [Int], extents: [Int]) {
    self.labels = labels
    self.extents = extents
    strides = Tensor.strides(of: extents)
    self.scalars = scalars
  }

  /// The number of elements the view addresses.
  var count: Int { extents.reduce(1, *) }

  /// The stride of `label`, or 0 when the operand does not carry it (broadcast).
  func stride(of label: Int) -> Int {
    labels.firstIndex(of: label).map { strides[$0] } ?? 0
  }

  /// Whether the view is exactly `scalars`, row-major in the label order `order`.
  func isContiguous(in order: [Int]) -> Bool {
    guard order.count == labels.count, scalars.count == count else { return false }
    var expected = 1
    for label in order.reversed() {
      guard let k = labels.firstIndex(of: label) else { return false }
      if extents[k] != 1 && strides[k] != expected { return false }
      expected *= extents[k]
    }
    return true
  }

  /// The operand rearranged to the contiguous layout `order`, summing over
  /// the labels it carries that `order` lacks and broadcasting over the labels
  /// of `order` it lacks (extents from `labelExtents`):
  ///
  ///     out[o] = Σ_{labels ∉ o} self[labels]
  ///
  /// Returns `self` when it already has that layout.
  func rearranged(to order: [Int], labelExtents: [Int]) -> EinsumOperand {
    let summed = labels.filter { !order.contains($0) }
    if summed.isEmpty && isContiguous(in: order) {
      return EinsumOperand(
        contiguous: scalars, labels: order, extents: order.map { labelExtents[$0] })
    }
    return Self.loopNest(self, nil, order: order, summed: summed, labelExtents: labelExtents)
  }

  /// `out[order] = Σ_{summed} a[…]`, or `Σ_{summed} a[…] · b[…]` with `b`, as one strided loop
  /// nest over `order + summed` writing straight into the contiguous layout `order` (an
  /// operand without a label is broadcast along it; an empty sum is 0).
  static func loopNest(
    _ a: EinsumOperand, _ b: EinsumOperand?, order: [Int], summed: [Int], labelExtents: [Int]
  ) -> EinsumOperand {
    let extents = order.map { labelExtents[$0] }
    let loops = order + summed
    let nest = EinsumLoopNest(
      extents: loops.map { labelExtents[$0] },
      out: Tensor.strides(of: extents) + summed.map { _ in 0 },
      a: loops.map(a.stride(of:)), b: loops.map { b?.stride(of: $0) ?? 0 })
    let total = extents.reduce(1, *)
    var out: [Double]
    if nest.isEmpty {
      out = .hugePageZeros(count: total)
    } else if summed.isEmpty {
      out = .hugePageStorage(count: total) { o in
        withScalars(a, b) { pa, pb in
          if let pb {
            EinsumKernels.multiply(nest, into: o, pa, pb)
          } else {
            EinsumKernels.copy(nest, into: o, from: pa)
          }
        }
      }
    } else {
      out = .hugePageZeros(count: total)
      out.withUnsafeMutableBufferPointer { o in
        withScalars(a, b) { pa, pb in
          if let pb {
            EinsumKernels.multiplyAccumulate(nest, into: o.baseAddress!, pa, pb)
          } else {
            EinsumKernels.accumulate(nest, into: o.baseAddress!, from: pa)
          }
        }
      }
    }
    return EinsumOperand(contiguous: out, labels: order, extents: extents)
  }

  /// Calls `body` with the addresses of `a`'s scalars and of `b`'s (`nil` without `b`).
  private static func withScalars(
    _ a: EinsumOperand, _ b: EinsumOperand?,
    _ body: (UnsafePointer<Double>, UnsafePointer<Double>?) -> Void
  ) {
    a.scalars.withUnsafeBufferPointer { pa in
      guard let b else { return body(pa.baseAddress!, nil) }
      b.scalars.withUnsafeBufferPointer { pb in body(pa.baseAddress!, pb.baseAddress!) }
    }
  }

  /// Whether every stored scalar is exactly 1 (so a contraction with this
  /// operand is a sum of the other one).  Stops at the first other value.
  var isAllOnes: Bool { !scalars.isEmpty && !scalars.contains { $0 != 1 } }
}
