import Foundation

/// Convolutions and pools in ONNX's layout, (N, C, D₁, …, D_d) for d = 1, 2, 3 (or more),
/// built from two linear primitives: `patches` (im2col: each window's taps) and its transpose
/// `unpatches` (col2im). Each is the other's derivative, so every function here is
/// differentiable to every order with no rule of its own: conv is an einsum of the patches with
/// the kernel, conv_transpose the unpatches of an einsum, max pool `amax` over the taps,
/// average pool their sum over a count.
///
/// A bad shape or parameter gives a failed handle whose error names the function, the shapes
/// and what does not fit.

/// The zeros around a convolution's or pool's spatial axes, as ONNX's `pads` and `auto_pad`
/// give them.
public enum Padding: Hashable, Sendable, ExpressibleByArrayLiteral {
  /// ONNX's `pads`: the zeros before each spatial axis, then after each, [b₁, …, b_d, e₁, …, e_d].
  case explicit([Int])
  /// ONNX's `SAME_UPPER`: Oᵢ = ⌈Dᵢ/sᵢ⌉ windows, the odd zero after the input.
  case same
  /// ONNX's `SAME_LOWER`: as `same`, the odd zero before the input.
  case sameLower
  /// ONNX's `VALID`: no zeros.
  case valid

  public init(arrayLiteral elements: Int...) { self = .explicit(elements) }

  /// (b, e) for extents `size`, or `nil` when explicit pads are not 2·d numbers.
  func resolved(size: [Int], kernel: [Int], strides: [Int], dilations: [Int]) -> ([Int], [Int])? {
    let d = size.count
    switch self {
    case .explicit(let pads):
      return pads.count == 2 * d ? (Array(pads[..<d]), Array(pads[d...])) : nil
    case .valid: return (Array(repeating: 0, count: d), Array(repeating: 0, count: d))
    case .same, .sameLower:
      var total: [Int] = []
      for i in 0..<d {
        let windows = (size[i] + strides[i] - 1) / strides[i]
        let span = dilations[i] * (kernel[i] - 1) + 1
        total.append(Swift.max(0, (windows - 1) * strides[i] + span - size[i]))
      }
      let small = total.map { $0 / 2 }
      let large = zip(total, small).map { $0 - $1 }
      return self == .same ? (small, large) : (large, small)
    }
  }
}

/// The taps of every window over the last `kernel.count` axes of `x`, (…, D) ↦ (…, K, O):
/// y[…, k, o] = x[…, o·s − b + k·d], 0 in the padding (im2col). Strides and dilations default
/// to 1 along each spatial axis. Linear; its transpose is `unpatches`.
public func patches(
  _ x: Expr, kernel: [Int], strides: [Int]? = nil, pads: Padding = .valid,
  dilations: [Int]? = nil
) -> Expr {
  guard let shape = x.shape else { return x }
  return windowed(
    "patches", x, [shape], spatial: Array(shape.suffix(kernel.count)),
    axis: shape.count - kernel.count,
    kernel: kernel, strides: strides, pads: pads, dilations: dilations
  ) { patches(x, $0) }
}

/// The transpose of `patches` (col2im) onto extents `size`, (…, K, O) ↦ (…, D): each element
/// added to the position its tap reads, those in the padding dropped.
public func unpatches(
  _ y: Expr, size: [Int], kernel: [Int], strides: [Int]? = nil, pads: Padding = .valid,
  dilations: [Int]? = nil
) -> Expr {
  guard let shape = y.shape else { return y }
  return windowed(
    "unpatches", y, [shape], spatial: size, axis: shape.count - 2 * kernel.count, kernel: kernel,
    strides: strides, pads: pads, dilations: dilations
  ) { unpatches(y, $0) }
}

func patches(_ x: Expr, _ window: Window) -> Expr { Expr.apply(.patches(window), [x]) }
func unpatches(_ y: Expr, _ window: Window) -> Expr { Expr.apply(.unpatches(window), [y]) }

