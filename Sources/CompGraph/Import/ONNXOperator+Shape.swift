/// ONNX's value, type and layout ops: constants, casts, reshapes and the ops that pick, pad and
/// repeat elements, written with `reshape`, `slice`, `pad`, `broadcastTo` and, where elements
/// move in another order, an einsum with a 0/1 selection matrix (exact, and its gradient is the
/// same selection transposed).
extension ONNXOperator {
  /// `Dropout` at inference: the input, and a mask of ones when the node asks for one.
  func dropout(_ n: ONNXNode) throws(ONNXImportError) -> [ONNXTensor] {
    if let training = n.optionalInput(2) {
      guard let known = training.known, known.scalars.allSatisfy({ $0 == 0 }) else {
        throw n.refuse(
          "Dropout in training mode draws random masks; the importer reads inference graphs")
      }
    }
    if n.opset < 7, try n.int("is_test", default: 0) == 0, n.node.outputs.count > 1 {
      throw n.refuse(
        "Dropout with is_test 0 draws random masks; the importer reads inference graphs")
    }
    let x = try n.input(0)
    let mask = n.value(x.expr.constant(1).broadcast(to: x.shape), .bool)
    return [x, mask]
  }

  /// `Cast(to)` and `CastLike`: between real types a conversion, to bool a test for ≠ 0; to an
  /// integer type from a real one a rounding toward zero, which only known values can take.
  func castValue(_ n: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    let x = try n.input(0)
    let raw = self == .CastLike ? (try n.input(1)).elementType.rawValue : try n.int("to") ?? -1
    guard let target = ONNXElementType(rawValue: raw) else {
      throw n.refuse(
        "it casts to \(ONNXElementType.describe(raw)), which the importer does not read")
    }
    if target.isReal {
      return n.value(cast(x.expr, target.dtype), target)
    }
    if target == .bool { return n.value(1 - equal(x.expr, x.expr.constant(0)), target) }
    if !x.elementType.isReal { return n.value(x.expr, target) }
    guard let known = x.known else {
      throw n.refuse(
        "it casts a computed real tensor to \(target.name), a rounding CompGraph has no op for")
    }
    let values = known.scalars.map { target == .bool ? ($0 != 0 ? 1 : 0) : $0.rounded(.towardZero) }
    return n.knownValue(Tensor(shape: known.shape, scalars: values), target)
  }

  /// `Constant`: its `value` tensor, or `value_float(s)`/`value_int(s)`.
  func constant(_ n: inout ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    if let proto = try n.tensorAttribute("value") {
      let value = try proto.value("\(n.description)'s value", maxBytes: n.bytesLeft)
      n.bytesLeft -= value.tensor.scalars.count * 8
      return n.knownValue(value.tensor, value.elementType)
    }
    if n.has("value_float") {
      return n.knownValue(Tensor(try n.float("value_float", default: 0)).rounded(to: .f32), .float)
    }
    if let floats = try n.floats("value_floats") {
      return n.knownValue(Tensor(shape: [floats.count], scalars: floats, dtype: .f32), .float)
    }
    if let i = try n.int("value_int") { return n.knownValue(Tensor(Double(i)), .int64) }
    if let ints = try n.ints("value_ints") {
      return n.knownValue(Tensor(shape: [ints.count], scalars: ints.map(Double.init)), .int64)
    }
    throw n.refuse(
      "its value is \(n.node.attributes.map(\.name).joined(separator: ", ")); the importer reads "
        + "value, value_float(s) and value_int(s)")
  }

  /// `ConstantOfShape`: the `value` (one element; 0.0 as float32 by default) repeated to the
  /// known shape, as a broadcast, so the tensor is not held by the graph.
  func constantOfShape(_ n: inout ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    let shape = try n.knownInts(0, "shape") ?? []
    guard shape.allSatisfy({ $0 >= 0 }), let count = shape.checkedElementCount else {
      throw n.invalid("its shape \(shape) is not one a tensor has")
    }
    var fill = ONNXValue(tensor: Tensor(0).rounded(to: .f32), elementType: .float)
    if let proto = try n.tensorAttribute("value") {
      fill = try proto.value("\(n.description)'s value", maxBytes: n.bytesLeft)
      guard fill.tensor.scalars.count == 1 else {
        throw n.invalid("its value has \(fill.tensor.scalars.count) elements, not one")
      }
    }
    let scalar = Tensor(shape: [], scalars: fill.tensor.scalars, dtype: fill.tensor.dtype)
    if count <= ONNXImporter.foldLimit {
      return n.knownValue(
        Tensor(
          shape: shape, scalars: Array(repeating: scalar.scalars[0], count: count),
          dtype: scalar.dtype),
        fill.elementType)
    }
    return n.value(n.builder.constant(scalar).broadcast(to: shape), fill.elementType)
  }

