/// The sliding windows of a convolution or a pool over `d` consecutive axes of a tensor, the
/// parameters of `patches` and `unpatches` (ONNX's `Conv` attributes, per spatial axis i):
///
/// - `size` Dᵢ, the input's extents along the windowed axes `axis..<axis + d`;
/// - `kernel` Kᵢ, the window's taps; `dilations` dᵢ, the distance between taps;
/// - `strides` sᵢ, the distance between windows; `padsBegin` bᵢ and `padsEnd` eᵢ, the zeros
///   before and after the input.
///
/// Window o (a vector of Oᵢ = ⌊(Dᵢ + bᵢ + eᵢ − dᵢ(Kᵢ − 1) − 1)/sᵢ⌋ + 1 positions) reads tap k
/// at input position pᵢ = oᵢsᵢ − bᵢ + kᵢdᵢ, a zero where p is outside 0..<D.
public struct Window: Hashable, Sendable {
  /// The first windowed axis; the axes before it and after the windowed ones are carried along.
  public let axis: Int
  public let size: [Int]
  public let kernel: [Int]
  public let strides: [Int]
  public let padsBegin: [Int]
  public let padsEnd: [Int]
  public let dilations: [Int]

  /// A window; `validate()` says whether its numbers fit.
  public init(
    axis: Int, size: [Int], kernel: [Int], strides: [Int], padsBegin: [Int], padsEnd: [Int],
    dilations: [Int]
  ) {
    self.axis = axis
    self.size = size
    self.kernel = kernel
    self.strides = strides
    self.padsBegin = padsBegin
    self.padsEnd = padsEnd
    self.dilations = dilations
  }

  /// The number of windowed axes, d.
  public var rank: Int { size.count }

  /// Oᵢ = ⌊(Dᵢ + bᵢ + eᵢ − dᵢ(Kᵢ − 1) − 1)/sᵢ⌋ + 1, the windows along each axis.
  public var count: [Int] {
    (0..<rank).map { i in
      (size[i] + padsBegin[i] + padsEnd[i] - dilations[i] * (kernel[i] - 1) - 1) / strides[i] + 1
    }
  }

  /// Why the numbers do not make a window (completing "…: the window …"), or `nil` when they do:
  /// every list has d ≥ 1 entries, extents, kernels, strides and dilations are positive, pads
  /// are not negative, and the dilated kernel fits in the padded input.
  public func validate() -> String? {
    let d = size.count
    guard d >= 1 else { return "has no spatial axis (d = 0)" }
    for (name, list) in [
      ("kernel", kernel), ("strides", strides), ("pads", padsBegin), ("pads", padsEnd),
      ("dilations", dilations),
    ] where list.count != d {
      return "has \(d) spatial axes but \(list.count) \(name) entries"
    }
    guard axis >= 0 else { return "starts at a negative axis \(axis)" }
    for (name, list) in [
      ("extents", size), ("kernel", kernel), ("strides", strides), ("dilations", dilations),
    ] where list.contains(where: { $0 < 1 }) {
      return "needs positive \(name), not \(list)"
    }
    guard (padsBegin + padsEnd).allSatisfy({ $0 >= 0 }) else {
      return "needs pads ≥ 0, not \(padsBegin + padsEnd)"
    }
    for i in 0..<d where dilations[i] * (kernel[i] - 1) + 1 > size[i] + padsBegin[i] + padsEnd[i] {
      return "of \(kernel[i]) taps dilated by \(dilations[i]) does not fit in \(size[i]) "
        + "elements padded by \(padsBegin[i]) and \(padsEnd[i]) along spatial axis \(i)"
    }
    // Positions and (tap, window) pairs are numbered by `Int32`s (`sourceIndices`).
    for extents in [size, kernel + count]
    where (extents.checkedElementCount ?? .max) > Int(Int32.max) {
      return "is too large: \(extents) positions is more than 2³¹ − 1"
    }
    return nil
  }

  /// For each tap and window, row-major over (K₁…K_d, O₁…O_d), the row-major index of the input
  /// position it reads among the D₁…D_d ones, or −1 for a padding zero. `patches` gathers by
  /// it, `unpatches` scatters by it, and ONNX export writes it as a `Gather`'s indices.
  public func sourceIndices() -> [Int32] {
    let d = rank
    let counts = count
    let taps = kernel.reduce(1, *)
    let windows = counts.reduce(1, *)
    var result = [Int32](repeating: -1, count: taps * windows)
    var k = [Int](repeating: 0, count: d)
    var o = [Int](repeating: 0, count: d)
    for t in 0..<taps {
      for w in 0..<windows {
        var index = 0
        var inside = true
        for i in 0..<d {
          let p = o[i] * strides[i] - padsBegin[i] + k[i] * dilations[i]
          if p < 0 || p >= size[i] { inside = false }
          index = index * size[i] + p
        }
        if inside { result[t * windows + w] = Int32(index) }
        advance(&o, counts)
      }
      advance(&k, kernel)
    }
    return result
  }

