/// What a rule may ask while it runs: the builder to make its result in,
/// the options, a few facts about values (sign, finiteness) that side
/// conditions need, and how often a node is used.
///
/// Facts are computed once per node in one forward loop over the arena
/// (inputs first), never by recursing down the graph.
final class RuleContext {
  let builder: GraphBuilder
  let options: SimplifyOptions
  @exclusivity(unchecked) private var facts: [Facts] = []
  /// Uses of each node within the graph being simplified, as of the start of
  /// the current pass (`nil` for nodes made during the pass).
  @exclusivity(unchecked) private var uses: [Int32] = []
  /// Nodes used by an output or by a non-polynomial op (pass start).
  @exclusivity(unchecked) private var exposed: [Bool] = []
  /// The op kind of a node's only user (pass start).
  @exclusivity(unchecked) private var soleUserKind: [Op.Kind?] = []
  /// Per node, whether it is a polynomial root lowering has already
  /// settled (its results and the regions it left alone): not expanded again.
  @exclusivity(unchecked) private var lowered: [Bool] = []
  /// Lowering's choice per region structure (`regionKey`).
  var loweringChoices: [RegionKey: LoweringChoice] = [:]
  /// An empty array with capacity, lent to one walk at a time
  /// (`takeScratch`): a walk per region would otherwise allocate its stack.
  private var scratch: [NodeID] = []
  /// Per node, its position in the polynomial region being lowered (−1
  /// outside it; `regionKey` marks atoms below −1 while it runs).
  @exclusivity(unchecked) var regionPosition: [Int32] = []
  /// Scratch marks for graph walks (a walk bumps the stamp instead of clearing).
  @exclusivity(unchecked) var visited: [UInt32] = []
  var visitStamp: UInt32 = 0

  init(builder: GraphBuilder, options: SimplifyOptions) {
    self.builder = builder
    self.options = options
  }

  /// The scratch array, empty, for a walk's stack; `giveBack` returns it.
  func takeScratch() -> [NodeID] {
    var lent = scratch
    scratch = []
    lent.removeAll(keepingCapacity: true)
    return lent
  }

  func giveBack(_ lent: [NodeID]) { scratch = lent }

  /// Whether lowering has settled the polynomial root `id`.
  func isLowered(_ id: NodeID) -> Bool { id.index < lowered.count && lowered[id.index] }

  /// Records that lowering has settled the polynomial root `id`.
  func markLowered(_ id: NodeID) {
    if lowered.count <= id.index {
      lowered += repeatElement(false, count: max(id.index + 1, builder.count) - lowered.count)
    }
    lowered[id.index] = true
  }

  // MARK: Node summaries

  /// The node's op kind.
  func kind(_ id: NodeID) -> Op.Kind { builder.nodes.kinds[id.index] }

  func isAdd(_ id: NodeID) -> Bool { kind(id) == .add }
  func isMul(_ id: NodeID) -> Bool { kind(id) == .mul }

  /// The value of a scalar constant.
  func scalar(_ id: NodeID) -> Double? { builder.scalarConstant(id) }

  /// Sums, products and integer powers (`Op.isPolynomial`).
  func isPolynomial(_ id: NodeID) -> Bool {
    switch kind(id) {
    case .add, .mul: true
    case .pow: builder.nodes.numbers[id.index].isInteger
    default: false
    }
  }

  /// The exponent of a `pow` node.
  func powExponent(_ id: NodeID) -> Double? {
    kind(id) == .pow ? builder.nodes.numbers[id.index] : nil
  }

  // MARK: Facts

  struct Facts: OptionSet {
    let rawValue: UInt8
    /// x ≥ 0 (or NaN) wherever defined.
    static let nonNegative = Facts(rawValue: 1)
    /// x > 0 (or NaN) wherever defined.
    static let positive = Facts(rawValue: 2)
    /// x is finite wherever its inputs are finite (no pole, no log of 0).
    static let finite = Facts(rawValue: 4)
  }

