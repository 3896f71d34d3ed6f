import CKernels

/// A graph with tensors compiled to a fixed list of steps over planned
/// buffers: what `Program` runs for any graph that is not all scalars.
///
/// Planning walks the graph once, in node order (ARCHITECTURE.md
/// invariant 1), and decides three things before any value exists:
/// - **Fusion.** Elementwise ops (broadcasting ones and `broadcast_to`
///   included) of one shape join one region, merging the regions of their
///   inputs, until something outside the region reads a value of it; then
///   the region is closed and becomes one `ElementwiseLoop` at that point of
///   the schedule.  Values read only inside a region are never stored.
/// - **Steps.** Each einsum and `sum_to` becomes a `ContractionStep` (a GEMM
///   on the buffers or a strided loop nest; contractions of three or more
///   operands go through the einsum kernels, which order them); ops along an
///   axis are `AxisStep` loops; a linear-algebra op runs its LAPACK kernel on
///   the buffers (NaN for a matrix it cannot compute); `reshape` is the same
///   storage under another shape.
/// - **Memory.** Buffers are offsets into one arena, handed out in schedule
///   order by `ArenaAllocator` and taken back after their last reader, so
///   `arenaCount` is the plan's peak.  An elementwise loop stores into the
///   buffer of an input of its own size that dies there (in place).
struct TensorPlan: Sendable {
  enum Step: Sendable {
    case elementwise(ElementwiseLoop)
    case contraction(ContractionStep, inputs: [BufferRef], output: BufferRef, count: Int)
    case axis(AxisStep, input: BufferRef, output: BufferRef)
    case reference(Op, inputs: [(BufferRef, Shape)], output: BufferRef, shape: Shape)
    case matrix(MatrixFunction, inputs: [(BufferRef, Shape)], output: BufferRef)
  }

  let steps: [Step]
  /// Variables in node order; input k is bound to `BufferRef.input(k)`.
  let inputNames: [String]
  let inputShapes: [Shape]
  let constants: [Double]
  /// `constants` rounded to f32, for a plan of f32 values (else empty).
  let constantsF32: [Float]
  let outputs: [(buffer: BufferRef, shape: Shape)]
  /// The type of every value the plan stores (`PlanElement`): f64, or f32 for
  /// a graph of f32 values, whose buffers take half the bytes.
  let dtype: DType
  /// Where input k starts in a workspace's staging area (`stagingOffsets[k]`, elements; the
  /// last entry is the area's size): a plan of f32 values reads its inputs, given as doubles,
  /// from there, rounded to f32.
  let stagingOffsets: [Int]
  /// Elements of arena the plan needs at its peak.
  let arenaCount: Int
  /// Elements of chunk registers the largest elementwise loop needs.
  let scratchCount: Int

  /// What the schedule holds before buffers are assigned.
  private enum Planned {
    case region(Int)
    case node(Int)
  }