  /// `2,5x5,3x3,1x1,0x0,0x0,1x1`: the axis, then D, K, s, b, e and d, as listings write it.
  var listed: String {
    ([String(axis)]
      + [size, kernel, strides, padsBegin, padsEnd, dilations].map {
        $0.map(String.init).joined(separator: "x")
      }).joined(separator: ",")
  }

  /// The indices a gather along the flattened windowed axes takes, with one zero appended after
  /// the operand's elements: for `patches`, each (tap, window)'s position (the zero for padding);
  /// `transposed`, for `unpatches`, row-major over (tap, position), the (tap, window) element
  /// added at that position (the zero where none is). The ONNX and NumPy exports write them.
  func takenIndices(transposed: Bool) -> [Int] {
    let sources = sourceIndices()
    let positions = size.reduce(1, *)
    guard transposed else { return sources.map { $0 < 0 ? positions : Int($0) } }
    let windows = count.reduce(1, *)
    var received = [Int](repeating: sources.count, count: sources.count / windows * positions)
    for (j, p) in sources.enumerated() where p >= 0 {
      received[j / windows * positions + Int(p)] = j
    }
    return received
  }

  /// The integers after the operand in the expression language: the axis, then (for
  /// `unpatches`, whose operand does not show them) D, then K, s, b, e and d
  /// (`patches(x, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1)`).
  func arguments(input: Bool) -> String {
    ([[axis]] + (input ? [size] : []) + [kernel, strides, padsBegin, padsEnd, dilations])
      .joined().map(String.init).joined(separator: ", ")
  }

  /// A `patches` operand's shape (or, `transposed`, an `unpatches` operand's) as
  /// `outer × (windowed axes) × inner` blocks: (outer, inner).
  func blocks(_ shape: Shape, transposed: Bool = false) -> (outer: Int, inner: Int) {
    (
      shape[..<axis].reduce(1, *),
      shape[(axis + (transposed ? 2 : 1) * rank)...].reduce(1, *)
    )
  }
}

/// Steps a row-major multi-index through `extents` (wrapping to zeros after the last).
private func advance(_ index: inout [Int], _ extents: [Int]) {
  var i = index.count - 1
  while i >= 0 {
    index[i] += 1
    if index[i] < extents[i] { return }
    index[i] = 0
    i -= 1
  }
}

extension Tensor {
  /// `patches`: shape (…, D, …) ↦ (…, K, O, …), out[…, k, o, …] = x[…, p(k, o), …] (0 in the
  /// padding). Every element is copied, so an f32 tensor stays f32.
  func patches(_ window: Window) -> Tensor {
    let (outer, inner) = window.blocks(shape)
    let map = window.sourceIndices()
    let inputBlock = window.size.reduce(1, *) * inner
    var out = [Double](repeating: 0, count: outer * map.count * inner)
    for b in 0..<outer {
      for (j, p) in map.enumerated() where p >= 0 {
        let from = b * inputBlock + Int(p) * inner
        let to = (b * map.count + j) * inner
        for i in 0..<inner { out[to + i] = scalars[from + i] }
      }
    }
    let result =
      Array(shape[..<window.axis]) + window.kernel + window.count
      + shape[(window.axis + window.rank)...]
    return Tensor(shape: result, scalars: out).rounded(to: dtype)
  }

  /// `unpatches`, the transpose of `patches`: shape (…, K, O, …) ↦ (…, D, …), each element
  /// added to the input position its tap and window read, in row-major order of (k, o)
  /// (padding taps dropped).
  func unpatches(_ window: Window) -> Tensor {
    let (outer, inner) = window.blocks(shape, transposed: true)
    let map = window.sourceIndices()
    let outputBlock = window.size.reduce(1, *) * inner
    var out = [Double](repeating: 0, count: outer * outputBlock)
    for b in 0..<outer {
      for (j, p) in map.enumerated() where p >= 0 {
        let from = (b * map.count + j) * inner
        let to = b * outputBlock + Int(p) * inner
        for i in 0..<inner { out[to + i] += scalars[from + i] }
      }
    }
    let result =
      Array(shape[..<window.axis]) + window.size
      + shape[(window.axis + 2 * window.rank)...]
    return Tensor(shape: result, scalars: out).rounded(to: dtype)
  }
}
