/// Which input elements each output element of a node is computed from: the element structure
/// that keeps sparsity patterns exact through tensor ops (an einsum, a broadcast, a slice, a `where`
/// give patterns, not dense blocks).
enum ElementMap {
  /// Output element o reads element `map[o]` of the input (−1: none, as in a pad's zeros).
  case gather([Int32])
  /// Input element i is summed (or maxed) into output element `map[i]`.
  case reduce([Int32])
  /// Both are one element.
  case scalar
  /// Every output element reads every input element (a matrix function).
  case all(inputs: Int, outputs: Int)

  static func dense(_ input: Shape, to output: Shape) -> ElementMap {
    .all(inputs: input.elementCount, outputs: output.elementCount)
  }

  /// The map of a one-input-to-one-output op found by running the op on its input's element
  /// numbers (1-based as doubles, exact below 2⁵³): a layout op moves them where it moves
  /// values, and a pad's zeros read as −1.
  static func moving(_ op: Op, input: Shape, output: Shape) -> ElementMap {
    let numbers = Tensor(
      shape: input, scalars: (0..<input.elementCount).map { Double($0 + 1) })
    return .gather(op.apply([numbers], shape: output).scalars.map { Int32($0) - 1 })
  }

  /// The map of an elementwise op's input of shape `input` broadcast to `output`.
  static func broadcasting(_ input: Shape, to output: Shape) -> ElementMap {
    if input.elementCount == 1 && output.elementCount == 1 { return .scalar }
    if input == output { return .gather((0..<Int32(output.elementCount)).map { $0 }) }
    return moving(.broadcastTo(output), input: input, output: output)
  }

  /// The map of a reduction from `input` to `output`, by broadcasting the output's element
  /// numbers back over the input (`keeping` a reduced axis of 1 first for `amax`).
  static func reducing(_ input: Shape, to output: Shape, keeping axis: Int? = nil) -> ElementMap {
    if input.elementCount == 1 && output.elementCount == 1 { return .scalar }
    var kept = output
    if let axis { kept.insert(1, at: axis) }
    let numbers = Tensor(shape: kept, scalars: (0..<output.elementCount).map { Double($0 + 1) })
    return .reduce(numbers.broadcast(to: input).scalars.map { Int32($0) - 1 })
  }

  /// Calls `body(o, i)` for each output element o and input element i it reads.
  func forEachPair(_ body: (Int, Int) -> Void) {
    switch self {
    case .scalar: body(0, 0)
    case .gather(let map):
      for (o, i) in map.enumerated() where i >= 0 { body(o, Int(i)) }
    case .reduce(let map):
      for (i, o) in map.enumerated() where o >= 0 { body(Int(o), i) }
    case .all(let inputs, let outputs):
      for o in 0..<outputs { for i in 0..<inputs { body(o, i) } }
    }
  }
}

extension EinsumSpec {
  /// Calls `body(o, elements)` for each term of the contraction: output element o and the
  /// element of each operand the term multiplies, over the whole iteration space (an odometer
  /// over the labels; its size is the product of the labels' extents).
  func forEachTerm(shapes: [Shape], _ body: (Int, [Int]) -> Void) {
    var extent = [Int](repeating: 1, count: labelCount)
    for (labels, shape) in zip(operands, shapes) {
      for (label, n) in zip(labels, shape) { extent[label] = n }
    }
    if extent.contains(0) { return }
    let outputStrides = Tensor.strides(of: output.map { extent[$0] })
    let operandStrides = operands.map { Tensor.strides(of: $0.map { extent[$0] }) }
    var index = [Int](repeating: 0, count: labelCount)
    var elements = [Int](repeating: 0, count: operands.count)
    while true {
      var o = 0
      for (axis, label) in output.enumerated() { o += index[label] * outputStrides[axis] }
      for (k, labels) in operands.enumerated() {
        var e = 0
        for (axis, label) in labels.enumerated() { e += index[label] * operandStrides[k][axis] }
        elements[k] = e
      }
      body(o, elements)
      var label = labelCount - 1
      while label >= 0 {
        index[label] += 1
        if index[label] < extent[label] { break }
        index[label] = 0
        label -= 1
      }
      if label < 0 { return }
    }
  }
}
