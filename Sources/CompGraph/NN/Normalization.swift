import Foundation

// Normalization layers as library functions of the op set, with ONNX's meanings: the channels on
// axis 1 (N × C × D₁ × … × Dₖ, k ≥ 0), and each per-channel tensor (scale, bias, mean, variance)
// of shape [C]. The means are `sumTo` nodes over the axes reduced, so the gradient flows through
// every statistic computed from the input.

/// Batch normalization with given statistics (ONNX `BatchNormalization`, inference form;
/// ε = 1e-5 by default), per channel c:
///
///     y = scale_c · (x − mean_c) / √(variance_c + ε) + bias_c
public func batchNorm(
  _ x: Expr, scale: Expr, bias: Expr, mean: Expr, variance: Expr, epsilon: Double = 1e-5
) -> Expr {
  built(x) {
    let c = try Channels(x, "batch_norm", [scale, bias, mean, variance])
    let factor = c.broadcastable(scale * pow(variance + epsilon, -0.5))
    return (x - c.broadcastable(mean)) * factor + c.broadcastable(bias)
  }
}

/// Batch normalization with the batch's own statistics (the training form): the inference form
/// at `batchStatistics(x)`, so the gradient flows through the statistics too.
public func batchNorm(_ x: Expr, scale: Expr, bias: Expr, epsilon: Double = 1e-5) -> Expr {
  let (mean, variance) = batchStatistics(x)
  return batchNorm(x, scale: scale, bias: bias, mean: mean, variance: variance, epsilon: epsilon)
}

/// The mean and the population variance (divided by the count, as `np.var`) of each channel over
/// the batch and every spatial axis, each of shape [C]:
///
///     mean_c = Σ x[n, c, …] / m,  variance_c = Σ (x[n, c, …] − mean_c)² / m,  m = N·D₁⋯Dₖ
public func batchStatistics(_ x: Expr) -> (mean: Expr, variance: Expr) {
  do {
    let c = try Channels(x, "batch_statistics", [])
    let (mean, _, variance) = c.moments(x, keeping: c.channelAxis)
    return (reshape(mean, [c.count]), reshape(variance, [c.count]))
  } catch {
    let failed = failure(x, error)
    return (failed, failed)
  }
}

/// ONNX `BatchNormalization` with `training_mode = 1`: the output normalized with the batch's
/// statistics (`batchStatistics`), which are returned too (the `saved_mean` and `saved_var` of
/// opsets 9–13), and the running statistics moved towards them (opset 14's outputs):
///
///     running′ = momentum · running + (1 − momentum) · batch        (momentum = 0.9)
///
/// The batch's variance is the population variance, as ONNX's reference has it (PyTorch keeps
/// the unbiased one in its running variance).
public func batchNormTraining(
  _ x: Expr, scale: Expr, bias: Expr, runningMean: Expr, runningVariance: Expr,
  epsilon: Double = 1e-5, momentum: Double = 0.9
) -> (output: Expr, mean: Expr, variance: Expr, runningMean: Expr, runningVariance: Expr) {
  let (mean, variance) = batchStatistics(x)
  let output = built(x) {
    _ = try Channels(x, "batch_norm", [runningMean, runningVariance])
    return batchNorm(x, scale: scale, bias: bias, mean: mean, variance: variance, epsilon: epsilon)
  }
  return (
    output, mean, variance,
    momentum * runningMean + (1 - momentum) * mean,
    momentum * runningVariance + (1 - momentum) * variance
  )
}

/// Instance normalization (Ulyanov et al. 2016; ONNX `InstanceNormalization`, ε = 1e-5): each
/// example's channel normalized over its own spatial axes, then scaled and shifted per channel,
///
///     y = scale_c · (x − μ_nc) / √(σ²_nc + ε) + bias_c,   μ_nc and σ²_nc over D₁ × … × Dₖ
public func instanceNorm(_ x: Expr, scale: Expr, bias: Expr, epsilon: Double = 1e-5) -> Expr {
  built(x) {
    let c = try Channels(x, "instance_norm", [scale, bias])
    let (_, centered, variance) = c.moments(x, keeping: c.instanceAxes)
    return centered * pow(variance + epsilon, -0.5) * c.broadcastable(scale)
      + c.broadcastable(bias)
  }
}

