import Foundation

/// ONNX's normalizations and the pools over whole axes, written with sums, means and powers.
/// Channels are axis 1 (NCHW); per-channel parameters are reshaped to C×1×…×1 to broadcast.
extension ONNXOperator {
  /// A per-channel vector shaped to broadcast along axis 1 of a rank-`rank` tensor.
  private func channelwise(_ v: Expr, rank: Int) -> Expr {
    guard let s = v.shape, s.count == 1, rank >= 2 else { return v }
    return reshape(v, s + Array(repeating: 1, count: rank - 2))
  }

  /// `BatchNormalization`: y = scale·(x − μ)/√(σ² + ε) + B with the running μ, σ² (inference);
  /// with `training_mode` (opset 14) μ, σ² are the batch's, over every axis but 1, and the
  /// running statistics outputs are refused.
  func batchNormalization(_ n: ONNXNode) throws(ONNXImportError) -> [ONNXTensor] {
    let x = try n.input(0)
    let rank = x.shape.count
    let epsilon = try n.float("epsilon", default: 1e-5)
    let scale = channelwise(try n.expr(1), rank: rank),
      bias = channelwise(try n.expr(2), rank: rank)
    let training = try n.int("training_mode", default: 0) == 1
    let extra = n.node.outputs.dropFirst().contains { !$0.isEmpty }
    let isTest = try n.int("is_test", default: 0) == 1
    if extra && (training || (n.opset < 7 && !isTest)) {
      throw n.refuse(
        "it outputs running statistics (training mode); the importer reads inference graphs")
    }
    var mean = channelwise(try n.expr(3), rank: rank),
      variance = channelwise(try n.expr(4), rank: rank)
    if training {
      let kept = x.shape.indices.map { $0 == 1 ? x.shape[1] : 1 }
      let count = Double(x.shape.elementCount / Swift.max(1, x.shape[1]))
      mean = x.expr.sum(to: kept) / count
      let centred = x.expr - mean
      variance = (centred * centred).sum(to: kept) / count
    }
    let y = scale * (x.expr - mean) * pow(variance + epsilon, -0.5) + bias
    return [n.value(y)]
  }

  /// `InstanceNormalization`: each (n, c) slice normalized by its own mean and variance, then
  /// scale·x̂ + B.
  func instanceNormalization(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let rank = x.shape.count
    guard rank >= 3 else { throw n.invalid("it needs an input of rank 3 or more") }
    let epsilon = try n.float("epsilon", default: 1e-5)
    let kept = Array(x.shape.prefix(2)) + Array(repeating: 1, count: rank - 2)
    let normalized = standardized(x.expr, kept: kept, epsilon: epsilon, shape: x.shape)
    return channelwise(try n.expr(1), rank: rank) * normalized
      + channelwise(try n.expr(2), rank: rank)
  }

  /// (x − mean)/√(var + ε), the statistics over the axes `kept` holds as 1.
  private func standardized(_ x: Expr, kept: Shape, epsilon: Double, shape: Shape) -> Expr {
    let count = Double(shape.elementCount / Swift.max(1, kept.elementCount))
    let centred = x - (x.sum(to: kept) / count)
    return centred * pow((centred * centred).sum(to: kept) / count + epsilon, -0.5)
  }

  /// `LayerNormalization(axis, epsilon)` (opset 17): standardized over the axes from `axis`, then
  /// scale·x̂ + B.
  func layerNormalization(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    guard n.node.outputs.dropFirst().allSatisfy(\.isEmpty) else {
      throw n.refuse("it outputs its mean and inverse deviation, which the importer does not read")
    }
    let axis = try n.axis(try n.int("axis", default: -1), rank: x.shape.count)
    let kept = x.shape.indices.map { $0 < axis ? x.shape[$0] : 1 }
    var y = standardized(
      x.expr, kept: kept, epsilon: try n.float("epsilon", default: 1e-5), shape: x.shape)
    y = y * (try n.expr(1))
    if let b = n.optionalInput(2) { y = y + b.expr }
    return y
  }

  /// `LRN(size, alpha, beta, bias)`: x / (bias + α/size · Σ x²)^β, the sum over the `size`
  /// channels around each (⌊(size−1)/2⌋ before, ⌈(size−1)/2⌉ after), as slices of the padded
  /// squares.
  func localResponseNormalization(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    guard x.shape.count >= 3 else { throw n.invalid("it needs an input of rank 3 or more") }
    guard let size = try n.int("size"), size > 0 else {
      throw n.invalid("its size must be positive")
    }
    let alpha = try n.float("alpha", default: 1e-4), beta = try n.float("beta", default: 0.75)
    let bias = try n.float("bias", default: 1)
    let channels = x.shape[1]
    let before = (size - 1) / 2, after = size - 1 - before
    let squares = pad(x.expr * x.expr, axis: 1, before: before, after: after)
    var windows: [Expr] = []
    for k in 0..<size { windows.append(slice(squares, axis: 1, start: k, end: k + channels)) }
    let total = sum(windows)
    return x.expr * pow(bias + (alpha / Double(size)) * total, -beta)
  }

  /// `GlobalAveragePool`, `GlobalMaxPool`: over every axis from 2, kept as 1.
  func globalPool(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    guard x.shape.count >= 2 else { throw n.invalid("it needs an input of rank 2 or more") }
    let kept = Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.shape.count - 2)
    if self == .GlobalAveragePool {
      return x.expr.sum(to: kept) / Double(Swift.max(1, x.shape.elementCount / kept.elementCount))
    }
    let flat = reshape(x.expr, Array(x.shape.prefix(2)) + [x.shape.dropFirst(2).reduce(1, *)])
    return reshape(amax(flat, axis: 2), kept)
  }

  /// `LpNormalization(axis, p)`: x / ‖x‖ₚ along the axis (p 1 or 2).
  func lpNormalization(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    let axis = try n.axis(try n.int("axis", default: -1), rank: x.shape.count)
    let p = try n.int("p", default: 2)
    var kept = x.shape
    kept[axis] = 1
    switch p {
    case 1: return x.expr / abs(x.expr).sum(to: kept)
    case 2: return x.expr * pow((x.expr * x.expr).sum(to: kept), -0.5)
    default: throw n.invalid("its p \(p) is not 1 or 2")
    }
  }

  /// `MeanVarianceNormalization(axes)` ([0, 2, 3] by default): standardized over the axes, ε 1e-9.
  func meanVarianceNormalization(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.input(0)
    var axes = Set<Int>()
    for a in try n.ints("axes") ?? [0, 2, 3] { axes.insert(try n.axis(a, rank: x.shape.count)) }
    let kept = x.shape.indices.map { axes.contains($0) ? 1 : x.shape[$0] }
    return standardized(x.expr, kept: kept, epsilon: 1e-9, shape: x.shape)
  }
}