  /// `Shape` (with `start`/`end` from opset 15): known from the static shape.
  func shapeOf(_ n: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    let shape = try n.input(0).shape
    let rank = shape.count
    func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + rank : i, 0), rank) }
    let start = clamp(try n.int("start", default: 0)), end = clamp(try n.int("end", default: rank))
    let dims = start < end ? Array(shape[start..<end]) : []
    return n.knownValue(Tensor(shape: [dims.count], scalars: dims.map(Double.init)), .int64)
  }

  /// `Range(start, limit, delta)` of known scalars.
  func range(_ n: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    let start = try n.known(0, "start"), limit = try n.known(1, "limit"),
      delta = try n.known(2, "delta")
    guard let s = start.scalar, let l = limit.scalar, let d = delta.scalar, d != 0 else {
      throw n.invalid("its start, limit and delta must be scalars, delta not 0")
    }
    let count = Swift.max(0, Int(((l - s) / d).rounded(.up)))
    guard count <= n.bytesLeft / 8 else { throw n.invalid("its \(count) elements are too many") }
    let values = (0..<count).map { s + Double($0) * d }
    return n.knownValue(
      Tensor(shape: [count], scalars: values, dtype: start.dtype), try n.input(0).elementType)
  }

  /// `Reshape` to a known shape (an attribute before opset 5): 0 copies the input's extent
  /// (unless `allowzero`), −1 is inferred.
  func reshaped(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    var requested = try n.knownInts(1, "shape")
    if requested == nil { requested = try n.ints("shape") }
    guard let requested else { throw n.invalid("it has no shape") }
    let allowZero = try n.int("allowzero", default: 0) == 1
    var shape: Shape = []
    var inferred: Int?
    for (i, d) in requested.enumerated() {
      switch d {
      case 0 where !allowZero:
        guard i < x.shape.count else {
          throw n.invalid("its shape \(requested) copies axis \(i), which the input lacks")
        }
        shape.append(x.shape[i])
      case -1 where inferred == nil:
        inferred = i
        shape.append(1)
      case let d where d >= 0: shape.append(d)
      default: throw n.invalid("its shape \(requested) is not one a tensor has")
      }
    }
    if let inferred {
      let known = shape.reduce(1, *)
      guard known > 0, x.shape.elementCount % known == 0 else {
        throw n.invalid("cannot reshape \(x.shape.shapeDescription) to \(requested)")
      }
      shape[inferred] = x.shape.elementCount / known
    }
    return reshape(x.expr, shape)
  }

  /// `Flatten(axis)`: the axes before `axis` and from it as the two axes of a matrix.
  func flatten(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let axisAttribute = try n.int("axis", default: 1)
    let axis =
      axisAttribute == x.shape.count
      ? axisAttribute : try n.axis(axisAttribute, rank: x.shape.count)
    let outer = x.shape[..<axis].reduce(1, *)
    return reshape(x.expr, [outer, x.shape[axis...].reduce(1, *)])
  }

  /// The axes of an op that takes them as an attribute before `opset` and as input `i` from it.
  func axesList(_ n: ONNXNode, input i: Int, since opset: Int) throws(ONNXImportError) -> [Int]? {
    n.opset >= opset ? try n.knownInts(i, "axes") : try n.ints("axes")
  }

  /// `Squeeze`: the given axes of extent 1 removed (every one when none is given).
  func squeeze(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    let axes: [Int]
    if let given = try axesList(n, input: 1, since: 13) {
      var normalizedAxes: [Int] = []
      for a in given { normalizedAxes.append(try n.axis(a, rank: rank)) }
      axes = normalizedAxes
      if let bad = axes.first(where: { x.shape[$0] != 1 }) {
        throw n.invalid("it squeezes axis \(bad), of extent \(x.shape[bad]), not 1")
      }
    } else {
      axes = x.shape.indices.filter { x.shape[$0] == 1 }
    }
    return reshape(x.expr, x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] })
  }

  /// `Unsqueeze`: axes of extent 1 inserted at the given places of the result.
  func unsqueeze(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    guard let given = try axesList(n, input: 1, since: 13) else {
      throw n.invalid("it has no axes")
    }
    let rank = x.shape.count + given.count
    var axes = Set<Int>()
    for a in given { axes.insert(try n.axis(a, rank: rank)) }
    guard axes.count == given.count else { throw n.invalid("its axes \(given) repeat an axis") }
    var rest = x.shape.makeIterator()
    let shape = (0..<rank).map { axes.contains($0) ? 1 : rest.next() ?? 1 }
    return reshape(x.expr, shape)
  }

  /// `Transpose(perm)` (the axes reversed by default), as an einsum.
  func transposed(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    let perm = try n.ints("perm") ?? Array((0..<rank).reversed())
    guard perm.sorted() == Array(0..<rank) else {
      throw n.invalid("its perm \(perm) is not a permutation of the \(rank) axes")
    }
    return permuted(x.expr, perm)
  }

  /// `Concat(axis)`.
  func concatenated(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    var parts: [Expr] = []
    for i in n.inputs.indices { parts.append(try n.expr(i)) }
    guard let first = parts.first?.shape else { throw n.invalid("Concat needs an input") }
    let axis = try n.axis(try n.int("axis") ?? 1, rank: first.count)
    let nonEmpty = parts.filter { ($0.shape?[axis] ?? 1) > 0 }
    if nonEmpty.count == 1 { return nonEmpty[0] }
    return concat(nonEmpty.isEmpty ? parts : nonEmpty, axis: axis)
  }

  /// `Split(axis)`: sizes from the `split` attribute (before opset 13) or input, else
  /// `num_outputs` (opset 18) or the number of outputs, in equal parts (the last smaller).
  func split(_ n: ONNXNode) throws(ONNXImportError) -> [ONNXTensor] {
    let x = try n.input(0)
    let axis = try n.axis(try n.int("axis", default: 0), rank: x.shape.count)
    let extent = x.shape[axis]
    var sizes = n.opset >= 13 ? try n.knownInts(1, "split") : try n.ints("split")
    if sizes == nil {
      let parts = try n.int("num_outputs") ?? n.node.outputs.count
      guard parts > 0 else { throw n.invalid("it splits into no parts") }
      let size = (extent + parts - 1) / parts
      sizes = (0..<parts).map { Swift.max(0, Swift.min(size, extent - $0 * size)) }
    }
    guard let sizes, sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == extent else {
      throw n.invalid("its split sizes do not add up to the axis's extent \(extent)")
    }
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return n.value(slice(x.expr, axis: axis, start: start, end: start + size))
    }
  }

  /// `Slice`: starts, ends, axes and steps (attributes before opset 10, inputs from it), clamped
  /// as the spec says; a step other than 1 picks elements with a selection matrix.
  func sliced(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    let starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
    if n.opset < 10 {
      starts = try n.ints("starts") ?? []
      ends = try n.ints("ends") ?? []
      axes = try n.ints("axes")
      steps = nil
    } else {
      starts = try n.knownInts(1, "starts") ?? []
      ends = try n.knownInts(2, "ends") ?? []
      axes = try n.knownInts(3, "axes")
      steps = try n.knownInts(4, "steps")
    }
    guard starts.count == ends.count else {
      throw n.invalid("its starts and ends differ in length")
    }
    var result = x.expr
    for k in starts.indices {
      let axis = try n.axis(axes.map { $0[k] } ?? k, rank: rank)
      let step = steps.map { $0[k] } ?? 1
      guard step != 0 else { throw n.invalid("its step along axis \(axis) is 0") }
      let dim = x.shape[axis]
      func clamped(_ i: Int, _ low: Int, _ high: Int) -> Int {
        Swift.min(Swift.max(i < 0 ? i + dim : i, low), high)
      }
      if step > 0 {
        let s = clamped(starts[k], 0, dim), e = clamped(ends[k], 0, dim)
        if step == 1 {
          result = slice(result, axis: axis, start: s, end: Swift.max(s, e))
        } else {
          result = pick(result, axis: axis, Array(stride(from: s, to: e, by: step)))
        }
      } else {
        let s = clamped(starts[k], -1, dim - 1), e = clamped(ends[k], -1, dim - 1)
        result = pick(result, axis: axis, Array(stride(from: s, to: e, by: step)))
      }
    }
    return result
  }

  /// `Gather(axis)`: known indices pick with a selection matrix; computed ones (along axis 0 or
  /// any other) through one-hot rows, as `gather` does.
  func gathered(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let data = try n.input(0)
    let indices = try n.input(1)
    let rank = data.shape.count
    let axis = try n.axis(try n.int("axis", default: 0), rank: rank)
    let extent = data.shape[axis]
    let outer = Array(data.shape[..<axis]), inner = Array(data.shape[(axis + 1)...])
    if let known = indices.known {
      var picked: [Int] = []
      for i in try n.integers(known.scalars, "indices") {
        let j = i < 0 ? i + extent : i
        guard 0 <= j, j < extent else { throw n.invalid("its index \(i) is outside 0..<\(extent)") }
        picked.append(j)
      }
      return reshape(pick(data.expr, axis: axis, picked), outer + known.shape + inner)
    }
    let wrapped = indices.expr + less(indices.expr, indices.expr.constant(0)) * Double(extent)
    var hot = oneHot(wrapped, extent)
    if let dtype = data.expr.dtype, dtype == .f32 { hot = cast(hot, .f32) }
    let letters = Array("abcdefghijklmnopqrstuvwxy")
    let indexRank = indices.shape.count
    guard rank + indexRank <= letters.count else {
      throw n.refuse("its tensors have too many axes")
    }
    let dataLetters = letters[0..<rank].map(String.init)
    let indexLetters = letters[rank..<(rank + indexRank)].map(String.init)
    let spec =
      dataLetters.joined() + "," + indexLetters.joined() + dataLetters[axis] + "->"
      + (dataLetters[..<axis] + indexLetters + dataLetters[(axis + 1)...]).joined()
    return einsum(spec, data.expr, hot)
  }

  /// `Pad`: constant (any value), `reflect` and `edge` modes; a negative pad crops.
  func padded(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    let mode = try n.string("mode", default: "constant")
    var pads: [Int]
    var value = 0.0
    var axes = Array(0..<rank)
    if n.opset < 11 {
      pads = try n.ints("pads") ?? []
      if pads.isEmpty { pads = try n.ints("paddings") ?? [] }
      value = try n.float("value", default: 0)
    } else {
      pads = try n.knownInts(1, "pads") ?? []
      if let v = n.optionalInput(2) {
        guard let scalar = (try n.known(2, "constant_value")).scalars.first else {
          throw n.invalid("its constant_value is empty")
        }
        _ = v
        value = scalar
      }
      if let given = try n.knownInts(3, "axes") {
        axes = []
        for a in given { axes.append(try n.axis(a, rank: rank)) }
      }
    }
    guard pads.count == 2 * axes.count else {
      throw n.invalid("its \(pads.count) pads are not two per axis (\(axes.count) axes)")
    }
    var result = x.expr
    var ones: Expr? =
      value != 0 && mode == "constant" ? x.expr.constant(1).broadcast(to: x.shape) : nil
    for (k, axis) in axes.enumerated() {
      var before = pads[k], after = pads[k + axes.count]
      let dim = result.shape?[axis] ?? 0
      if before < 0 || after < 0 {
        let start = Swift.max(0, -before), end = dim - Swift.max(0, -after)
        guard start <= end else { throw n.invalid("its pads crop away axis \(axis)") }
        result = slice(result, axis: axis, start: start, end: end)
        ones = ones.map { slice($0, axis: axis, start: start, end: end) }
        before = Swift.max(0, before)
        after = Swift.max(0, after)
      }
      if before == 0 && after == 0 { continue }
      let n0 = result.shape?[axis] ?? 0
      switch mode {
      case "constant":
        result = pad(result, axis: axis, before: before, after: after)
        ones = ones.map { pad($0, axis: axis, before: before, after: after) }
      case "edge":
        guard n0 > 0 else { throw n.invalid("it pads an empty axis by its edge") }
        let picked =
          Array(repeating: 0, count: before) + Array(0..<n0)
          + Array(repeating: n0 - 1, count: after)
        result = pick(result, axis: axis, picked)
      case "reflect":
        guard before < n0, after < n0 else {
          throw n.invalid(
            "its reflect pads \(before), \(after) reach past the axis's \(n0) elements")
        }
        let head = (0..<before).map { before - $0 }
        let tail = (0..<after).map { n0 - 2 - $0 }
        result = pick(result, axis: axis, head + Array(0..<n0) + tail)
      case let other:
        throw n.refuse(
          "its mode '\(other)' is not read; the importer reads constant, reflect and edge")
      }
    }
    if let ones { result = result + value * (1 - ones) }
    return result
  }

  /// `Tile`: each axis repeated, as a broadcast of the tensor with an axis of the repeats before
  /// each of its own.
  func tiled(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    guard let repeats = try n.knownInts(1, "repeats"), repeats.count == x.shape.count,
      repeats.allSatisfy({ $0 >= 0 })
    else { throw n.invalid("its repeats are not one non-negative count per axis") }
    let spread = x.shape.flatMap { [1, $0] }
    let stretched = zip(repeats, x.shape).flatMap { [$0, $1] }
    let result = zip(repeats, x.shape).map { $0 * $1 }
    return reshape(reshape(x.expr, spread).broadcast(to: stretched), result)
  }

  /// `Expand`: broadcast both ways with the known shape.
  func expanded(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let shape = try n.knownInts(1, "shape") ?? []
    guard let target = broadcastShapes(x.shape, shape) else {
      throw n.invalid(
        "its input of shape \(x.shape.shapeDescription) does not broadcast with \(shape)")
    }
    return x.expr.broadcast(to: target)
  }

  /// `DepthToSpace` (DCR or CRD) and `SpaceToDepth`, as reshapes around a transpose.
  func depthToSpace(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let b = try n.int("blocksize") ?? 0
    guard x.shape.count == 4, b > 0 else {
      throw n.invalid("it needs a rank-4 input and a positive blocksize")
    }
    let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    if self == .SpaceToDepth {
      guard H % b == 0, W % b == 0 else {
        throw n.invalid("its height and width are not multiples of \(b)")
      }
      let t = reshape(x.expr, [N, C, H / b, b, W / b, b])
      return reshape(permuted(t, [0, 3, 5, 1, 2, 4]), [N, C * b * b, H / b, W / b])
    }
    guard C % (b * b) == 0 else { throw n.invalid("its channels are not a multiple of \(b * b)") }
    if try n.string("mode", default: "DCR") == "CRD" {
      let t = reshape(x.expr, [N, C / (b * b), b, b, H, W])
      return reshape(permuted(t, [0, 1, 4, 2, 5, 3]), [N, C / (b * b), H * b, W * b])
    }
    let t = reshape(x.expr, [N, b, b, C / (b * b), H, W])
    return reshape(permuted(t, [0, 3, 4, 1, 5, 2]), [N, C / (b * b), H * b, W * b])
  }
}

