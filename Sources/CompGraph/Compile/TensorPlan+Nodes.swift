/// Phase 1 of a tensor plan: the nodes it computes, with fused sums.
extension TensorPlan {
  /// The live nodes of a graph and who reads them, once sums are fused.
  ///
  /// A sum over an einsum (or a broadcasting product) read nowhere else is
  /// one einsum, as the reference evaluator plans it: the inner node is
  /// never built (`sum(einsum("i,j->ij", a, b))` is a dot product).  A node
  /// is live when an output reads it through operands, in one backward loop
  /// (ARCHITECTURE.md invariant 1).
  struct Nodes {
    let graph: Graph
    /// The fused sums by node: the einsum each computes and its operands.
    let fusedSums: [Int: (spec: EinsumSpec, tensors: [NodeID])]
    /// Whether an output reads the node.
    let live: [Bool]
    let isOutput: [Bool]
    /// How each node runs (`StepClass`).
    let classes: [StepClass]
    /// The live nodes reading each node, in node order, each once.
    let consumers: [[Int]]

    init(_ graph: Graph) {
      self.graph = graph
      let n = graph.nodeCount
      var fusedSums: [Int: (spec: EinsumSpec, tensors: [NodeID])] = [:]
      for (index, sum) in EvaluationPlan(graph).fused where sum.ones == 0 && sum.scalars.isEmpty {
        fusedSums[index] = (sum.spec, sum.tensors)
      }
      self.fusedSums = fusedSums
      func operands(_ index: Int) -> [NodeID] {
        fusedSums[index]?.tensors ?? Array(graph.inputs(NodeID(index)))
      }
      var live = [Bool](repeating: false, count: n)
      var isOutput = live
      for output in graph.outputs {
        live[output.index] = true
        isOutput[output.index] = true
      }
      for index in stride(from: n - 1, through: 0, by: -1) where live[index] {
        for input in operands(index) { live[input.index] = true }
      }
      var consumers = [[Int]](repeating: [], count: n)
      for index in 0..<n where live[index] {
        for input in operands(index) where consumers[input.index].last != index {
          consumers[input.index].append(index)
        }
      }
      self.live = live
      self.isOutput = isOutput
      self.classes = (0..<n).map { StepClass(graph.op(NodeID($0))) }
      self.consumers = consumers
    }

    /// The values node `index` reads: a fused sum's einsum operands, else its inputs.
    func operands(_ index: Int) -> [NodeID] {
      fusedSums[index]?.tensors ?? Array(graph.inputs(NodeID(index)))
    }
  }
}
