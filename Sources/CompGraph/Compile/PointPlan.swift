import CKernels

/// A scalar graph vectorised *across the graph*, for evaluation at one point.
///
/// Nodes are levelled (leaves 0, an op one more than its deepest input) and
/// the nodes of one level that do the same thing form one group: a single
/// gather-compute-store loop, `v[out + k] = f(v[a[k]], v[b[k]])`.  A gradient
/// of a sum over N terms has N copies of each pattern, so a group is N wide
/// and runs on vector units (exp, ln and tanh included), instead of N
/// interpreted instructions.  Each node has its own slot; the slots of a
/// group are contiguous, so stores are sequential and gathers mostly are too.
struct PointPlan: Sendable {
  let groups: [cg_group]
  let index: [Int32]
  let slotCount: Int
  let inputSlots: [Int32]
  let constants: [(slot: Int32, value: Double)]
  let outputSlots: [Int32]

  /// What a node computes, as a group key: the kernel code and its constant.
  private struct Kind: Hashable, Comparable {
    let code: Int32
    let c: Double
    /// A custom op's address (`CG_CALL`), else 0.
    let context: Int
    static func < (a: Kind, b: Kind) -> Bool {
      (a.code, a.c, a.context) < (b.code, b.c, b.context)
    }
  }

  /// Lowers `graph` (all scalars); variables appear in `inputNames` order.
  init(_ graph: Graph, inputNames: [String]) {
    let n = graph.nodeCount
    var level = [Int](repeating: 0, count: n)
    var kind = [Kind?](repeating: nil, count: n)
    var slot = [Int32](repeating: -1, count: n)
    var next: Int32 = 0
    var constants: [(Int32, Double)] = []
    var variableSlot: [String: Int32] = [:]
    for index in 0..<n {
      let id = NodeID(index)
      let arity = graph.inputs(id).count
      switch graph.op(id) {
      case .variable(let name):
        slot[index] = next
        variableSlot[name] = next
        next += 1
        continue
      case .constant(let t):
        slot[index] = next
        constants.append((next, t.scalars[0]))
        next += 1
        continue
      case let op:
        // Sums and products of more than two inputs are reductions.
        let kernel = scalarKernel(op, arity: arity)!
        let reduction = kernel.code == CG_ADD ? CG_SUM : CG_PRODUCT
        let chained = kernel.code == CG_ADD || kernel.code == CG_MUL
        let code = chained && arity > 2 ? reduction : kernel.code
        let context = Int(bitPattern: customCall(op).context)
        kind[index] = Kind(code: Int32(code.rawValue), c: kernel.c, context: context)
      }
      level[index] = 1 + (graph.inputs(id).map { level[$0.index] }.max() ?? 0)
    }
    // Group ops by (level, kind); reductions (n-ary sums and products) group
    // with those of the same arity.
    let ops = (0..<n).filter { kind[$0] != nil }.sorted {
      (level[$0], kind[$0]!, $0) < (level[$1], kind[$1]!, $1)
    }
    var groups: [cg_group] = []
    var index: [Int32] = []
    var start = 0
    while start < ops.count {
      let k = kind[ops[start]]!
      var end = start + 1
      let isReduction = k.code == CG_SUM.rawValue || k.code == CG_PRODUCT.rawValue
      let arity = graph.inputs(NodeID(ops[start])).count
      while end < ops.count, level[ops[end]] == level[ops[start]], kind[ops[end]] == k,
        !isReduction || graph.inputs(NodeID(ops[end])).count == arity
      {
        end += 1
      }
      // Members in the order of their first operand's slot, so that operand
      // is read as one run wherever the group's inputs are a whole group.
      let members = ops[start..<end].sorted {
        (slot[graph.inputs(NodeID($0)).first!.index], $0) < (
          slot[graph.inputs(NodeID($1)).first!.index], $1
        )
      }
      let out = next
      for (offset, member) in members.enumerated() { slot[member] = out + Int32(offset) }
      next += Int32(members.count)
      let a = Int32(index.count)
      if isReduction {
        for member in members { index += graph.inputs(NodeID(member)).map { slot[$0.index] } }
        groups.append(
          cg_group(
            code: k.code, count: Int32(members.count), out: out, a: a, b: 0, d: 0,
            arity: Int32(arity), c: 0, a_run: -1, b_run: -1, d_run: -1, call: nil, context: nil))
      } else {
        // Operand p of every member, for p = 0, 1, 2 (a, b, d); the members
        // of a group share their kernel, so they have the same operand count.
        var offsets: [Int] = []
        for p in 0..<3 {
          offsets.append(index.count)
          if p < arity {
            index += members.map { slot[Array(graph.inputs(NodeID($0)))[p].index] }
          }
        }
        offsets.append(index.count)
        let runs = (0..<3).map { Self.run(index[offsets[$0]..<offsets[$0 + 1]]) }
        let (call, context) = customCall(graph.op(NodeID(members[0])))
        groups.append(
          cg_group(
            code: k.code, count: Int32(members.count), out: out, a: Int32(offsets[0]),
            b: Int32(offsets[1]), d: Int32(offsets[2]), arity: Int32(arity), c: k.c,
            a_run: runs[0], b_run: runs[1], d_run: runs[2], call: call, context: context))
      }
      start = end
    }
    self.groups = groups
    self.index = index
    self.slotCount = Int(next)
    self.inputSlots = inputNames.map { variableSlot[$0]! }
    self.constants = constants
    self.outputSlots = graph.outputs.map { slot[$0.index] }
  }

  /// The first slot when `slots` are consecutive (a run read in place), else −1.
  static func run(_ slots: ArraySlice<Int32>) -> Int32 {
    guard let first = slots.first else { return -1 }
    for (k, slot) in slots.enumerated() where slot != first + Int32(k) { return -1 }
    return first
  }

  /// Evaluates at one point given in `inputNames` order.
  func evaluate(point: [Double]) -> [Double] {
    withRegisters { values in
      for (s, value) in zip(inputSlots, point) { values[Int(s)] = value }
      run(values)
      return outputSlots.map { values[Int($0)] }
    }
  }

  /// Calls `body` with a slot file whose constants are filled in.
  func withRegisters<R>(_ body: (UnsafeMutablePointer<Double>) -> R) -> R {
    let values = UnsafeMutablePointer<Double>.allocate(capacity: max(1, slotCount))
    defer { values.deallocate() }
    values.initialize(repeating: 0, count: max(1, slotCount))
    for (s, value) in constants { values[Int(s)] = value }
    return body(values)
  }

  /// Runs every group over the slot file.
  func run(_ values: UnsafeMutablePointer<Double>) {
    groups.withUnsafeBufferPointer { g in
      index.withUnsafeBufferPointer { i in
        cg_run_groups(g.baseAddress, g.count, i.baseAddress, values)
      }
    }
  }
}