/// `x` with its axes in the order `perm` (result axis k is `x`'s axis `perm[k]`), as an einsum.
func permuted(_ x: Expr, _ perm: [Int]) -> Expr {
  if perm == Array(perm.indices) { return x }
  let letters = Array("abcdefghijklmnopqrstuvwxyz").prefix(perm.count).map(String.init)
  return einsum(letters.joined() + "->" + perm.map { letters[$0] }.joined(), x)
}

/// The elements at `indices` along `axis`, in that order: a slice when they are consecutive,
/// else an einsum with the 0/1 matrix whose row k picks element `indices[k]`.
func pick(_ x: Expr, axis: Int, _ indices: [Int]) -> Expr {
  guard let shape = x.shape else { return x }
  if let first = indices.first, indices == Array(first..<(first + indices.count)) {
    if first == 0 && indices.count == shape[axis] { return x }
    return slice(x, axis: axis, start: first, end: first + indices.count)
  }
  let n = shape[axis]
  var matrix = [Double](repeating: 0, count: indices.count * n)
  for (k, i) in indices.enumerated() { matrix[k * n + i] = 1 }
  let selection = x.builder.constant(
    Tensor(shape: [indices.count, n], scalars: matrix, dtype: x.dtype ?? .f64))
  let letters = Array("abcdefghijklmnopqrstuvwxy").prefix(shape.count).map(String.init)
  var output = letters
  output[axis] = "z"
  return einsum(letters.joined() + ",z" + letters[axis] + "->" + output.joined(), x, selection)
}