/// The N-d convolution of ONNX's `Conv` (a cross-correlation, as in every deep-learning
/// library): x (N, C, D…) and a kernel w (M, C/G, K…) give
///
///     y[n, m, o] = bias[m] + Σ_{c, k} w[m, c, k] · x[n, g·C/G + c, o·s − b + k·d]
///
/// for the group g = m ÷ (M/G) of output channel m, as `einsum(patches(x), w)` (the channels
/// split into `groups` first; `groups` = C with one input channel per group is a depthwise
/// convolution). `pads` explicit ([b…, e…]) or `.same`; strides and dilations default to 1.
public func conv(
  _ x: Expr, _ w: Expr, bias: Expr? = nil, strides: [Int]? = nil, pads: Padding = .valid,
  dilations: [Int]? = nil, groups: Int = 1
) -> Expr {
  guard let xs = x.shape else { return x }
  guard let ws = w.shape else { return w }
  let d = ws.count - 2
  let shapes = [xs, ws] + (bias?.shape.map { [$0] } ?? [])
  if let problem = channelProblem(xs, ws, bias: bias?.shape, groups: groups, inputChannels: 1) {
    return failed(x, "conv", shapes, problem)
  }
  return windowed(
    "conv", x, shapes, spatial: Array(xs.suffix(d)), axis: 2, kernel: Array(ws.suffix(d)),
    strides: strides, pads: pads, dilations: dilations
  ) { window in
    let (k, o) = letters(d)
    let (n, c, m) = (xs[0], xs[1], ws[0])
    let columns = patches(x, window)
    let y: Expr
    if groups == 1 {
      y = einsum("nc\(k)\(o),mc\(k)->nm\(o)", columns, w)
    } else {
      let split = reshape(columns, [n, groups, c / groups] + window.kernel + window.count)
      let kernels = reshape(w, [groups, m / groups, c / groups] + window.kernel)
      y = reshape(einsum("ngc\(k)\(o),gmc\(k)->ngm\(o)", split, kernels), [n, m] + window.count)
    }
    return withBias(y, bias, channels: m, d: d)
  }
}

