/// A region's rebuild, recorded against the region's structure so that
/// every other region of that structure (`regionKey`) is rebuilt by
/// replaying it: no expansion and no synthesis, one `node` per operation.
/// W2's ∇f is 10⁴ regions of one structure, so lowering synthesises once.
///
/// A step is an op over operands that are earlier steps, the region's
/// atoms (numbered as `regionKey` numbers them), the region's nodes (by
/// position) or scalar constant nodes (a recipe lives in one simplifier
/// run, in one builder).  Regions of one key are the same
/// polynomial up to renaming atoms, so the steps build, on the other
/// region's atoms, what synthesis would build there.
struct LoweringRecipe {
  enum Operand {
    case step(Int)
    case atom(Int)
    case region(Int)
    case constant(NodeID)
  }

  var steps: [(op: Op, inputs: [Operand])]
  var result: Operand
}

/// A region's structure, as `regionKey` writes it.  Hashed in one pass
/// of multiply-xorshift over the words rather than by `Hasher` word by word:
/// lowering looks one up per region root.
struct RegionKey: Hashable {
  let words: [UInt64]

  func hash(into hasher: inout Hasher) {
    var h = UInt64(words.count)
    for word in words {
      h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 29
    }
    hasher.combine(h)
  }
}

extension RuleContext {
  /// The recipe that builds `result` from `region`'s atoms, nodes and
  /// constants, with the positions of `region` set (`setPositions`); `nil`
  /// when `result` is reached through anything but sums, products and
  /// integer powers (a broadcast), which a replay could not rename.
  func recipe(for result: NodeID, region: [NodeID], atoms: [NodeID]) -> LoweringRecipe? {
    var slots: [NodeID: Int] = [:]
    for (slot, atom) in atoms.enumerated() { slots[atom] = slot }
    func leaf(_ id: NodeID) -> LoweringRecipe.Operand? {
      if id.index < regionPosition.count, regionPosition[id.index] >= 0 {
        return .region(Int(regionPosition[id.index]))
      }
      if scalar(id) != nil { return .constant(id) }
      return slots[id].map(LoweringRecipe.Operand.atom)
    }
    var inner: Set<NodeID> = []
    var stack = [result]
    while let id = stack.popLast() {
      guard leaf(id) == nil, !inner.contains(id) else { continue }
      guard isPolynomial(id) else { return nil }
      inner.insert(id)
      stack += builder.borrowedInputs(id)
    }
    var step: [NodeID: Int] = [:]
    var steps: [(op: Op, inputs: [LoweringRecipe.Operand])] = []
    // Ids are a topological order: a step's inputs come before it.
    for id in inner.sorted() {
      let inputs = builder.borrowedInputs(id).map { input in
        step[input].map(LoweringRecipe.Operand.step) ?? leaf(input)!
      }
      step[id] = steps.count
      steps.append((builder.op(id), inputs))
    }
    return LoweringRecipe(steps: steps, result: step[result].map { .step($0) } ?? leaf(result)!)
  }

  /// `recipe` built on `region`'s nodes and `atoms`.
  func replay(_ recipe: LoweringRecipe, region: [NodeID], atoms: [NodeID]) throws -> NodeID {
    var built: [NodeID] = []
    built.reserveCapacity(recipe.steps.count)
    func operand(_ o: LoweringRecipe.Operand) -> NodeID {
      switch o {
      case .step(let k): built[k]
      case .atom(let k): atoms[k]
      case .region(let k): region[k]
      case .constant(let id): id
      }
    }
    for (op, inputs) in recipe.steps {
      // Most steps are scalar products and sums of two: no input array.
      built.append(
        try inputs.count == 2
          ? node(op, operand(inputs[0]), operand(inputs[1])) : node(op, inputs.map(operand)))
    }
    return operand(recipe.result)
  }
}