  func facts(_ id: NodeID) -> Facts {
    while facts.count <= id.index { facts.append(computeFacts(NodeID(facts.count))) }
    return facts[id.index]
  }

  /// x ≥ 0 wherever x is defined.
  func isNonNegative(_ id: NodeID) -> Bool { facts(id).contains(.nonNegative) }
  /// x > 0 wherever x is defined.
  func isPositive(_ id: NodeID) -> Bool { facts(id).contains(.positive) }
  /// x is a finite number: provably, or by `options.assumeFinite`.
  func isFinite(_ id: NodeID) -> Bool { options.assumeFinite || facts(id).contains(.finite) }

  /// One node's facts from its inputs' (already computed: inputs come first).
  private func computeFacts(_ id: NodeID) -> Facts {
    let ins = builder.borrowedInputs(id)
    func all(_ f: Facts) -> Bool { ins.allSatisfy { facts[$0.index].contains(f) } }
    let finiteIn: Facts = all(.finite) ? .finite : []
    switch builder.op(id) {
    case .variable:
      return []
    case .constant(let t):
      var f: Facts = [.finite, .nonNegative, .positive]
      for v in t.scalars {
        if !v.isFinite { f.remove(.finite) }
        if !(v >= 0) { f.remove(.nonNegative) }
        if !(v > 0) { f.remove(.positive) }
      }
      return f
    case .add:
      var f = finiteIn
      if all(.nonNegative) {
        f.insert(.nonNegative)
        if ins.contains(where: { facts[$0.index].contains(.positive) }) { f.insert(.positive) }
      }
      return f
    case .mul:
      var f = finiteIn
      if all(.nonNegative) { f.insert(.nonNegative) }
      if all(.positive) { f.insert(.positive) }
      return f
    case .pow(let c):
      let x = facts[ins.first!.index]
      var f: Facts = []
      if c >= 0 && c == c.rounded() { f.formUnion(x.intersection(.finite)) }
      let even = c == c.rounded() && c.truncatingRemainder(dividingBy: 2) == 0
      if even || c != c.rounded() || x.contains(.nonNegative) { f.insert(.nonNegative) }
      if x.contains(.positive) { f.insert(.positive) }
      return f
    case .power:
      return facts[ins.first!.index].intersection([.nonNegative, .positive])
    case .exp:
      return finiteIn.union([.nonNegative, .positive])
    case .sqrt:
      return finiteIn.union(.nonNegative)
    case .ln:
      return []
    case .sin, .cos:
      return .finite
    case .tanh:
      return facts[ins.first!.index].union(.finite)
    case .abs:
      return facts[ins.first!.index].intersection([.finite, .positive]).union(.nonNegative)
    case .sign, .atan, .erf, .atan2:
      return .finite
    case .less, .lessEqual, .greater, .greaterEqual, .equal:
      return [.finite, .nonNegative]
    case .maximum:
      // max(a, b) ≥ a and ≥ b: one non-negative (positive) input is enough.
      let either = facts[ins[ins.startIndex].index].union(facts[ins[ins.startIndex + 1].index])
      return finiteIn.union(either.intersection([.nonNegative, .positive]))
    case .minimum:
      return finiteIn.union(
        facts[ins[ins.startIndex].index].intersection(facts[ins[ins.startIndex + 1].index]))
    case .select:
      return facts[ins[ins.startIndex + 1].index].intersection(facts[ins[ins.startIndex + 2].index])
    case .cosh:
      return [.nonNegative, .positive]
    case .acos:
      return .nonNegative
    case .cbrt:  // ∛x has x's sign
      return finiteIn.union(facts[ins.first!.index].intersection([.nonNegative, .positive]))
    case .tan, .asin, .sinh, .log1p, .expm1, .custom:
      return []
    case .einsum:
      var f = finiteIn
      if all(.nonNegative) { f.insert(.nonNegative) }
      return f
    case .sumTo, .broadcastTo:
      return facts[ins.first!.index].intersection([.finite, .nonNegative])
    case .reshape, .reduceMax, .slice:  // the input's elements (some of them)
      return facts[ins.first!.index]
    case .pad, .patches, .unpatches:  // and zeros (unpatches: sums of them)
      return facts[ins.first!.index].intersection([.finite, .nonNegative])
    case .oneHot:
      return [.finite, .nonNegative]
    // NaN for a matrix the kernel cannot compute; det overflows for large ones.
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet:
      return []
    // Whatever its body computes, T times over.
    case .scan: return []
    // Narrowing may overflow to ±∞ or round a tiny positive to 0; widening keeps every value.
    case .cast(.f32): return facts[ins.first!.index].intersection(.nonNegative)
    case .cast(.f64): return facts[ins.first!.index]
    }
  }