/// The transpose of `conv` (ONNX's `ConvTranspose`, the gradient of a convolution with respect
/// to its input): x (N, C, I…) and w (C, M/G, K…) give y (N, M, O…),
///
///     y[n, g·M/G + m, p] = bias + Σ_{c, k, i : p = i·s − b + k·d} x[n, g·C/G + c, i] · w[g·C/G + c, m, k]
///
/// with Oⱼ = sⱼ(Iⱼ − 1) + output_paddingⱼ + dⱼ(Kⱼ − 1) + 1 − bⱼ − eⱼ, as `unpatches` of
/// `einsum(x, w)`. `.same` pads give Oⱼ = Iⱼ·sⱼ, as ONNX's `auto_pad` does; `outputPadding`
/// (default 0, each below its stride or dilation) adds positions at the end.
public func convTranspose(
  _ x: Expr, _ w: Expr, bias: Expr? = nil, strides: [Int]? = nil, pads: Padding = .valid,
  outputPadding: [Int]? = nil, dilations: [Int]? = nil, groups: Int = 1
) -> Expr {
  guard let xs = x.shape else { return x }
  guard let ws = w.shape else { return w }
  let d = ws.count - 2
  let shapes = [xs, ws] + (bias?.shape.map { [$0] } ?? [])
  if let problem = channelProblem(xs, ws, bias: bias?.shape, groups: groups, inputChannels: 0) {
    return failed(x, "conv_transpose", shapes, problem)
  }
  let kernel = Array(ws.suffix(d))
  let input = Array(xs.suffix(d))
  let s = strides ?? Array(repeating: 1, count: d)
  let dil = dilations ?? Array(repeating: 1, count: d)
  let extra = outputPadding ?? Array(repeating: 0, count: d)
  guard s.count == d, dil.count == d, extra.count == d else {
    return failed(
      x, "conv_transpose", shapes,
      "do not fit: \(d) spatial axes need \(d) strides, dilations and output paddings, not "
        + "\(s.count), \(dil.count) and \(extra.count)")
  }
  // The full output before padding is cut: sⱼ(Iⱼ − 1) + output_paddingⱼ + dⱼ(Kⱼ − 1) + 1.
  var full: [Int] = []
  for j in 0..<d {
    let span: Int = dil[j] * (kernel[j] - 1) + 1
    full.append(s[j] * (input[j] - 1) + extra[j] + span)
  }
  let cut: ([Int], [Int])?
  switch pads {
  case .same, .sameLower:
    let total = (0..<d).map { Swift.max(0, full[$0] - input[$0] * s[$0]) }
    let (small, large) = (total.map { $0 / 2 }, total.map { $0 - $0 / 2 })
    cut = pads == .same ? (small, large) : (large, small)
  case .explicit, .valid:
    cut = pads.resolved(size: input, kernel: kernel, strides: s, dilations: dil)
  }
  guard let (begin, end) = cut else {
    return failed(x, "conv_transpose", shapes, "do not fit: \(d) spatial axes need \(2 * d) pads")
  }
  let output = (0..<d).map { full[$0] - begin[$0] - end[$0] }
  let window = Window(
    axis: 2, size: output, kernel: kernel, strides: s, padsBegin: begin, padsEnd: end,
    dilations: dil)
  if let reason = window.validate() {
    return failed(x, "conv_transpose", shapes, "do not fit: the window \(reason)")
  }
  guard window.count == input else {
    return failed(
      x, "conv_transpose", shapes,
      "do not fit: output padding \(extra) must be below the strides \(s) (or the dilations)")
  }
  let (k, o) = letters(d)
  let (n, c, m) = (xs[0], xs[1], ws[1] * groups)
  let columns: Expr
  if groups == 1 {
    columns = einsum("nc\(o),cm\(k)->nm\(k)\(o)", x, w)
  } else {
    let split = reshape(x, [n, groups, c / groups] + input)
    let kernels = reshape(w, [groups, c / groups, ws[1]] + kernel)
    columns = reshape(
      einsum("ngc\(o),gcm\(k)->ngm\(k)\(o)", split, kernels), [n, m] + kernel + input)
  }
  return withBias(unpatches(columns, window), bias, channels: m, d: d)
}

/// ONNX's `MaxPool` over the last `kernel.count` axes of x (N, C, D…): the largest tap of each
/// window, padding never chosen (its taps are −∞), as `amax` over `patches`. `ceilMode` rounds
/// the window count up (a last window that would start in the end padding is dropped, as
/// onnxruntime and PyTorch do). Tied maxima share the gradient equally (`amax`'s rule; ONNX
/// runtimes and PyTorch give it all to the first).
public func maxPool(
  _ x: Expr, kernel: [Int], strides: [Int]? = nil, pads: Padding = .valid,
  dilations: [Int]? = nil, ceilMode: Bool = false
) -> Expr {
  pooled("max_pool", x, kernel, strides, pads, dilations, ceilMode) { taps, window, axis in
    let map = window.sourceIndices()
    guard map.contains(-1) else { return amax(taps, axis: axis) }
    let inside = Tensor(
      shape: [map.count / window.count.reduce(1, *)] + window.count,
      scalars: map.map { $0 < 0 ? 0 : 1 })
    return amax(
      select(taps.builder.constant(inside), taps, taps.builder.constant(-.infinity)), axis: axis)
  }
}

