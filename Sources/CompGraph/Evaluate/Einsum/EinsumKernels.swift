/// The strided loops behind every einsum that is not a GEMM, over `Double`s
/// (f64 values) or `Float`s (a compiled f32 plan's; sums and dot products
/// accumulate in `Double` either way, as the reference evaluator sums).  Each kernel walks
/// an `EinsumLoopNest` and specialises its innermost run on the strides, so the
/// common cases (contiguous, broadcast, reduction) are simple counted loops the
/// compiler vectorises.  Large nests are split across the cores
/// (`EinsumLoopNest.forEachPart`).  Pointers must address every offset the
/// nest reaches.
enum EinsumKernels {
  /// `out[o] = a[·]`: see `copyPart`.
  static func copy<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>, from a: UnsafePointer<T>
  ) {
    nest.forEachPart { part, o, x, _ in copyPart(part, into: out + o, from: a + x) }
  }

  /// `out[o] += a[·]`: see `accumulatePart`.
  static func accumulate<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>, from a: UnsafePointer<T>
  ) {
    nest.forEachPart { part, o, x, _ in accumulatePart(part, into: out + o, from: a + x) }
  }

  /// `out[o] = a[·] · b[·]`: see `multiplyPart`.
  static func multiply<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>,
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) {
    nest.forEachPart { part, o, x, y in multiplyPart(part, into: out + o, a + x, b + y) }
  }

  /// `out[o] += a[·] · b[·]`: see `multiplyAccumulatePart`.
  static func multiplyAccumulate<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>,
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) {
    nest.forEachPart { part, o, x, y in multiplyAccumulatePart(part, into: out + o, a + x, b + y) }
  }

  /// `out[o] = a[·]`, each output element written once: a permutation,
  /// broadcast or diagonal copy.  A transpose (the output's innermost axis is
  /// strided in `a` while another axis is contiguous in `a`) is copied in
  /// square tiles so both sides stay in cache.
  private static func copyPart<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>, from a: UnsafePointer<T>
  ) {
    let inner = nest.inner
    let tile = 16
    if inner.out == 1, inner.a != 1, inner.count >= tile,
      let p = nest.aStrides.dropLast().firstIndex(of: 1), nest.extents[p] >= tile
    {
      let rest = nest.extents.indices.dropLast().filter { $0 != p }
      let outer = EinsumLoopNest(
        extents: rest.map { nest.extents[$0] }, out: rest.map { nest.outStrides[$0] },
        a: rest.map { nest.aStrides[$0] }, b: rest.map { _ in 0 })
      let (rows, rowOut) = (nest.extents[p], nest.outStrides[p])
      let (cols, colA) = (inner.count, inner.a)
      let along = outer.inner
      outer.forEachRun { o0, oa0, _ in
        for s in 0..<along.count {
          let (o, oa) = (o0 + s * along.out, oa0 + s * along.a)
          for r0 in stride(from: 0, to: rows, by: tile) {
            for c0 in stride(from: 0, to: cols, by: tile) {
              for r in r0..<min(r0 + tile, rows) {
                let dst = out + o + r * rowOut
                let src = a + oa + r
                for c in c0..<min(c0 + tile, cols) { dst[c] = src[c * colA] }
              }
            }
          }
        }
      }
      return
    }
    nest.forEachRun { o, oa, _ in
      let (dst, src) = (out + o, a + oa)
      switch (inner.out, inner.a) {
      case (1, 1): dst.update(from: src, count: inner.count)
      case (1, 0): dst.update(repeating: src[0], count: inner.count)
      default: for x in 0..<inner.count { dst[x * inner.out] = src[x * inner.a] }
      }
    }
  }

  /// `out[o] += a[·]`: sums over the labels whose output stride is 0.
  private static func accumulatePart<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>, from a: UnsafePointer<T>
  ) {
    let inner = nest.inner
    nest.forEachRun { o, oa, _ in
      let (dst, src) = (out + o, a + oa)
      switch (inner.out, inner.a) {
      case (0, 1): dst[0] = T(Double(dst[0]) + sum(src, count: inner.count))
      case (0, _):
        var s = 0.0
        for x in 0..<inner.count { s += Double(src[x * inner.a]) }
        dst[0] = T(Double(dst[0]) + s)
      case (1, 1): for x in 0..<inner.count { dst[x] += src[x] }
      default: for x in 0..<inner.count { dst[x * inner.out] += src[x * inner.a] }
      }
    }
  }

  /// `out[o] = a[·] · b[·]`, each output element written once (no label is
  /// summed): outer products, elementwise and broadcast products.
  private static func multiplyPart<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>,
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) {
    let inner = nest.inner
    nest.forEachRun { o, oa, ob in
      let (dst, x, y) = (out + o, a + oa, b + ob)
      switch (inner.out, inner.a, inner.b) {
      case (1, 1, 1): for t in 0..<inner.count { dst[t] = x[t] * y[t] }
      case (1, 0, 1):
        let s = x[0]
        for t in 0..<inner.count { dst[t] = s * y[t] }
      case (1, 1, 0):
        let s = y[0]
        for t in 0..<inner.count { dst[t] = x[t] * s }
      default:
        for t in 0..<inner.count { dst[t * inner.out] = x[t * inner.a] * y[t * inner.b] }
      }
    }
  }

  /// `out[o] += a[·] · b[·]`: products summed over the labels whose output
  /// stride is 0 (dots, matrix–vector products, small contractions).
  private static func multiplyAccumulatePart<T: BinaryFloatingPoint>(
    _ nest: EinsumLoopNest, into out: UnsafeMutablePointer<T>,
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) {
    let inner = nest.inner
    nest.forEachRun { o, oa, ob in
      let (dst, x, y) = (out + o, a + oa, b + ob)
      switch (inner.out, inner.a, inner.b) {
      case (0, 1, 1): dst[0] = T(Double(dst[0]) + dot(x, y, count: inner.count))
      case (0, _, _):
        var s = 0.0
        for t in 0..<inner.count { s += Double(x[t * inner.a]) * Double(y[t * inner.b]) }
        dst[0] = T(Double(dst[0]) + s)
      case (1, 1, 1): for t in 0..<inner.count { dst[t] += x[t] * y[t] }
      case (1, 0, 1):
        let s = x[0]
        for t in 0..<inner.count { dst[t] += s * y[t] }
      case (1, 1, 0):
        let s = y[0]
        for t in 0..<inner.count { dst[t] += x[t] * s }
      default:
        for t in 0..<inner.count { dst[t * inner.out] += x[t * inner.a] * y[t * inner.b] }
      }
    }
  }

  /// `Σ_t x[t]` with four running sums, so the loop pipelines (the rounding
  /// differs from a left-to-right sum by reassociation only).
  static func sum<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, count: Int) -> Double {
    var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
    var t = 0
    while t + 4 <= count {
      s0 += Double(x[t])
      s1 += Double(x[t + 1])
      s2 += Double(x[t + 2])
      s3 += Double(x[t + 3])
      t += 4
    }
    while t < count {
      s0 += Double(x[t])
      t += 1
    }
    return (s0 + s1) + (s2 + s3)
  }

  /// `Σ_t x[t] · y[t]` with four running sums.
  static func dot<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, count: Int)
    -> Double
  {
    var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
    var t = 0
    while t + 4 <= count {
      s0 += Double(x[t]) * Double(y[t])
      s1 += Double(x[t + 1]) * Double(y[t + 1])
      s2 += Double(x[t + 2]) * Double(y[t + 2])
      s3 += Double(x[t + 3]) * Double(y[t + 3])
      t += 4
    }
    while t < count {
      s0 += Double(x[t]) * Double(y[t])
      t += 1
    }
    return (s0 + s1) + (s2 + s3)
  }
}
