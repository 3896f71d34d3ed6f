/// How the reference evaluator walks a graph, worked out before any value
/// exists: when each value can be released, which reductions of an einsum
/// are computed as one smaller einsum, and how much memory the walk needs
/// at its peak.
struct EvaluationPlan {
  /// For each node, the index of the last node that reads it
  /// (`nodeCount` for outputs, -1 when nothing does).
  var lastUse: [Int32]
  /// Sums that are evaluated as one einsum, keyed by the sum's index: a
  /// `sumTo` of an einsum or of a broadcasting product used only there.
  /// The inner node is never materialised: `Σ_ij a_i b_j` is not the n×n
  /// outer product, `sum(a*b*c*d)` over broadcast shapes is a product of
  /// sums.
  var fused: [Int: FusedSum] = [:]
  /// The inner nodes that `fused` evaluates in their consumer's place.
  var skipped: Set<Int> = []

  /// One fused sum: `spec` over `tensors` (and, with `ones > 0`, a ones
  /// tensor of that many unit axes, see `EinsumSpec.sumOfProduct`), times
  /// the `scalars`.
  struct FusedSum {
    var inner: Int
    var spec: EinsumSpec
    var tensors: [NodeID]
    var ones = 0
    var scalars: [NodeID] = []
  }

  init(_ graph: Graph) {
    let count = graph.nodeCount
    lastUse = [Int32](repeating: -1, count: count)
    var uses = [Int32](repeating: 0, count: count)
    for index in 0..<count {
      for input in graph.nodes.inputs(NodeID(index)) {
        lastUse[input.index] = Int32(index)
        uses[input.index] += 1
      }
    }
    for output in graph.outputs { lastUse[output.index] = Int32(count) }
    for index in 0..<count {
      guard case .sumTo(let target) = graph.nodes.ops[index] else { continue }
      let inner = graph.nodes.inputs(NodeID(index)).first!.index
      guard uses[inner] == 1, lastUse[inner] == Int32(index),
        let sum = Self.fusedSum(of: inner, to: target, in: graph)
      else { continue }
      fused[index] = sum
      skipped.insert(inner)
      for input in graph.nodes.inputs(NodeID(inner)) {
        lastUse[input.index] = max(lastUse[input.index], Int32(index))
      }
    }
  }

  /// `sumTo(target)` of node `inner` as one einsum, when `inner` is an
  /// einsum or a product whose factors broadcast.
  private static func fusedSum(of inner: Int, to target: Shape, in graph: Graph) -> FusedSum? {
    let inputs = Array(graph.nodes.inputs(NodeID(inner)))
    let shape = graph.nodes.shapes[inner]
    switch graph.nodes.ops[inner] {
    case .einsum(let spec):
      return spec.summed(from: shape, to: target).map {
        FusedSum(inner: inner, spec: $0, tensors: inputs)
      }
    case .mul:
      let tensors = inputs.filter { !graph.shape($0).isEmpty }
      guard
        let (spec, ones) = EinsumSpec.sumOfProduct(
          tensors.map(graph.shape), shape: shape, to: target)
      else { return nil }
      return FusedSum(
        inner: inner, spec: spec, tensors: tensors, ones: ones,
        scalars: inputs.filter { graph.shape($0).isEmpty })
    default:
      return nil
    }
  }

  /// The value of the fused sum at `index`, from the values computed so far.
  func evaluateFused(_ sum: FusedSum, values: [Tensor?], shape: Shape) -> Tensor {
    var operands = sum.tensors.map { values[$0.index]! }
    if sum.ones > 0 {
      operands.append(Tensor(repeating: 1, shape: Shape(repeating: 1, count: sum.ones)))
    }
    let result = Tensor.einsum(sum.spec, operands)
    return sum.scalars.isEmpty
      ? result : Op.mul.apply([result] + sum.scalars.map { values[$0.index]! }, shape: shape)
  }

  /// The inputs whose values node `index` reads (through a fused einsum's
  /// operands when it is a fused sum).
  func operands(of index: Int, in graph: Graph) -> NodeInputs {
    graph.nodes.inputs(NodeID(fused[index]?.inner ?? index))
  }

