/// Open-addressing hash table from a node's structure (op and inputs) to its
/// id: the hash-consing behind "building a node that exists returns its id".
/// Slots hold node ids; keys are compared against the node table itself, so
/// lookups allocate nothing.
struct InternTable: Sendable {
  private var slots: [Int32] = [Int32](repeating: -1, count: 64)
  private var hashes: [Int] = []  // per node, for growing
  private var used = 0

  static func hash(_ op: Op, _ inputs: some Collection<NodeID>) -> Int {
    var hasher = Hasher()
    hasher.combine(op)
    for input in inputs { hasher.combine(input.rawValue) }
    return hasher.finalize()
  }

  /// The existing node equal to `(op, inputs)`, if any.
  func find(_ op: Op, _ inputs: some Collection<NodeID>, hash: Int, in table: NodeTable) -> NodeID? {
    let mask = slots.count - 1
    var slot = hash & mask
    while true {
      let candidate = slots[slot]
      if candidate < 0 { return nil }
      let id = NodeID(Int(candidate))
      if hashes[id.index] == hash, table.ops[id.index] == op, table.inputs(id).elementsEqual(inputs) {
        return id
      }
      slot = (slot + 1) & mask
    }
  }

  /// Records node `id` (the newest node) under `hash`.
  mutating func insert(_ id: NodeID, hash: Int) {
    precondition(id.index == hashes.count, "InternTable: nodes must be inserted in order")
    hashes.append(hash)
    if (used + 1) * 2 > slots.count { grow() }
    place(id, hash: hash)
    used += 1
  }

  private mutating func place(_ id: NodeID, hash: Int) {
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] >= 0 { slot = (slot + 1) & mask }
    slots[slot] = id.rawValue
  }

  private mutating func grow() {
    let old = slots
    slots = [Int32](repeating: -1, count: old.count * 2)
    for raw in old where raw >= 0 {
      place(NodeID(Int(raw)), hash: hashes[Int(raw)])
    }
  }
}
