/// Reading a tensor as if broadcast to a larger shape, a run of flat output
/// positions at a time, without materialising the broadcast:
///
///     lane[i] = x[Σ_t index_t(start + i) · stride_t]     (stride 0 on stretched axes)
///
/// Neighbouring axes that are one loop in `x` (`stride_t = stride_{t+1} ·
/// extent_{t+1}`, including two stretched axes) are merged first, so a bias
/// row added to every row of a matrix is a cyclic copy and a scalar a fill.
struct BroadcastRead: Sendable {
  let extents: [Int]
  let strides: [Int]

  /// The read of a tensor of shape `shape` broadcast to `target`.
  init(_ shape: Shape, to target: Shape) {
    let own = Tensor.strides(of: shape)
    let offset = target.count - shape.count
    var extents: [Int] = [], strides: [Int] = []
    for axis in target.indices where target[axis] != 1 {
      let stride = axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
      if let last = extents.indices.last, strides[last] == stride * target[axis] {
        extents[last] *= target[axis]
        strides[last] = stride
      } else {
        extents.append(target[axis])
        strides.append(stride)
      }
    }
    self.extents = extents.isEmpty ? [1] : extents
    self.strides = strides.isEmpty ? [0] : strides
  }

  /// Writes lanes `start..<start + count` of the broadcast view of `x` to `lanes`.
  func gather<T>(
    _ x: UnsafePointer<T>, start: Int, count: Int, into lanes: UnsafeMutablePointer<T>
  ) {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: extents.count) { index in
      gather(x, start: start, count: count, into: lanes, index: index)
    }
  }

  private func gather<T>(
    _ x: UnsafePointer<T>, start: Int, count: Int, into lanes: UnsafeMutablePointer<T>,
    index: UnsafeMutableBufferPointer<Int>
  ) {
    let inner = extents.count - 1
    var rest = start
    for t in stride(from: inner, through: 0, by: -1) {
      index[t] = rest % extents[t]
      rest /= extents[t]
    }
    var offset = 0
    for t in 0...inner { offset += index[t] * strides[t] }
    var written = 0
    let step = strides[inner]
    while written < count {
      let run = min(extents[inner] - index[inner], count - written)
      let dst = lanes + written
      switch step {
      case 0: dst.update(repeating: x[offset], count: run)
      case 1: dst.update(from: x + offset, count: run)
      default: for i in 0..<run { dst[i] = x[offset + i * step] }
      }
      written += run
      offset += run * step
      index[inner] += run
      // Carry into the outer axes (an odometer over the merged loops).
      var t = inner
      while t > 0 && index[t] == extents[t] {
        offset -= extents[t] * strides[t]
        index[t] = 0
        t -= 1
        index[t] += 1
        offset += strides[t]
      }
    }
  }
}
