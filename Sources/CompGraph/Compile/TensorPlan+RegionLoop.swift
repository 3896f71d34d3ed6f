import CKernels

extension TensorPlan {
  /// Phase 4, for one fusion region (`members` in node order): its elementwise loop, with its
  /// loads, its register code (registers reused by liveness inside the
  /// region, as in `ScalarProgram`), and its stores — each into the storage of a
  /// same-size input that dies here when there is one (`taken` marks it),
  /// else into a new arena block.
  static func loop(
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