  // MARK: Uses

  /// Records the uses of `live`, the nodes reachable from `roots` (the
  /// graph as it stands at the start of a pass), with ids below `end`.
  func countUses(_ live: [NodeID], in end: Int, roots: [NodeID]) {
    // Refilled in place: a pass over a large arena reuses the last pass's
    // memory.  Counted through buffers, so that no write checks that the
    // array is unique (a pass makes millions).
    var uses = take(&self.uses, filledWith: 0, count: end)
    var exposed = take(&self.exposed, filledWith: false, count: end)
    var soleUserKind = take(&self.soleUserKind, filledWith: nil, count: end)
    defer { (self.uses, self.exposed, self.soleUserKind) = (uses, exposed, soleUserKind) }
    uses.withUnsafeMutableBufferPointer { uses in
      exposed.withUnsafeMutableBufferPointer { exposed in
        soleUserKind.withUnsafeMutableBufferPointer { soleUserKind in
          for root in roots {
            uses[root.index] += 1
            exposed[root.index] = true
          }
          for id in live {
            let polynomial = isPolynomial(id)
            let userKind = kind(id)
            for input in builder.borrowedInputs(id) {
              uses[input.index] += 1
              soleUserKind[input.index] = userKind
              if !polynomial { exposed[input.index] = true }
            }
          }
        }
      }
    }
  }

  /// `array`'s storage, taken out of it and refilled with `count` copies of `value`.
  private func take<T>(_ array: inout [T], filledWith value: T, count: Int) -> [T] {
    var taken: [T] = []
    swap(&taken, &array)
    taken.removeAll(keepingCapacity: true)
    taken.append(contentsOf: repeatElement(value, count: count))
    return taken
  }

  /// Whether `id` is a sum used only by a sum, or a product only by a
  /// product: its user flattens it, so normalising it first is wasted work
  /// (and, along a chain, quadratic).
  func isAbsorbed(_ id: NodeID) -> Bool {
    id.index < uses.count && uses[id.index] == 1 && soleUserKind[id.index] == kind(id)
  }

  /// Whether `id`'s one use (at the start of the pass) is by a node of `kind`.
  func isOnlyUsed(_ id: NodeID, by kind: Op.Kind) -> Bool {
    id.index < uses.count && uses[id.index] == 1 && soleUserKind[id.index] == kind
  }

  /// How many nodes use `id` (`nil` if `id` was made during this pass).
  func useCount(_ id: NodeID) -> Int? { id.index < uses.count ? Int(uses[id.index]) : nil }

  /// Whether `id` is part of the graph being simplified (as of the pass start).
  func isLive(_ id: NodeID) -> Bool { id.index < uses.count && uses[id.index] > 0 }

  /// Whether `id` is the root of a polynomial region: an output, or an input
  /// of an op that is not a sum, product or integer power.
  func isRegionRoot(_ id: NodeID) -> Bool { id.index < exposed.count && exposed[id.index] }

  // MARK: Building results

