import Foundation

/// The one table of what each op computes (ARCHITECTURE.md invariant 5).
extension Op {
  /// Applies the op to input values; `shape` is the node's inferred shape.
  /// Leaves are handled by the evaluator (variables are bound, constants are
  /// their own value).
  func apply(_ x: [Tensor], shape: Shape) -> Tensor {
    switch self {
    case .variable, .constant: preconditionFailure("leaves have no semantics")
    case .add: Tensor.combine(x, shape: shape, identity: -0.0, +)  // −0 + x = x, also for x = −0
    case .mul: Tensor.combine(x, shape: shape, identity: 1, *)
    case .pow(let c): x[0].map { powExact($0, c) }
    case .power: Tensor.pairwise(x[0], x[1], shape: shape, Foundation.pow)
    case .exp: x[0].map(Foundation.exp)
    case .ln: x[0].map(Foundation.log)
    case .sqrt: x[0].map(Foundation.sqrt)
    case .sin: x[0].map(Foundation.sin)
    case .cos: x[0].map(Foundation.cos)
    case .tanh: x[0].map(Foundation.tanh)
    case .abs: x[0].map(Swift.abs)
    case .sign: x[0].map(signum)
    case .maximum: Tensor.pairwise(x[0], x[1], shape: shape, CompGraph.maximum)
    case .minimum: Tensor.pairwise(x[0], x[1], shape: shape, CompGraph.minimum)
    case .less: Tensor.pairwise(x[0], x[1], shape: shape) { $0 < $1 ? 1 : 0 }
    case .lessEqual: Tensor.pairwise(x[0], x[1], shape: shape) { $0 <= $1 ? 1 : 0 }
    case .greater: Tensor.pairwise(x[0], x[1], shape: shape) { $0 > $1 ? 1 : 0 }
    case .greaterEqual: Tensor.pairwise(x[0], x[1], shape: shape) { $0 >= $1 ? 1 : 0 }
    case .equal: Tensor.pairwise(x[0], x[1], shape: shape) { $0 == $1 ? 1 : 0 }
    case .select: Tensor.select(x[0], x[1], x[2], shape: shape)
    case .tan: x[0].map(Foundation.tan)
    case .atan: x[0].map(Foundation.atan)
    case .asin: x[0].map(Foundation.asin)
    case .acos: x[0].map(Foundation.acos)
    case .sinh: x[0].map(Foundation.sinh)
    case .cosh: x[0].map(Foundation.cosh)
    case .erf: x[0].map(Foundation.erf)
    case .log1p: x[0].map(Foundation.log1p)
    case .expm1: x[0].map(Foundation.expm1)
    case .cbrt: x[0].map(Foundation.cbrt)
    case .atan2: Tensor.pairwise(x[0], x[1], shape: shape, Foundation.atan2)
    case .einsum(let spec): Tensor.einsum(spec, x)
    case .sumTo(let target): x[0].sum(to: target)
    case .broadcastTo(let target): x[0].broadcast(to: target)
    case .reshape(let target): Tensor(shape: target, scalars: x[0].scalars)
    case .reduceMax(let axis): x[0].reduceMax(axis: axis)
    case .slice(let axis, let start, let end): x[0].slice(axis: axis, start: start, end: end)
    case .pad(let axis, let before, let after): x[0].pad(axis: axis, before: before, after: after)
    case .oneHot(let n): x[0].oneHot(n)
    case .patches(let w): x[0].patches(w)
    case .unpatches(let w): x[0].unpatches(w)
    case .custom(let op): Tensor.elementwise(x, shape: shape, op.kernel)
    case .cast(let dtype): x[0].rounded(to: dtype)
    // NaN for a matrix it cannot compute (`Graph.evaluate` and `Program` throw instead).
    case .solve: MatrixFunction.solve.apply(x, shape: shape).value
    case .inverse: MatrixFunction.inverse.apply(x, shape: shape).value
    case .determinant: MatrixFunction.determinant.apply(x, shape: shape).value
    case .cholesky: MatrixFunction.cholesky.apply(x, shape: shape).value
    case .triangularSolve(let lower, let transpose):
      MatrixFunction.triangularSolve(lower: lower, transpose: transpose).apply(x, shape: shape)
        .value
    case .logdet: MatrixFunction.logdet.apply(x, shape: shape).value
    // NaN where its body cannot be evaluated (`Graph.evaluate` throws instead).
    case .scan(let spec): (try? spec.run(x)) ?? Tensor(repeating: .nan, shape: shape)
    }
  }
}

/// xᶜ with integer exponents exact for negative bases: (−2)³ = −8, and a
/// non-integer power of a negative number is NaN (C's `pow` already does this;
/// small integer exponents are multiplied out so x² is exactly x·x).
@inline(__always)
func powExact(_ x: Double, _ c: Double) -> Double {
  switch c {
  case 1: x
  case 2: x * x
  case 3: x * x * x
  case -1: 1 / x
  case -2: 1 / (x * x)
  case 0.5: Foundation.sqrt(x)
  default: Foundation.pow(x, c)
  }
}