/// ONNX's `AveragePool` over the last `kernel.count` axes of x (N, C, D…): each window's taps
/// summed and divided by their count — the taps inside the input, or with `countIncludePad` also
/// those in the explicit padding (never the extra positions of `ceilMode`).
public func averagePool(
  _ x: Expr, kernel: [Int], strides: [Int]? = nil, pads: Padding = .valid,
  dilations: [Int]? = nil, ceilMode: Bool = false, countIncludePad: Bool = false
) -> Expr {
  pooled("average_pool", x, kernel, strides, pads, dilations, ceilMode) { taps, window, axis in
    // Tap t of window o is at p = o·s − b + t·d along each axis; it counts when p is inside
    // the input, or with `countIncludePad` inside the explicit pads (−b ≤ p < D + e).
    let explicitEnd =
      pads.resolved(
        size: window.size, kernel: window.kernel, strides: window.strides,
        dilations: window.dilations)?.1 ?? window.padsEnd
    let counted = Window(
      axis: window.axis,
      size: (0..<window.rank).map { i in
        countIncludePad ? window.size[i] + window.padsBegin[i] + explicitEnd[i] : window.size[i]
      }, kernel: window.kernel, strides: window.strides,
      padsBegin: countIncludePad ? Array(repeating: 0, count: window.rank) : window.padsBegin,
      padsEnd: window.padsEnd, dilations: window.dilations)
    let map = counted.sourceIndices()
    let windows = window.count.reduce(1, *)
    var counts = [Double](repeating: 0, count: windows)
    for (j, p) in map.enumerated() where p >= 0 { counts[j % windows] += 1 }
    let total = sum(taps, axis: axis)
    if Set(counts).count == 1 { return total / counts[0] }
    return total / taps.builder.constant(Tensor(shape: window.count, scalars: counts))
  }
}

/// The mean over all spatial axes of x (N, C, D…), kept as 1s: (N, C, 1, …, 1) (ONNX's
/// `GlobalAveragePool`).
public func globalAveragePool(_ x: Expr) -> Expr {
  global("global_average_pool", x) { x, shape in
    x.sum(to: Array(shape[..<2]) + Array(repeating: 1, count: shape.count - 2))
      / Double(shape[2...].reduce(1, *))
  }
}

/// The largest element over all spatial axes of x (N, C, D…), kept as 1s: (N, C, 1, …, 1)
/// (ONNX's `GlobalMaxPool`); tied maxima share the gradient equally.
public func globalMaxPool(_ x: Expr) -> Expr {
  global("global_max_pool", x) { x, shape in
    reshape(
      amax(reshape(x, Array(shape[..<2]) + [shape[2...].reduce(1, *)]), axis: 2),
      Array(shape[..<2]) + Array(repeating: 1, count: shape.count - 2))
  }
}

// MARK: Helpers

/// A failed handle: `op`'s operand `shapes` and why they do not fit.
private func failed(_ x: Expr, _ op: String, _ shapes: [Shape], _ reason: String) -> Expr {
  Expr(x.builder, .failure(.shapeMismatch(op: op, shapes: shapes, reason: reason)))
}

/// Builds the window of `op` over extents `spatial` from `axis` (strides and dilations 1 by
/// default; with `ceilMode`, the end padding grown so the window count rounds up) and calls
/// `body` with it; a failed handle (in `anchor`'s builder) when the numbers do not fit.
private func windowed(
  _ op: String, _ anchor: Expr, _ shapes: [Shape], spatial: [Int], axis: Int, kernel: [Int],
  strides: [Int]?, pads: Padding, dilations: [Int]?, ceilMode: Bool = false,
  _ body: (Window) -> Expr
) -> Expr {
  let d = kernel.count
  let s = strides ?? Array(repeating: 1, count: d)
  let dil = dilations ?? Array(repeating: 1, count: d)
  guard axis >= 0, spatial.count == d else {
    return failed(
      anchor, op, shapes, "do not fit: a kernel of \(d) axes needs \(d) spatial axes to slide over")
  }
  guard s.count == d, dil.count == d,
    let (begin, end) = pads.resolved(size: spatial, kernel: kernel, strides: s, dilations: dil)
  else {
    return failed(
      anchor, op, shapes,
      "do not fit: \(d) spatial axes need \(d) strides, \(d) dilations and \(2 * d) pads")
  }
  var window = Window(
    axis: axis, size: spatial, kernel: kernel, strides: s, padsBegin: begin, padsEnd: end,
    dilations: dil)
  if let reason = window.validate() {
    return failed(anchor, op, shapes, "do not fit: the window \(reason)")
  }
  if ceilMode {
    // ⌈(D + b + e − d(K − 1) − 1)/s⌉ + 1 windows, less one that would start past D + b.
    var grown = end
    for i in 0..<d {
      let span = spatial[i] + begin[i] + end[i] - dil[i] * (kernel[i] - 1) - 1
      var windows = (span + s[i] - 1) / s[i] + 1
      if (windows - 1) * s[i] >= spatial[i] + begin[i] { windows -= 1 }
      grown[i] += Swift.max(0, (windows - 1) * s[i] - span)
    }
    window = Window(
      axis: axis, size: spatial, kernel: kernel, strides: s, padsBegin: begin, padsEnd: grown,
      dilations: dil)
  }
  return body(window)
}