  /// The most bytes of tensor values alive at once during the walk, and the
  /// node being evaluated at that moment: every value from its node to its
  /// last use, the new value while its inputs are still alive, and a
  /// broadcast copy of an operand where a sum or product broadcasts one.
  func peakMemory(of graph: Graph) -> (bytes: Double, node: NodeID) {
    let bytesPerElement = Double(MemoryLayout<Double>.stride)
    func size(_ index: Int) -> Double {
      Double(graph.nodes.shapes[index].elementCount) * bytesPerElement
    }
    var live = 0.0
    var peak = (bytes: 0.0, node: NodeID(0))
    var releasedAt = [Int: [Int]]()
    for index in 0..<graph.nodeCount where lastUse[index] >= 0 && lastUse[index] < graph.nodeCount {
      releasedAt[Int(lastUse[index]), default: []].append(index)
    }
    for index in 0..<graph.nodeCount where !skipped.contains(index) {
      let op = graph.nodes.ops[index]
      var transient = 0.0
      if op == .add || op == .mul {
        let shape = graph.nodes.shapes[index]
        let broadcastCopy = graph.nodes.inputs(NodeID(index)).contains {
          let s = graph.nodes.shapes[$0.index]
          return s != shape && s.elementCount > 1
        }
        if broadcastCopy { transient = size(index) }
      }
      live += size(index)
      if live + transient > peak.bytes { peak = (live + transient, NodeID(index)) }
      for released in releasedAt[index] ?? [] where !skipped.contains(released) {
        live -= size(released)
      }
    }
    return peak
  }
}

extension EinsumSpec {
  /// This einsum (output shape `shape`) followed by `sumTo(target)`, as one
  /// einsum, when the sum only drops leading axes (`target` is a suffix of
  /// `shape`): those axes' labels leave the output, so they are summed
  /// inside the contraction.  `nil` for other targets (an axis kept with
  /// extent 1).
  ///
  ///     Σ_i (einsum "i,j->ij")_ij  =  einsum "i,j->j"
  func summed(from shape: Shape, to target: Shape) -> EinsumSpec? {
    guard target.count <= shape.count, Array(shape.suffix(target.count)) == target else {
      return nil
    }
    return EinsumSpec(operands: operands, output: Array(output.suffix(target.count)))
  }

  /// `sumTo(target)` of the product of factors of shapes `factors` (not
  /// scalars; their product has shape `shape`) as one einsum, when some
  /// factor broadcasts: axis a of the product is label a, a factor's
  /// stretched (extent-1) axis a fresh label summed away, and an axis the
  /// sum keeps with extent 1 a fresh label carried by one more operand, a
  /// ones tensor of `ones` unit axes.  `nil` when no factor broadcasts.
  ///
  ///     Σ_jk a_i b_j c_k = a_i (Σ_j b_j)(Σ_k c_k)      (sum_to[n×1×1](a·b·c))
  static func sumOfProduct(_ factors: [Shape], shape: Shape, to target: Shape)
    -> (spec: EinsumSpec, ones: Int)?
  {
    guard factors.contains(where: { $0 != shape }) else { return nil }
    let rank = shape.count
    var next = rank
    func fresh() -> Int {
      next += 1
      return next - 1
    }
    var operands = factors.map { own -> [Int] in
      own.indices.map { i in
        let axis = rank - own.count + i
        return own[i] == shape[axis] ? axis : fresh()
      }
    }
    var output: [Int] = []
    var kept: [Int] = []
    for (j, extent) in target.enumerated() {
      let axis = rank - target.count + j
      if extent == shape[axis] {
        output.append(axis)
      } else {
        kept.append(fresh())
        output.append(kept.last!)
      }
    }
    if !kept.isEmpty { operands.append(kept) }
    return (EinsumSpec(operands: operands, output: output), kept.count)
  }
}

extension Graph {
  /// An estimate of the memory the reference evaluator needs for this graph
  /// (see `EvaluationPlan.peakMemory`): the bytes, and the node being
  /// evaluated at the peak.
  public func peakMemoryEstimate() -> (bytes: Double, node: NodeID) {
    EvaluationPlan(self).peakMemory(of: self)
  }
}