/// sign x: −1, 0 (at ±0) or 1; NaN at NaN.
@inline(__always)
package func signum(_ x: Double) -> Double {
  x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x
}

/// max(a, b) with ties to a (a ≥ b), and NaN when either is NaN.
@inline(__always)
package func maximum(_ a: Double, _ b: Double) -> Double {
  a.isNaN || b.isNaN ? a + b : a >= b ? a : b
}

/// min(a, b) with ties to a (a ≤ b), and NaN when either is NaN.
@inline(__always)
package func minimum(_ a: Double, _ b: Double) -> Double {
  a.isNaN || b.isNaN ? a + b : a <= b ? a : b
}

extension Tensor {
  /// Elementwise map.
  func map(_ f: (Double) -> Double) -> Tensor {
    Tensor(shape: shape, scalars: scalars.map(f))
  }

  /// f(a, b) elementwise, both broadcast to `shape`.
  static func pairwise(_ a: Tensor, _ b: Tensor, shape: Shape, _ f: (Double, Double) -> Double)
    -> Tensor
  {
    let a = a.broadcast(to: shape).scalars, b = b.broadcast(to: shape).scalars
    return Tensor(shape: shape, scalars: (0..<a.count).map { f(a[$0], b[$0]) })
  }

  /// f of one element of each input elementwise, all broadcast to `shape`.
  static func elementwise(_ x: [Tensor], shape: Shape, _ f: ([Double]) -> Double) -> Tensor {
    let columns = x.map { $0.broadcast(to: shape).scalars }
    return Tensor(
      shape: shape, scalars: (0..<shape.elementCount).map { i in f(columns.map { $0[i] }) })
  }

  /// where(c, a, b) elementwise: a where c ≠ 0, else b, all broadcast to `shape`.
  static func select(_ c: Tensor, _ a: Tensor, _ b: Tensor, shape: Shape) -> Tensor {
    let c = c.broadcast(to: shape).scalars
    let a = a.broadcast(to: shape).scalars, b = b.broadcast(to: shape).scalars
    return Tensor(shape: shape, scalars: (0..<c.count).map { c[$0] != 0 ? a[$0] : b[$0] })
  }

  /// Folds inputs elementwise with NumPy broadcasting to `shape`.
  static func combine(
    _ inputs: [Tensor], shape: Shape, identity: Double, _ f: (Double, Double) -> Double
  ) -> Tensor {
    var out = [Double](repeating: identity, count: shape.elementCount)
    for input in inputs {
      if input.shape == shape {
        for i in out.indices { out[i] = f(out[i], input.scalars[i]) }
      } else if input.scalars.count == 1 {
        let v = input.scalars[0]
        for i in out.indices { out[i] = f(out[i], v) }
      } else {
        let b = input.broadcast(to: shape).scalars
        for i in out.indices { out[i] = f(out[i], b[i]) }
      }
    }
    return Tensor(shape: shape, scalars: out)
  }

  /// Strides that read this tensor as if broadcast to `target` (0 on
  /// stretched axes).
  func broadcastStrides(to target: Shape) -> [Int] {
    let own = Tensor.strides(of: shape)
    let offset = target.count - shape.count
    return target.indices.map { axis in
      axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
    }
  }

  /// Repeats the tensor to `target` (which it must broadcast to).
  func broadcast(to target: Shape) -> Tensor {
    if shape == target { return self }
    if scalars.count == 1 { return Tensor(repeating: scalars[0], shape: target) }
    if Array(target.suffix(shape.count)) == shape {
      // Leading axes only: whole copies of this tensor, end to end.
      var out: [Double] = []
      out.reserveCapacity(target.elementCount)
      for _ in 0..<(target.elementCount / max(1, scalars.count)) { out.append(contentsOf: scalars) }
      return Tensor(shape: target, scalars: out)
    }
    let strides = broadcastStrides(to: target)
    var out = [Double](repeating: 0, count: target.elementCount)
    forEachIndex(target) { flat, offsets in out[flat] = scalars[offsets(strides)] }
    return Tensor(shape: target, scalars: out)
  }

  /// Sums the tensor down to `target` (which must broadcast to this shape).
  func sum(to target: Shape) -> Tensor {
    if shape == target { return self }
    let strides = Tensor(repeating: 0, shape: target).broadcastStrides(to: shape)
    var out = [Double](repeating: 0, count: target.elementCount)
    forEachIndex(shape) { flat, offsets in out[offsets(strides)] += scalars[flat] }
    return Tensor(shape: target, scalars: out)
  }
}

/// Visits every multi-index of `shape` in row-major order, passing the flat
/// index and a function that dots the multi-index with a stride vector.
func forEachIndex(_ shape: Shape, _ body: (Int, ([Int]) -> Int) -> Void) {
  let count = shape.elementCount
  if count == 0 { return }
  var index = [Int](repeating: 0, count: shape.count)
  for flat in 0..<count {
    body(flat) { strides in
      var o = 0
      for a in index.indices { o += index[a] * strides[a] }
      return o
    }
    var axis = shape.count - 1
    while axis >= 0 {
      index[axis] += 1
      if index[axis] < shape[axis] { break }
      index[axis] = 0
      axis -= 1
    }
  }
}
