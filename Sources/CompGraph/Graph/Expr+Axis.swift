/// Reductions, reshapes, slices and the library functions built on them.
/// An `axis` may count from the end (−1 is the last); a bad axis or shape
/// gives a failed handle naming the op and the shapes.

/// The same elements, row-major, with another shape of the same size.
public func reshape(_ x: Expr, _ shape: Shape) -> Expr { Expr.apply(.reshape(shape), [x]) }

/// Σ along `axis`, which the result drops.
public func sum(_ x: Expr, axis: Int) -> Expr {
  along(x, axis, "sum") { x, axis, shape in
    var kept = shape
    kept[axis] = 1
    var dropped = shape
    dropped.remove(at: axis)
    return reshape(x.sum(to: kept), dropped)
  }
}

/// The mean along `axis`, which the result drops.
public func mean(_ x: Expr, axis: Int) -> Expr {
  along(x, axis, "mean") { x, axis, shape in sum(x, axis: axis) / Double(Swift.max(1, shape[axis]))
  }
}

/// The largest element along `axis` (the last by default, as for
/// `logsumexp` and `softmax`), which the result drops (NumPy's `amax`).
/// Tied maxima share the gradient equally.
public func amax(_ x: Expr, axis: Int = -1) -> Expr {
  along(x, axis, "amax") { x, axis, _ in Expr.apply(.reduceMax(axis: axis), [x]) }
}

/// Elements `start..<end` along `axis`.
public func slice(_ x: Expr, axis: Int, start: Int, end: Int) -> Expr {
  along(x, axis, "slice") { x, axis, _ in
    Expr.apply(.slice(axis: axis, start: start, end: end), [x])
  }
}

/// Element `i` along `axis`, which the result drops: a time step of a
/// sequence (`index(X, axis: 0, t)`), a column (`index(A, axis: 1, j)`).
public func index(_ x: Expr, axis: Int, _ i: Int) -> Expr {
  along(x, axis, "index") { x, axis, shape in
    var dropped = shape
    dropped.remove(at: axis)
    return reshape(slice(x, axis: axis, start: i, end: i + 1), dropped)
  }
}

/// `before` zeros, the elements, `after` zeros along `axis`.
public func pad(_ x: Expr, axis: Int, before: Int, after: Int) -> Expr {
  along(x, axis, "pad") { x, axis, _ in
    Expr.apply(.pad(axis: axis, before: before, after: after), [x])
  }
}

/// The tensors end to end along `axis` (their other extents must agree):
/// the sum of each one padded to its place.
public func concat(_ xs: [Expr], axis: Int) -> Expr {
  precondition(!xs.isEmpty, "concat needs at least one tensor")
  let extents = xs.map { x in
    x.shape.flatMap { shape in normalized(axis, rank: shape.count).map { shape[$0] } } ?? 0
  }
  let total = extents.reduce(0, +)
  var before = 0
  var parts: [Expr] = []
  for (x, n) in zip(xs, extents) {
    parts.append(pad(x, axis: axis, before: before, after: total - before - n))
    before += n
  }
  return sum(parts)
}

/// One-hot rows of `n` for integer class indices: shape s ↦ s + [n].
public func oneHot(_ indices: Expr, _ n: Int) -> Expr { Expr.apply(.oneHot(n), [indices]) }

/// Rows of `table` (shape [rows, …]) picked by integer `indices` (shape s):
/// shape s + the row's shape.  A one-hot contraction, so the gradient flows
/// to the rows picked.
public func gather(_ table: Expr, _ indices: Expr) -> Expr {
  guard let shape = table.shape, let rows = shape.first, let picked = indices.shape else {
    return table.shape == nil ? table : indices
  }
  let row = Array(shape.dropFirst())
  let flat = reshape(table, [rows, row.reduce(1, *)])
  return reshape(einsum("...i,ij->...j", oneHot(indices, rows), flat), picked + row)
}

/// ln Σ exp along `axis`, shifted by the maximum so that it never overflows:
/// m + ln Σ e^(x − m).
public func logsumexp(_ x: Expr, axis: Int = -1) -> Expr {
  along(x, axis, "logsumexp") { x, axis, shape in
    let m = amax(x, axis: axis)
    return m + ln(sum(exp(x - kept(m, axis, shape)), axis: axis))
  }
}

/// e^(x − m) / Σ e^(x − m) along `axis` (m the maximum): each slice sums to 1.
public func softmax(_ x: Expr, axis: Int = -1) -> Expr {
  along(x, axis, "softmax") { x, axis, shape in
    let e = exp(x - kept(amax(x, axis: axis), axis, shape))
    return e / kept(sum(e, axis: axis), axis, shape)
  }
}

/// x − logsumexp(x) along `axis`: the log of `softmax`, without its underflow.
public func logsoftmax(_ x: Expr, axis: Int = -1) -> Expr {
  along(x, axis, "logsoftmax") { x, axis, shape in
    x - kept(logsumexp(x, axis: axis), axis, shape)
  }
}

/// The mean over examples of −ln softmax(logits)[label]: `logits` has the
/// classes on its last axis, `labels` the integer class of each example
/// (shape: `logits` without its last axis).
public func crossEntropy(_ logits: Expr, _ labels: Expr) -> Expr {
  along(logits, -1, "cross_entropy") { logits, axis, shape in
    let picked = sum(logits * oneHot(labels, shape[axis]), axis: axis)
    return (logsumexp(logits, axis: axis) - picked).mean()
  }
}

/// `axis` counted from the front: −1 is the last of `rank`; `nil` if out of range.
func normalized(_ axis: Int, rank: Int) -> Int? {
  let a = axis < 0 ? axis + rank : axis
  return 0 <= a && a < rank ? a : nil
}

/// Calls `body` with the axis counted from the front and the shape, or
/// returns a failed handle naming `name` when `x` has no such axis.
private func along(_ x: Expr, _ axis: Int, _ name: String, _ body: (Expr, Int, Shape) -> Expr)
  -> Expr
{
  guard let shape = x.shape else { return x }
  guard let a = normalized(axis, rank: shape.count) else {
    return Expr(
      x.builder,
      .failure(
        .shapeMismatch(
          op: name, shapes: [shape],
          reason: "do not have an axis \(axis) (axes count from 0; -1 is the last)")))
  }
  return body(x, a, shape)
}

/// A reduction along `axis` broadcast back to `shape` (the axis kept as 1 first).
private func kept(_ reduced: Expr, _ axis: Int, _ shape: Shape) -> Expr {
  var one = shape
  one[axis] = 1
  return reshape(reduced, one).broadcast(to: shape)
}