/// Whether x (N, C, D…), w and a bias fit a convolution (`inputChannels` 1: w is (M, C/G, K…))
/// or its transpose (0: w is (C, M/G, K…)) of `groups` groups: `nil`, or why not.
private func channelProblem(
  _ x: Shape, _ w: Shape, bias: Shape?, groups: Int, inputChannels: Int
) -> String? {
  guard w.count >= 3, x.count == w.count else {
    return "do not fit: the input must be (N, C, D…) and the kernel (M, C/groups, K…) with "
      + "the same number (1 or more) of spatial axes"
  }
  guard groups >= 1, x[1] % groups == 0 else {
    return "do not fit: \(x[1]) input channels do not split into \(groups) groups"
  }
  let outputs = inputChannels == 1 ? w[0] : w[1] * groups
  if inputChannels == 1 {
    guard w[1] * groups == x[1] else {
      return "do not fit: the kernel's \(w[1]) channels × \(groups) groups must be the "
        + "input's \(x[1]) channels"
    }
    guard w[0] % groups == 0 else {
      return "do not fit: \(w[0]) output channels do not split into \(groups) groups"
    }
  } else {
    guard w[0] == x[1] else {
      return "do not fit: the kernel's first axis (\(w[0])) must be the input's \(x[1]) channels"
    }
  }
  if let bias, bias != [outputs] {
    return "do not fit: the bias must be (\(outputs)), one per output channel"
  }
  guard w.count - 2 <= 8 else { return "do not fit: at most 8 spatial axes are supported" }
  return nil
}

/// The einsum letters of d kernel taps and d windows.
private func letters(_ d: Int) -> (String, String) {
  (String("hijklpqr".prefix(d)), String("stuvwxyz".prefix(d)))
}

/// y (N, M, O…) plus a bias (M) along the channels.
private func withBias(_ y: Expr, _ bias: Expr?, channels: Int, d: Int) -> Expr {
  guard let bias else { return y }
  return y + reshape(bias, [channels] + Array(repeating: 1, count: d))
}

/// A pool: the patches of x's last `kernel.count` axes with the taps flattened to one axis,
/// reduced by `reduce(taps, window, axis)`.
private func pooled(
  _ op: String, _ x: Expr, _ kernel: [Int], _ strides: [Int]?, _ pads: Padding,
  _ dilations: [Int]?, _ ceilMode: Bool, _ reduce: (Expr, Window, Int) -> Expr
) -> Expr {
  guard let shape = x.shape else { return x }
  return windowed(
    op, x, [shape], spatial: Array(shape.suffix(kernel.count)),
    axis: shape.count - kernel.count, kernel: kernel, strides: strides, pads: pads,
    dilations: dilations, ceilMode: ceilMode
  ) { window in
    let lead = Array(shape[..<window.axis])
    let taps = reshape(patches(x, window), lead + [kernel.reduce(1, *)] + window.count)
    return reduce(taps, window, lead.count)
  }
}

/// A global pool of x (N, C, D…) with at least one spatial axis.
private func global(_ op: String, _ x: Expr, _ body: (Expr, Shape) -> Expr) -> Expr {
  guard let shape = x.shape else { return x }
  guard shape.count >= 3 else {
    return failed(x, op, [shape], "do not fit: the input must be (N, C, D…) with a spatial axis")
  }
  return body(x, shape)
}
