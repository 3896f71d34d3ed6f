/// Phase 4 of a tensor plan: buffers and the executable steps.
extension TensorPlan {
  /// Leaves first (inputs bound in place, constants pooled), then buffers in
  /// schedule order: each step's output gets an arena block, and the blocks
  /// of the storages dying at a step return to the `ArenaAllocator` after it,
  /// so `arenaCount` is the plan's peak.  Fused sums become einsum steps.
  init(_ nodes: Nodes, _ regions: Regions, _ liveness: Liveness, dtype: DType) {
    let graph = nodes.graph
    let n = graph.nodeCount
    let (live, root, lastUse) = (nodes.live, regions.root, liveness.lastUse)
    var buffer = [BufferRef?](repeating: nil, count: n)
    var inputNames: [String] = [], inputShapes: [Shape] = []
    var constants: [Double] = []
    for index in 0..<n where live[index] {
      switch graph.op(NodeID(index)) {
      case .variable(let name):
        buffer[index] = .input(inputNames.count)
        inputNames.append(name)
        inputShapes.append(graph.shape(NodeID(index)))
      case .constant(let value):
        buffer[index] = BufferRef(base: BufferRef.constants, offset: constants.count)
        constants += value.scalars
        constants += [Double](
          repeating: 0, count: ArenaAllocator.rounded(value.scalars.count) - value.scalars.count)
      default: continue
      }
    }
    var arena = ArenaAllocator()
    var steps: [Step] = []
    var scratch = 0
    var taken = [Bool](repeating: false, count: n)
    for (s, scheduled) in regions.order.enumerated() {
      switch scheduled {
      case .region(let r):
        let loop = Self.loop(
          regions.members[r].sorted(), graph: graph, inRegion: { regions.region(of: $0) == r },
          root: root, consumers: nodes.consumers, isOutput: nodes.isOutput, buffer: &buffer,
          arena: &arena, lastUse: lastUse, step: s, taken: &taken)
        scratch = max(scratch, loop.scratchCount * loop.workers)
        steps.append(.elementwise(loop))
      case .node(let index):
        let id = NodeID(index)
        let inputs = nodes.operands(index).map { (buffer[root[$0.index]]!, graph.shape($0)) }
        let count = graph.shape(id).elementCount
        let output = BufferRef(base: BufferRef.arena, offset: arena.allocate(count))
        buffer[index] = output
        let op = graph.op(id)
        if let axis = AxisStep(op, input: inputs[0].1) {
          steps.append(.axis(axis, input: inputs[0].0, output: output))
        } else if dtype == .f64, let f = op.matrixFunction {  // f64 LAPACK; f32: a reference step
          steps.append(.matrix(f, inputs: inputs, output: output))
        } else {
          var (contraction, op) = (ContractionStep.reference, op)
          if let fused = nodes.fusedSums[index] {
            op = .einsum(fused.spec)
            contraction = .einsum(fused.spec, shapes: inputs.map(\.1))
          } else if case .einsum(let spec) = op {
            contraction = .einsum(spec, shapes: inputs.map(\.1))
          } else if case .sumTo(let target) = op {
            contraction = .sum(inputs[0].1, to: target)
          }
          switch contraction {
          case .gemm, .loops:
            steps.append(
              .contraction(contraction, inputs: inputs.map(\.0), output: output, count: count))
          case .reference:
            steps.append(.reference(op, inputs: inputs, output: output, shape: graph.shape(id)))
          }
        }
      }
      for index in liveness.dying[s] where !taken[index] {
        guard let b = buffer[index], b.base == BufferRef.arena else { continue }
        arena.release(b.offset, count: graph.shape(NodeID(index)).elementCount)
      }
    }
    self.steps = steps
    self.inputNames = inputNames
    self.inputShapes = inputShapes
    self.constants = constants.isEmpty ? [0] : constants
    self.constantsF32 = dtype == .f32 ? self.constants.map(Float.init) : []
    self.dtype = dtype
    self.stagingOffsets = inputShapes.reduce(into: [0]) {
      $0.append($0.last! + ArenaAllocator.rounded($1.elementCount))
    }
    self.outputs = graph.outputs.map { (buffer[root[$0.index]]!, graph.shape($0)) }
    self.arenaCount = arena.size
    self.scratchCount = scratch
  }
}