  init(_ graph: Graph, dtype: DType = .f64) {
    let n = graph.nodeCount
    // A sum over an einsum (or a broadcasting product) read nowhere else is
    // one einsum, as the reference evaluator plans it: the inner node is
    // never built (`sum(einsum("i,j->ij", a, b))` is a dot product).
    var fusedSums: [Int: (spec: EinsumSpec, tensors: [NodeID])] = [:]
    for (index, sum) in EvaluationPlan(graph).fused where sum.ones == 0 && sum.scalars.isEmpty {
      fusedSums[index] = (sum.spec, sum.tensors)
    }
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
    let classes = (0..<n).map { StepClass(graph.op(NodeID($0))) }
    var consumers = [[Int]](repeating: [], count: n)
    for index in 0..<n where live[index] {
      for input in operands(index) where consumers[input.index].last != index {
        consumers[input.index].append(index)
      }
    }

    // Fusion regions and the schedule.
    var regionOf = [Int32](repeating: -1, count: n)
    var parent: [Int] = []
    var members: [[Int]] = []
    var open: [Bool] = []
    var order: [Planned] = []
    func find(_ r: Int) -> Int {
      var r = r
      while parent[r] != r {
        parent[r] = parent[parent[r]]
        r = parent[r]
      }
      return r
    }
    func region(of index: Int) -> Int? { regionOf[index] < 0 ? nil : find(Int(regionOf[index])) }
    func close(_ r: Int) {
      if open[r] {
        open[r] = false
        order.append(.region(r))
      }
    }
    var root = Array(0..<n)
    for index in 0..<n where live[index] {
      let inputs = operands(index)
      let shape = graph.shape(NodeID(index))
      switch classes[index] {
      case .leaf: continue
      case .alias:
        if let r = region(of: inputs[0].index) { close(r) }
        root[index] = root[inputs[0].index]
      case .elementwise:
        var joined: Int?
        for input in inputs {
          guard let r = region(of: input.index) else { continue }
          if open[r] && graph.shape(input) == shape {
            if let j = joined, j != r {
              parent[r] = j
              members[j] += members[r]
              members[r] = []
              open[r] = false
            } else {
              joined = r
            }
          } else {
            close(r)
          }
        }
        let r =
          joined
          ?? {
            parent.append(parent.count)
            members.append([])
            open.append(true)
            return parent.count - 1
          }()
        regionOf[index] = Int32(r)
        members[r].append(index)
      case .contraction, .axis, .matrix:
        for input in inputs { if let r = region(of: input.index) { close(r) } }
        order.append(.node(index))
      }
    }
    for r in open.indices where open[r] { close(r) }

    // Liveness in schedule order, by storage (a reshape shares its input's).
    var stepOfRegion = [Int](repeating: -1, count: parent.count)
    var stepOfNode = [Int](repeating: -1, count: n)
    for (s, planned) in order.enumerated() {
      switch planned {
      case .region(let r): stepOfRegion[r] = s
      case .node(let index): stepOfNode[index] = s
      }
    }
    var lastUse = [Int](repeating: -1, count: n)
    for index in 0..<n where live[index] {
      let s: Int
      switch classes[index] {
      case .leaf, .alias: continue
      case .elementwise: s = stepOfRegion[region(of: index)!]
      case .contraction, .axis, .matrix: s = stepOfNode[index]
      }
      for input in operands(index) {
        lastUse[root[input.index]] = max(lastUse[root[input.index]], s)
      }
    }
    for output in graph.outputs { lastUse[root[output.index]] = Int.max }
    var dying = [[Int]](repeating: [], count: order.count)
    for index in 0..<n where live[index] && lastUse[index] >= 0 && lastUse[index] < Int.max {
      dying[lastUse[index]].append(index)
    }

    // Leaves, then buffers in schedule order, and the executable steps.
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
    for (s, planned) in order.enumerated() {
      switch planned {
      case .region(let r):
        let loop = Self.loop(
          members[r].sorted(), graph: graph, inRegion: { region(of: $0) == r }, root: root,
          consumers: consumers,
          isOutput: isOutput, buffer: &buffer, arena: &arena, lastUse: lastUse, step: s,
          taken: &taken)
        scratch = max(scratch, loop.scratchCount * loop.workers)
        steps.append(.elementwise(loop))
      case .node(let index):
        let id = NodeID(index)
        let inputs = operands(index).map { (buffer[root[$0.index]]!, graph.shape($0)) }
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
          if let fused = fusedSums[index] {
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
      for index in dying[s] where !taken[index] {
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

extension TensorPlan {
  /// The elementwise loop of one region (`members` in node order): its
  /// loads, its register code (registers reused by liveness inside the
  /// region, as in `Program`), and its stores — each into the storage of a
  /// same-size input that dies here when there is one (`taken` marks it),
  /// else into a new arena block.
  fileprivate static func loop(
    _ members: [Int], graph: Graph, inRegion: (Int) -> Bool, root: [Int], consumers: [[Int]],
    isOutput: [Bool], buffer: inout [BufferRef?], arena: inout ArenaAllocator, lastUse: [Int],
    step: Int, taken: inout [Bool]
  ) -> ElementwiseLoop {
    let shape = graph.shape(NodeID(members[0]))
    let count = shape.elementCount
    // Loads: each outside value once, in order of first use.
    var loadOf: [Int: Int] = [:]
    var loadValues: [Int] = []
    var lastRead: [Int: Int] = [:]
    for (position, member) in members.enumerated() {
      for input in graph.inputs(NodeID(member)) {
        if inRegion(input.index) {
          lastRead[input.index] = position
        } else if loadOf[input.index] == nil {
          loadOf[input.index] = loadValues.count
          loadValues.append(input.index)
        }
      }
    }
    let stored = members.filter { member in
      isOutput[member] || consumers[member].contains { !inRegion($0) }
    }
    let storedSet = Set(stored)
    // Register code: members get scratch registers; load k is encoded as
    // -(k + 1) until the scratch count is known.
    var register: [Int: Int32] = [:]
    var free: [Int32] = []
    var next: Int32 = 0
    var code: [cg_instruction] = []
    for (position, member) in members.enumerated() {
      let id = NodeID(member)
      let operands = graph.inputs(id).map { input in
        register[input.index] ?? Int32(-(loadOf[input.index]! + 1))
      }
      let dying = Set(
        graph.inputs(id).filter {
          inRegion($0.index) && !storedSet.contains($0.index) && lastRead[$0.index] == position
        }.map { register[$0.index]! }
      ).sorted()
      let kernel = scalarKernel(graph.op(id), arity: operands.count)!
      // A custom op's kernel gets an output of its own (it may not read before it writes).
      let freeFirst = (operands.count <= 2 || kernel.code == CG_WHERE) && kernel.code != CG_CALL
      if freeFirst { free += dying }
      let target: Int32
      if let r = free.popLast() {
        target = r
      } else {
        target = next
        next += 1
      }
      code.append(
        cg_instruction(
          code: kernel.code, target: target, a: operands[0],
          b: operands.count > 1 ? operands[1] : 0,
          d: operands.count > 2 && kernel.code != CG_ADD && kernel.code != CG_MUL ? operands[2] : 0,
          c: kernel.c, calling: graph.op(id)))
      if kernel.code == CG_ADD || kernel.code == CG_MUL {
        for extra in operands.dropFirst(2) {
          code.append(
            cg_instruction(code: kernel.code, target: target, a: target, b: extra, d: 0, c: 0))
        }
      }
      if !freeFirst { free += dying }
      register[member] = target
    }
    let scratchRegisters = Int(next)
    for k in code.indices {
      for operand in [\cg_instruction.a, \cg_instruction.b, \cg_instruction.d]
      where code[k][keyPath: operand] < 0 {
        code[k][keyPath: operand] = Int32(scratchRegisters) - code[k][keyPath: operand] - 1
      }
    }
    let loads = loadValues.enumerated().map { k, value in
      let valueShape = graph.shape(NodeID(value))
      return ElementwiseLoop.Load(
        register: Int32(scratchRegisters + k), buffer: buffer[root[value]]!,
        broadcast: valueShape.elementCount == count ? nil : BroadcastRead(valueShape, to: shape))
    }
    // In place: a load's storage whose every read here is lane for lane and
    // whose last reader this is.
    var candidates = loadValues.filter { value in
      let r = root[value]
      return buffer[r]!.base == BufferRef.arena && lastUse[r] == step && !taken[r]
        && graph.shape(NodeID(r)).elementCount == count
        && loadValues.allSatisfy {
          root[$0] != r || graph.shape(NodeID($0)).elementCount == count
        }
    }.map { root[$0] }
    var stores: [(register: Int32, buffer: BufferRef)] = []
    for member in stored {
      if let r = candidates.popLast() {
        taken[r] = true
        candidates.removeAll { $0 == r }
        buffer[member] = buffer[r]
      } else {
        buffer[member] = BufferRef(base: BufferRef.arena, offset: arena.allocate(count))
      }
      stores.append((register[member]!, buffer[member]!))
    }
    return ElementwiseLoop(
      count: count, code: code, scratchRegisters: scratchRegisters, loads: loads, stores: stores)
  }
}