/// Local response normalization across channels (Krizhevsky et al. 2012; ONNX `LRN`, α = 1e-4,
/// β = 0.75 and bias = 1 by default), over a window of `size` channels around c:
///
///     y[n, c, …] = x[n, c, …] / (bias + α/size · Σᵢ x[n, i, …]²)^β,
///     i from max(0, c − ⌊(size − 1)/2⌋) to min(C − 1, c + ⌈(size − 1)/2⌉)
///
/// The window's sum is one contraction with a constant C × C band of ones.
public func localResponseNorm(
  _ x: Expr, size: Int, alpha: Double = 1e-4, beta: Double = 0.75, bias: Double = 1
) -> Expr {
  built(x) {
    let c = try Channels(x, "lrn", [])
    guard size >= 1 else {
      throw GraphError.unsupported("lrn: the window size is \(size); give a size of at least 1")
    }
    let below = (size - 1) / 2
    var band = [Double](repeating: 0, count: c.count * c.count)
    for row in 0..<c.count {
      let window = Swift.max(0, row - below)...Swift.min(c.count - 1, row + size - 1 - below)
      for i in window { band[row * c.count + i] = 1 }
    }
    let bandMatrix = x.builder.constant(Tensor(shape: [c.count, c.count], scalars: band))
    let sum = einsum("ci,ni...->nc...", bandMatrix, x * x)
    return x * pow(bias + (alpha / Double(size)) * sum, -beta)
  }
}

/// The layout of an N × C × … input: its shape and the shapes its statistics keep.
private struct Channels {
  let shape: Shape
  /// C, the extent of axis 1.
  var count: Int { shape[1] }

  /// Checks that `x` has rank ≥ 2 and each of `perChannel` the shape [C]; `name` is the
  /// function's, for the message.
  init(_ x: Expr, _ name: String, _ perChannel: [Expr]) throws {
    shape = try x.builder.shape(x.node())
    let shapes = try perChannel.map { try x.builder.shape($0.node()) }
    guard shape.count >= 2, shapes.allSatisfy({ $0 == [shape[1]] }) else {
      throw GraphError.shapeMismatch(
        op: name, shapes: [shape] + shapes,
        reason: "do not fit: the input needs its channels on axis 1 (N × C × …), "
          + "and each per-channel tensor the shape [C]")
    }
  }

  /// [1, C, 1, …]: one statistic per channel.
  var channelAxis: Shape { shape.indices.map { $0 == 1 ? shape[1] : 1 } }
  /// [N, C, 1, …]: one statistic per example and channel.
  var instanceAxes: Shape { shape.indices.map { $0 < 2 ? shape[$0] : 1 } }

  /// A [C] tensor as [C, 1, …], which broadcasts along axis 1 of the input.
  func broadcastable(_ p: Expr) -> Expr {
    reshape(p, [count] + Array(repeating: 1, count: shape.count - 2))
  }

  /// The mean of `x` over the axes `kept` has as 1, `x` minus it, and the mean of its square,
  /// the statistics with `kept`'s shape.
  func moments(_ x: Expr, keeping kept: Shape) -> (mean: Expr, centered: Expr, variance: Expr) {
    let m = Double(Swift.max(1, shape.elementCount / Swift.max(1, kept.elementCount)))
    let mean = x.sum(to: kept) / m
    let centered = x - mean
    return (mean, centered, (centered * centered).sum(to: kept) / m)
  }
}

/// `body`'s result, or a failed handle in `x`'s builder with the error it threw.
private func built(_ x: Expr, _ body: () throws -> Expr) -> Expr {
  do { return try body() } catch { return failure(x, error) }
}

private func failure(_ x: Expr, _ error: any Error) -> Expr {
  Expr(x.builder, .failure(error as? GraphError ?? .unsupported("\(error)")))
}
