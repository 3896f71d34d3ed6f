/// Layout sugar with ONNX's meanings (`Transpose`, `Squeeze`, `Unsqueeze`, `Flatten`, `Split`,
/// `Tile`, `Expand`), each a few `reshape`, `einsum`, `broadcastTo` or `slice` nodes, so every
/// derivative is the ops' own. An axis may count from the end (−1 is the last); a bad axis,
/// permutation or extent gives a failed handle that names the function and the shape.

/// The axes permuted: axis i of the result is axis `permutation[i]` of `x` (`jnp.transpose(x,
/// permutation)`, ONNX `Transpose` with `perm`): one einsum, `"abc->cab"` for `[2, 0, 1]`.
public func transpose(_ x: Expr, _ permutation: [Int]) -> Expr {
  guard let shape = x.shape else { return x }
  guard permutation.sorted() == Array(shape.indices), shape.count <= axisLetters.count else {
    return layoutFailure(
      x, "transpose", shape,
      "cannot be permuted by \(permutation): give each axis 0..<\(shape.count) once "
        + "(at most \(axisLetters.count) axes)")
  }
  let letters = Array(axisLetters.prefix(shape.count))
  return einsum(String(letters) + "->" + String(permutation.map { letters[$0] }), x)
}

/// `x` without the axes `axes` of extent 1 (every axis of extent 1 when `axes` is `nil`), as
/// `jnp.squeeze` and ONNX `Squeeze`.
public func squeeze(_ x: Expr, axes: [Int]? = nil) -> Expr {
  guard let shape = x.shape else { return x }
  guard let dropped = distinctAxes(axes ?? shape.indices.filter { shape[$0] == 1 }, shape.count),
    dropped.allSatisfy({ shape[$0] == 1 })
  else {
    return layoutFailure(
      x, "squeeze", shape,
      "do not have distinct axes \(axes ?? []) of extent 1 to drop (axes count from 0; -1 is the last)"
    )
  }
  return reshape(x, shape.indices.filter { !dropped.contains($0) }.map { shape[$0] })
}

/// `x` with axes of extent 1 inserted at `axes`, positions in the result (so an axis counts
/// from the end of the result's rank), as ONNX `Unsqueeze` and `jnp.expand_dims`.
public func unsqueeze(_ x: Expr, axes: [Int]) -> Expr {
  guard let shape = x.shape else { return x }
  let rank = shape.count + axes.count
  guard let inserted = distinctAxes(axes, rank) else {
    return layoutFailure(
      x, "unsqueeze", shape,
      "cannot take new axes \(axes): give distinct positions in a result of rank \(rank)")
  }
  var rest = shape.makeIterator()
  return reshape(x, (0..<rank).map { inserted.contains($0) ? 1 : rest.next()! })
}

/// `x` as a matrix: the axes before `axis` flattened into rows, the rest into columns (ONNX
/// `Flatten`, whose `axis` is 1 by default and may be 0 or the rank: `[1, n]` and `[n, 1]`).
public func flatten(_ x: Expr, axis: Int = 1) -> Expr {
  guard let shape = x.shape else { return x }
  let a = axis < 0 ? axis + shape.count : axis
  guard 0 <= a && a <= shape.count else {
    return layoutFailure(
      x, "flatten", shape, "cannot be flattened at axis \(axis): give one in -rank...rank")
  }
  return reshape(x, [shape[..<a].reduce(1, *), shape[a...].reduce(1, *)])
}

/// `x` cut along `axis` into consecutive pieces of extents `sizes`, which must add up to the
/// axis's extent (ONNX `Split` with `split`).  A bad request gives one failed handle per size.
public func split(_ x: Expr, axis: Int = 0, sizes: [Int]) -> [Expr] {
  guard let shape = x.shape else { return sizes.map { _ in x } }
  guard let a = normalized(axis, rank: shape.count), sizes.allSatisfy({ $0 >= 0 }),
    sizes.reduce(0, +) == shape[a]
  else {
    let failure = layoutFailure(
      x, "split", shape,
      "cannot be split along axis \(axis) into sizes \(sizes): give sizes ≥ 0 that add up to the axis's extent"
    )
    return sizes.map { _ in failure }
  }
  var start = 0
  return sizes.map { size in
    defer { start += size }
    return slice(x, axis: a, start: start, end: start + size)
  }
}

/// `x` cut along `axis` into `parts` pieces of ⌈extent / parts⌉, the last one smaller when the
/// extent does not divide (ONNX `Split` with `num_outputs`, `jnp.array_split` when it divides).
public func split(_ x: Expr, axis: Int = 0, parts: Int) -> [Expr] {
  guard let shape = x.shape else { return Array(repeating: x, count: Swift.max(1, parts)) }
  guard let a = normalized(axis, rank: shape.count), parts >= 1 else {
    let failure = layoutFailure(
      x, "split", shape,
      "cannot be split along axis \(axis) into \(parts) parts: give an axis of the shape and parts ≥ 1"
    )
    return Array(repeating: failure, count: Swift.max(1, parts))
  }
  let chunk = (shape[a] + parts - 1) / parts
  return split(
    x, axis: a, sizes: (0..<parts).map { Swift.max(0, Swift.min(chunk, shape[a] - $0 * chunk)) })
}

/// `x` repeated `repeats[i]` times along each axis i (`jnp.tile`, ONNX `Tile`): a reshape that
/// gives each axis a leading axis of 1, a broadcast of those to the repeats, and a reshape back.
public func tile(_ x: Expr, repeats: [Int]) -> Expr {
  guard let shape = x.shape else { return x }
  guard repeats.count == shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
    return layoutFailure(
      x, "tile", shape, "cannot be tiled \(repeats) times: give one count ≥ 0 per axis")
  }
  let interleaved = zip(repeats, shape).flatMap { [$0, $1] }
  return reshape(
    reshape(x, shape.flatMap { [1, $0] }).broadcast(to: interleaved),
    zip(repeats, shape).map { $0 * $1 })
}

/// `x` broadcast with `shape` both ways (ONNX `Expand`): the result has the NumPy broadcast of
/// the two shapes, so an extent of 1 in `shape` keeps `x`'s extent.
public func expand(_ x: Expr, _ shape: Shape) -> Expr {
  guard let own = x.shape else { return x }
  guard let result = broadcastShapes(own, shape) else {
    return layoutFailure(
      x, "expand", own, "do not broadcast with \(shape.shapeDescription) (NumPy's rules)")
  }
  return result == own ? x : x.broadcast(to: result)
}

/// The letters einsum subscripts are written with, one per axis.
let axisLetters = Array("abcdefghijklmnopqrstuvwxyz")

/// `axes` counted from the front of `rank` axes, or `nil` when one is out of range or repeated.
private func distinctAxes(_ axes: [Int], _ rank: Int) -> Set<Int>? {
  let normal = axes.compactMap { normalized($0, rank: rank) }
  let set = Set(normal)
  return normal.count == axes.count && set.count == axes.count ? set : nil
}

private func layoutFailure(_ x: Expr, _ name: String, _ shape: Shape, _ reason: String) -> Expr {
  Expr(x.builder, .failure(.shapeMismatch(op: name, shapes: [shape], reason: reason)))
}
