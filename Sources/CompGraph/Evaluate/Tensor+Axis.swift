/// Operations along one axis, on row-major tensors: the tensor seen as
/// `outer × n × inner` blocks, with `n` the axis's extent.
extension Tensor {
  /// (outer, n, inner) for `axis`.
  private func blocks(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// The largest element along `axis` (NaN if any is NaN; −∞ for none).
  func reduceMax(axis: Int) -> Tensor {
    let (outer, n, inner) = blocks(axis)
    var out = [Double](repeating: -.infinity, count: outer * inner)
    for o in 0..<outer {
      for k in 0..<n {
        for i in 0..<inner {
          out[o * inner + i] = maximum(out[o * inner + i], scalars[(o * n + k) * inner + i])
        }
      }
    }
    var result = shape
    result.remove(at: axis)
    return Tensor(shape: result, scalars: out)
  }

  /// Elements `start..<end` along `axis`.
  func slice(axis: Int, start: Int, end: Int) -> Tensor {
    let (outer, n, inner) = blocks(axis)
    var out: [Double] = []
    out.reserveCapacity(outer * (end - start) * inner)
    for o in 0..<outer {
      out += scalars[((o * n + start) * inner)..<((o * n + end) * inner)]
    }
    var result = shape
    result[axis] = end - start
    return Tensor(shape: result, scalars: out)
  }

  /// `before` zeros, the elements, `after` zeros along `axis`.
  func pad(axis: Int, before: Int, after: Int) -> Tensor {
    let (outer, n, inner) = blocks(axis)
    let width = n + before + after
    var out = [Double](repeating: 0, count: outer * width * inner)
    for o in 0..<outer {
      let from = o * n * inner, to = (o * width + before) * inner
      for j in 0..<(n * inner) { out[to + j] = scalars[from + j] }
    }
    var result = shape
    result[axis] = width
    return Tensor(shape: result, scalars: out)
  }

  /// One-hot rows of `n`: e_k for each integer index k in 0..<n, zeros otherwise.
  func oneHot(_ n: Int) -> Tensor {
    var out = [Double](repeating: 0, count: scalars.count * n)
    for (row, value) in scalars.enumerated()
    where value.isInteger && value >= 0 && value < Double(n) {
      out[row * n + Int(value)] = 1
    }
    return Tensor(shape: shape + [n], scalars: out)
  }
}
