/// The ops along one axis (or a window's axes) as strided loops over the planned buffers, the
/// tensor seen as `outer × n × inner` blocks (`n` the axis's extent, or the window's positions),
/// with the reference evaluator's semantics (`Evaluate/Tensor+Axis.swift`, `Graph/Window.swift`).
enum AxisStep: Sendable {
  /// `out[o, i] = max_k x[o, k, i]` (NaN if any is NaN; −∞ for none).
  case reduceMax(outer: Int, n: Int, inner: Int)
  /// `out[o, k, i] = x[o, start + k, i]`.
  case slice(outer: Int, n: Int, inner: Int, start: Int, end: Int)
  /// `before` zeros, `x[o, ·, i]`, `after` zeros along the axis.
  case pad(outer: Int, n: Int, inner: Int, before: Int, after: Int)
  /// Row r is e_k for the integer index k = x[r] in 0..<n, else zeros.
  case oneHot(count: Int, n: Int)
  /// `out[o, j, i] = x[o, map[j], i]`, 0 where `map[j]` is −1 (`patches`, im2col); `n` is the
  /// input's positions.
  case gather(outer: Int, n: Int, inner: Int, map: [Int32])
  /// `out[o, map[j], i] += x[o, j, i]` from zeros, in order of j (`unpatches`, col2im); `n` is
  /// the output's positions.
  case scatter(outer: Int, n: Int, inner: Int, map: [Int32])

  /// The step of `op` on an input of shape `shape`; `nil` for ops not along an axis.
  init?(_ op: Op, input shape: Shape) {
    func blocks(_ axis: Int) -> (Int, Int, Int) {
      (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
    switch op.structure {
    case .reduceMax(let axis):
      let (outer, n, inner) = blocks(axis)
      self = .reduceMax(outer: outer, n: n, inner: inner)
    case .slice(let axis, let start, let end):
      let (outer, n, inner) = blocks(axis)
      self = .slice(outer: outer, n: n, inner: inner, start: start, end: end)
    case .pad(let axis, let before, let after):
      let (outer, n, inner) = blocks(axis)
      self = .pad(outer: outer, n: n, inner: inner, before: before, after: after)
    case .oneHot(let n): self = .oneHot(count: shape.elementCount, n: n)
    case .patches(let w):
      let (outer, inner) = w.blocks(shape)
      self = .gather(outer: outer, n: w.size.reduce(1, *), inner: inner, map: w.sourceIndices())
    case .unpatches(let w):
      let (outer, inner) = w.blocks(shape, transposed: true)
      self = .scatter(outer: outer, n: w.size.reduce(1, *), inner: inner, map: w.sourceIndices())
    case nil, .einsum, .sumTo, .broadcastTo, .reshape, .matrix, .scan:
      return nil
    }
  }

  func run<T: PlanElement>(_ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>) {
    switch self {
    case .reduceMax(let outer, let n, let inner):
      for o in 0..<outer {
        let row = out + o * inner
        row.update(repeating: -.infinity, count: inner)
        for k in 0..<n {
          let src = x + (o * n + k) * inner
          for i in 0..<inner {
            let (a, b) = (row[i], src[i])
            row[i] = a.isNaN || b.isNaN ? a + b : a >= b ? a : b  // `maximum`'s ties and NaN
          }
        }
      }
    case .slice(let outer, let n, let inner, let start, let end):
      let width = (end - start) * inner
      for o in 0..<outer {
        (out + o * width).update(from: x + (o * n + start) * inner, count: width)
      }
    case .pad(let outer, let n, let inner, let before, let after):
      let width = (n + before + after) * inner
      for o in 0..<outer {
        let row = out + o * width
        row.update(repeating: 0, count: before * inner)
        (row + before * inner).update(from: x + o * n * inner, count: n * inner)
        (row + (before + n) * inner).update(repeating: 0, count: after * inner)
      }
    case .oneHot(let count, let n):
      out.update(repeating: 0, count: count * n)
      for row in 0..<count {
        let value = x[row]
        if value.isFinite && value == value.rounded() && value >= 0 && value < T(n) {
          out[row * n + Int(value)] = 1
        }
      }
    case .gather(let outer, let n, let inner, let map):
      for o in 0..<outer {
        for (j, p) in map.enumerated() {
          let row = out + (o * map.count + j) * inner
          if p < 0 {
            row.update(repeating: 0, count: inner)
          } else {
            row.update(from: x + (o * n + Int(p)) * inner, count: inner)
          }
        }
      }
    case .scatter(let outer, let n, let inner, let map):
      out.update(repeating: 0, count: outer * n * inner)
      for o in 0..<outer {
        for (j, p) in map.enumerated() where p >= 0 {
          let (row, src) = (out + (o * n + Int(p)) * inner, x + (o * map.count + j) * inner)
          for i in 0..<inner { row[i] += src[i] }
        }
      }
    }
  }
}
