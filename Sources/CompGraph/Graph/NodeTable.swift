/// The flat storage behind a graph: one entry per node, in topological order.
/// Inputs are stored end to end in one array (CSR style), so a million-node
/// graph is a handful of arrays and frees without recursion.
struct NodeTable: Sendable {
  var ops: [Op] = []
  /// Per node, read from its op once: the kind, and the number a pass
  /// compares most (a scalar constant's value, a `pow`'s exponent; 0
  /// otherwise).  Reading these copies no `Op`, whose payload copy costs
  /// reference counting.
  var kinds: [Op.Kind] = []
  var numbers: [Double] = []
  var shapes: [Shape] = []
  /// Per node, its element type (`ElementType`: f32, f64 or a literal's).
  var types: [ElementType] = []
  /// The scope each node was first built in (an index into a `ScopeTable`).
  var scopes: [Int32] = []
  var inputStart: [Int32] = [0]
  var inputList = InputList()

  var count: Int { ops.count }

  func inputs(_ id: NodeID) -> NodeInputs {
    inputList[Int(inputStart[id.index])..<Int(inputStart[id.index + 1])]
  }

  /// The inputs of `id` in place, without the retain of the store that a
  /// `NodeInputs` view costs: valid only while this table is neither
  /// appended to nor freed, so only for walks that build nothing.
  @inline(__always)
  func borrowedInputs(_ id: NodeID) -> UnsafeBufferPointer<NodeID> {
    let start = Int(inputStart[id.index])
    return UnsafeBufferPointer(
      start: inputList.base + start, count: Int(inputStart[id.index + 1]) - start)
  }

  mutating func append(
    _ op: Op, _ inputs: some Collection<NodeID>, shape: Shape, type: ElementType,
    scope: Int32 = 0
  ) -> NodeID {
    let id = NodeID(ops.count)
    ops.append(op)
    kinds.append(op.kind)
    switch op {
    case .constant(let t) where t.isScalar: numbers.append(t.scalars[0])
    case .pow(let c): numbers.append(c)
    default: numbers.append(0)
    }
    shapes.append(shape)
    types.append(type)
    scopes.append(scope)
    inputList.append(contentsOf: inputs)
    inputStart.append(Int32(inputList.count))
    return id
  }

  /// What one node adds to an operation count (BENCHMARKS.md): an n-ary sum
  /// or product of k inputs k − 1, another op 1, a leaf 0.
  func operationWeight(_ id: NodeID) -> Int {
    switch kinds[id.index] {
    case .variable, .constant: 0
    case .add, .mul: inputs(id).count - 1
    default: 1
    }
  }

  mutating func reserve(_ nodes: Int, inputs: Int) {
    ops.reserveCapacity(nodes)
    kinds.reserveCapacity(nodes)
    numbers.reserveCapacity(nodes)
    shapes.reserveCapacity(nodes)
    types.reserveCapacity(nodes)
    scopes.reserveCapacity(nodes)
    inputStart.reserveCapacity(nodes + 1)
    inputList.reserveCapacity(inputs)
  }
}
