/// Open-addressing hash table from a node's structure (op and inputs) to its
/// id: the hash-consing behind "building a node that exists returns its id".
/// Each slot packs 32 bits of the node's hash above its id + 1 (0 = empty),
/// so a probe usually touches one cache line; keys are compared against the
/// node table itself, so lookups allocate nothing.
///
/// In a large arena that line is a cache miss, the main cost of building a
/// node.  A node with an input that no node uses yet cannot exist, so its
/// lookup skips the probe: a rebuilt or differentiated node usually has a
/// fresh input (the rebuilt input, the new adjoint).
struct InternTable: Sendable {
  private var slots: [UInt64] = [UInt64](repeating: 0, count: 64)
  private var hashes: [Int] = []  // per node, for growing
  /// Per node, whether some node has it as an input.
  private var hasUser: [Bool] = []
  private var used = 0

  /// The op's own hash (its kind and parameters) mixed with the scope key
  /// and each input id.  Elementwise ops (`pow` with its exponent) mix
  /// their kind directly (no `Hasher`, most nodes are these); the others
  /// hash their payload with `Hasher` first.
  static func hash(_ op: Op, _ inputs: some Collection<NodeID>, key: Int32) -> Int {
    var h: UInt64
    if case .pow(let c) = op {
      h = mix(UInt64(op.kind.rawValue), c.bitPattern)
    } else if op.kind.isElementwise {
      h = UInt64(op.kind.rawValue)
    } else {
      h = UInt64(UInt(bitPattern: op.hashValue))
    }
    h = mix(h, UInt64(UInt32(bitPattern: key)))
    for input in inputs { h = mix(h, UInt64(UInt32(bitPattern: input.rawValue))) }
    return Int(bitPattern: UInt(truncatingIfNeeded: finish(h)))
  }

  /// One multiply-xorshift step (the state absorbs one word).
  private static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
    let m = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
    return m ^ (m >> 29)
  }

  /// The final avalanche (SplitMix64's), so that both the low bits (the
  /// slot) and the high bits (the tag) depend on every input.
  private static func finish(_ h: UInt64) -> UInt64 {
    var z = h &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The existing node stored under `hash` for which `isSame` holds (the
  /// caller compares its op, inputs and intern key column by column: passing
  /// the node table itself would copy it, retaining every column, on every
  /// lookup), if any.
  @inline(__always)
  func find(
    _ inputs: some Collection<NodeID>, hash: Int, where isSame: (NodeID) -> Bool
  ) -> NodeID? {
    if inputs.contains(where: { !hasUser[$0.index] }) { return nil }
    let mask = slots.count - 1
    let tag = Self.tag(hash)
    var slot = hash & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { return nil }
      if entry >> 32 == tag {
        let id = NodeID(Int(entry & 0xFFFF_FFFF) - 1)
        if isSame(id) { return id }
      }
      slot = (slot + 1) & mask
    }
  }

  /// Op equality by bit pattern, as `hash` keys it: a `pow` exponent of NaN
  /// is one exponent (by `==` no NaN equals itself, so each `x^NaN` built
  /// was a new node under one hash, and a graph of them took quadratic
  /// time), and `x^0.0` and `x^-0.0` are two.  Constants already compare
  /// this way (`Tensor`).
  static func isSame(_ a: Op, _ b: Op) -> Bool {
    if case .pow(let c) = a, case .pow(let d) = b { return c.bitPattern == d.bitPattern }
    return a == b
  }

  /// Records node `id` (the newest node, on `inputs`) under `hash`.
  mutating func insert(_ id: NodeID, inputs: some Collection<NodeID>, hash: Int) {
    precondition(id.index == hashes.count, "InternTable: nodes must be inserted in order")
    hashes.append(hash)
    hasUser.append(false)
    for input in inputs { hasUser[input.index] = true }
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