  /// `builder.node(op, inputs)`, with fast paths for elementwise ops on
  /// inputs of one shape (no shape inference needed): scalars take the
  /// builder's (`scalarFastPath`, which drops scalar 1 factors), tensors of
  /// one shape this one.  The same result: a one-input sum or product is
  /// its input, commutative inputs are sorted, the node is interned.
  func node(_ op: Op, _ inputs: [NodeID]) throws -> NodeID {
    if let id = builder.scalarFastPath(op, inputs) { return id }
    guard let first = inputs.first else { return try builder.node(op, inputs) }
    let shape = builder.shape(first)
    switch op {
    case .add, .mul:
      guard inputs.allSatisfy({ builder.shape($0) == shape }) else {
        return try builder.node(op, inputs)
      }
      if inputs.count == 1 { return first }
      // Sorted only when needed: sorting a shared array copies it.
      var ins = inputs
      if zip(ins, ins.dropFirst()).contains(where: { $0 > $1 }) { ins.sort() }
      return builder.append(op, ins, shape: shape)
    case .pow, .exp, .ln, .sqrt, .sin, .cos, .tanh:
      guard inputs.count == 1 else { return try builder.node(op, inputs) }
      return builder.append(op, inputs, shape: shape)
    default:
      return try builder.node(op, inputs)
    }
  }

  /// `node(op, [a])` with no input array on the builder's fast path.
  func node(_ op: Op, _ a: NodeID) throws -> NodeID {
    try builder.scalarFastPath(op, a) ?? node(op, [a])
  }

  /// `node(op, [a, b])` with no input array on the builder's fast path.
  func node(_ op: Op, _ a: NodeID, _ b: NodeID) throws -> NodeID {
    try builder.scalarFastPath(op, a, b) ?? node(op, [a, b])
  }

  func constant(_ value: Double) -> NodeID { builder.constantNode(value) }

  /// The constant `value` with shape `shape` (a broadcast scalar for big shapes).
  func constant(_ value: Double, shape: Shape) throws -> NodeID {
    if shape.isEmpty { return builder.constantNode(value) }
    if shape.elementCount <= options.maxFoldElements {
      return builder.constantNode(Tensor(repeating: value, shape: shape))
    }
    return try builder.node(.broadcastTo(shape), [builder.constantNode(value)])
  }

  /// `id` broadcast up to `shape` when its own shape is smaller.
  func broadcast(_ id: NodeID, to shape: Shape) throws -> NodeID {
    builder.shape(id) == shape ? id : try builder.node(.broadcastTo(shape), [id])
  }

  /// Σ of `terms` (0 when empty).
  func sum(_ terms: [NodeID]) throws -> NodeID {
    terms.isEmpty ? constant(0) : terms.count == 1 ? terms[0] : try node(.add, terms)
  }

  /// Π of `factors` (1 when empty); a product among the factors is flattened.
  func product(_ factors: [NodeID]) throws -> NodeID {
    var flat: [NodeID] = []
    for f in factors {
      if isMul(f) { flat += builder.inputs(f) } else { flat.append(f) }
    }
    return flat.isEmpty ? constant(1) : flat.count == 1 ? flat[0] : try node(.mul, flat)
  }

  /// `c · x`, flat (`c·(a·b)` is the product `c·a·b`).
  func scaled(_ x: NodeID, by c: Double) throws -> NodeID {
    c == 1 ? x : try product([constant(c), x])
  }

  /// `x^c` (x itself for c = 1).
  func power(_ x: NodeID, _ c: Double) throws -> NodeID {
    c == 1 ? x : try node(.pow(c), [x])
  }
}

extension Op {
  /// Sums, products and integer powers: the ops a polynomial is made of.
  var isPolynomial: Bool {
    switch self {
    case .add, .mul: true
    case .pow(let c): c == c.rounded()
    default: false
    }
  }
}

extension Double {
  /// Whether the value is a whole number (and finite).
  var isInteger: Bool { isFinite && self == rounded() }
}
