/// ONNX's reductions along axes, softmax and its relatives, and cumulative sums.
extension ONNXOperator {
  /// `ReduceX(axes, keepdims)`: the axes from the attribute before opset 13 (`ReduceSum`) or 18
  /// (the others), from input 1 after; none means every axis unless `noop_with_empty_axes`.
  func reduced(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    let given = try axesList(n, input: 1, since: self == .ReduceSum ? 13 : 18) ?? []
    let noop = try n.int("noop_with_empty_axes", default: 0) == 1
    if given.isEmpty && noop { return x.expr }
    var axes = Set<Int>()
    for a in given { axes.insert(try n.axis(a, rank: rank)) }
    if given.isEmpty { axes = Set(0..<rank) }
    let keptShape = x.shape.indices.map { axes.contains($0) ? 1 : x.shape[$0] }
    let droppedShape = x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] }
    let outShape = try n.int("keepdims", default: 1) == 1 ? keptShape : droppedShape
    let count = Double(axes.reduce(1) { $0 * x.shape[$1] })
    func total(_ e: Expr) -> Expr { e.sum(to: keptShape) }
    let result: Expr
    switch self {
    case .ReduceSum: result = total(x.expr)
    case .ReduceMean: result = total(x.expr) / Swift.max(count, 1)
    case .ReduceMax: result = maximum(x.expr, over: axes, keptShape)
    case .ReduceMin: result = -maximum(-x.expr, over: axes, keptShape)
    case .ReduceL1: result = total(abs(x.expr))
    case .ReduceL2: result = sqrt(total(x.expr * x.expr))
    case .ReduceSumSquare: result = total(x.expr * x.expr)
    case .ReduceLogSum: result = ln(total(x.expr))
    default:
      let m = maximum(x.expr, over: axes, keptShape)
      result = m + ln(total(exp(x.expr - m.broadcast(to: x.shape))))
    }
    return reshape(result, outShape)
  }

  /// The largest element over `axes`, with those axes kept as 1.
  private func maximum(_ x: Expr, over axes: Set<Int>, _ keptShape: Shape) -> Expr {
    var result = x
    for axis in axes.sorted(by: >) { result = amax(result, axis: axis) }
    return reshape(result, keptShape)
  }

  /// `Softmax`, `LogSoftmax`: along `axis` (−1 by default) from opset 13; before it, over the
  /// input flattened to a matrix at `axis` (1 by default), as those opsets define them.
  func softmaxFamily(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    let log = self == .LogSoftmax
    if n.opset >= 13 {
      let axis = try n.axis(try n.int("axis", default: -1), rank: rank)
      return log ? logsoftmax(x.expr, axis: axis) : softmax(x.expr, axis: axis)
    }
    let axis = try n.axis(try n.int("axis", default: 1), rank: rank)
    let matrix = reshape(x.expr, [x.shape[..<axis].reduce(1, *), x.shape[axis...].reduce(1, *)])
    return reshape(log ? logsoftmax(matrix, axis: 1) : softmax(matrix, axis: 1), x.shape)
  }

  /// `ArgMax`, `ArgMin` of known values (an index is not differentiable, and CompGraph has no op
  /// for it).
  func argExtremum(_ n: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    let x = try n.known(0, "data")
    let axis = try n.axis(try n.int("axis", default: 0), rank: x.shape.count)
    let last = try n.int("select_last_index", default: 0) == 1
    let strides = Tensor.strides(of: x.shape)
    var kept = x.shape
    kept[axis] = 1
    let count = kept.elementCount
    var result: [Double] = []
    for k in 0..<count {
      var offset = 0, rest = k
      for a in kept.indices.reversed() {
        offset += (rest % kept[a]) * strides[a]
        rest /= kept[a]
      }
      var best = 0
      for i in 0..<x.shape[axis] {
        let v = x.scalars[offset + i * strides[axis]], b = x.scalars[offset + best * strides[axis]]
        let better = self == .ArgMax ? v > b : v < b
        if better || (last && v == b) { best = i }
      }
      result.append(Double(best))
    }
    let keep = try n.int("keepdims", default: 1) == 1
    var shape = kept
    if !keep { shape.remove(at: axis) }
    return n.knownValue(Tensor(shape: shape, scalars: result), .int64)
  }

  /// `CumSum(axis)` (`exclusive`, `reverse`): a product with a triangular matrix of ones.
  func cumulativeSum(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    guard let axisValue = try n.knownInts(1, "axis")?.first else {
      throw n.invalid("it has no axis")
    }
    let axis = try n.axis(axisValue, rank: x.shape.count)
    let exclusive = try n.int("exclusive", default: 0) == 1,
      reverse = try n.int("reverse", default: 0) == 1
    let m = x.shape[axis]
    var matrix = [Double](repeating: 0, count: m * m)
    for i in 0..<m {
      for j in 0..<m {
        let includes = reverse ? (exclusive ? j > i : j >= i) : (exclusive ? j < i : j <= i)
        if includes { matrix[i * m + j] = 1 }
      }
    }
    let triangle = n.builder.constant(
      Tensor(shape: [m, m], scalars: matrix, dtype: x.expr.dtype ?? .f64))
    let letters = Array("abcdefghijklmnopqrstuvwxy").prefix(x.shape.count).map(String.init)
    var output = letters
    output[axis] = "z"
    return einsum(
      letters.joined() + ",z" + letters[axis] + "->" + output.joined(), x.expr, triangle)
  }
}
