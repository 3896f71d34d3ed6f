/// How the reference evaluator walks a graph, worked out before any value
/// exists: when each value can be released, which reductions of an einsum
/// are computed as one smaller einsum, and how much memory the walk needs
/// at its peak.
struct EvaluationPlan {
  /// For each node, the index of the last node that reads it
  /// (`nodeCount` for outputs, -1 when nothing does).
  var lastUse: [Int32]
  /// `sumTo(einsum(…))` nodes whose einsum is used only there: the einsum
  /// is never materialised, the sum is evaluated as the einsum with the
  /// summed axes dropped from its output (`Σ_ij a_i b_j`, not the n×n
  /// outer product).  Keyed by the sum's index: (the einsum's index, the
  /// reduced spec).
  var fused: [Int: (einsum: Int, spec: EinsumSpec)] = [:]
  /// The einsum nodes that `fused` evaluates in their consumer's place.
  var skipped: Set<Int> = []

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
        case .einsum(let spec) = graph.nodes.ops[inner],
        let reduced = spec.summed(from: graph.nodes.shapes[inner], to: target)
      else { continue }
      fused[index] = (inner, reduced)
      skipped.insert(inner)
      for input in graph.nodes.inputs(NodeID(inner)) {
        lastUse[input.index] = max(lastUse[input.index], Int32(index))
      }
    }
  }

  /// The inputs whose values node `index` reads (through a fused einsum's
  /// operands when it is a fused sum).
  func operands(of index: Int, in graph: Graph) -> NodeInputs {
    graph.nodes.inputs(NodeID(fused[index]?.einsum ?? index))
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
}

extension Graph {
  /// An estimate of the memory the reference evaluator needs for this graph
  /// (see `EvaluationPlan.peakMemory`): the bytes, and the node being
  /// evaluated at the peak.
  public func peakMemoryEstimate() -> (bytes: Double, node: NodeID) {
    EvaluationPlan(self).peakMemory(of: self)
  }
}
