/// Open-addressing hash table from a node's structure (op and inputs) to its
/// id: the hash-consing behind "building a node that exists returns its id".
/// Each slot packs 32 bits of the node's hash above its id + 1 (0 = empty),
/// so a probe usually touches one cache line; keys are compared against the
/// node table itself, so lookups allocate nothing.
struct InternTable: Sendable {
  private var slots: [UInt64] = [UInt64](repeating: 0, count: 64)
  private var hashes: [Int] = []  // per node, for growing
  private var used = 0

  static func hash(_ op: Op, _ inputs: some Collection<NodeID>, key: Int32) -> Int {
    var hasher = Hasher()
    hasher.combine(op)
    hasher.combine(key)
    for input in inputs { hasher.combine(input.rawValue) }
    return hasher.finalize()
  }

  /// The existing node equal to `(op, inputs)` whose scope has intern key
  /// `key` (see `ScopeTable.internKey`), if any.
  func find(
    _ op: Op, _ inputs: some Collection<NodeID>, hash: Int, key: Int32, in table: NodeTable,
    scopes: ScopeTable
  ) -> NodeID? {
    let mask = slots.count - 1
    let tag = Self.tag(hash)
    var slot = hash & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { return nil }
      if entry >> 32 == tag {
        let id = NodeID(Int(entry & 0xFFFF_FFFF) - 1)
        if table.ops[id.index] == op, table.inputs(id).elementsEqual(inputs),
          scopes.internKey(table.scopes[id.index]) == key
        {
          return id
        }
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

  private static func tag(_ hash: Int) -> UInt64 { UInt64(UInt(bitPattern: hash) >> 32) }

  private mutating func place(_ id: NodeID, hash: Int) {
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    slots[slot] = Self.tag(hash) << 32 | UInt64(id.index + 1)
  }

  private mutating func grow() {
    slots = [UInt64](repeating: 0, count: slots.count * 2)
    for index in hashes.indices.dropLast() { place(NodeID(index), hash: hashes[index]) }
  }
}
