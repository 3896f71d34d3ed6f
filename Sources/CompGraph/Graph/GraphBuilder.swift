/// The mutable arena in which graphs are built: a node table in topological
/// order plus the intern table that makes every structure exist once.
///
/// `Expr` handles point into a builder; operators on handles append to it.
/// A builder is not thread-safe: build on one task, then freeze a `Graph`
/// (an immutable, `Sendable` value) to share.
public final class GraphBuilder {
  // Read on every node visit, or every append: no dynamic exclusivity
  // check (nothing holds an access to these across a call that appends).
  @exclusivity(unchecked) var nodes = NodeTable()
  @exclusivity(unchecked) private var intern = InternTable()
  private var variableShapes: [String: Shape] = [:]
  private var variableTypes: [String: DType] = [:]
  /// The scope tree; `currentScope` is where new nodes go.
  @exclusivity(unchecked) public internal(set) var scopes = ScopeTable()
  @exclusivity(unchecked) public internal(set) var currentScope: Int32 = 0
  /// `scopes.internKey(currentScope)`, kept beside it.
  @exclusivity(unchecked) private var currentKey: Int32 = 0
  /// The scalar constant nodes made by `constantNode(_: Double)`, by bit pattern.
  private var scalarConstants: [UInt64: NodeID] = [:]
  /// The element type of variables made without one (`variable(_:_:)`, a
  /// module's parameters, an optimizer's state): f64 unless set, as
  /// PyTorch's `set_default_dtype`.
  public var defaultDType: DType = .f64
  /// Whether some node has f32 values (`converted(_:to:)` reads it).
  private(set) var holdsF32 = false
  /// Nodes the simplifier found in normal form here (skipped by later runs).
  var normalForm = NormalFormMarks()

  /// Node visits by the passes that differentiate and simplify in this
  /// arena (sweeps, rule attempts, graph walks): a measure of their work
  /// that does not depend on the machine, for tests that check a pass
  /// grows no faster than the graph.
  package internal(set) var visits = 0

  public init() {}

  /// A builder that starts with every node of `graph` (same ids and scopes).
  public init(_ graph: Graph) {
    nodes.reserve(graph.nodes.count, inputs: graph.nodes.inputList.count)
    scopes = graph.scopes
    for index in 0..<graph.nodes.count {
      let id = NodeID(index)
      let op = graph.nodes.ops[index]
      enter(graph.nodes.scopes[index])
      _ = append(
        op, graph.nodes.inputs(id), shape: graph.nodes.shapes[index],
        type: graph.nodes.types[index])
      if case .variable(let name) = op {
        variableShapes[name] = graph.nodes.shapes[index]
        variableTypes[name] = graph.nodes.types[index].dtype
      }
    }
    enter(0)
  }

  /// Makes `scope` the one new nodes are built in.
  func enter(_ scope: Int32) {
    currentScope = scope
    currentKey = scopes.internKey(scope)
  }

  /// Runs `body` with new nodes built in the child scope `name` of the
  /// current one (a module call, a `.cg` `scope name { … }` block).
  public func withScope<T>(
    _ name: String, kind: ScopeTable.Kind = .module, _ body: () throws -> T
  ) rethrows -> T {
    let outer = currentScope
    enter(scopes.child(of: outer, named: name, kind: kind))
    defer { enter(outer) }
    return try body()
  }

  /// Opens the child scope `name` of the current one until `closeScope()`.
  public func openScope(_ name: String, kind: ScopeTable.Kind = .module) {
    enter(scopes.child(of: currentScope, named: name, kind: kind))
  }

  /// Closes the innermost open scope; `false` at the root.
  @discardableResult
  public func closeScope() -> Bool {
    guard currentScope > 0 else { return false }
    enter(scopes.entries[Int(currentScope)].parent)
    return true
  }

  /// The names of the module scopes around the current one, joined by dots
  /// (`rnn.cell`), "" at the root: the prefix of parameter paths.
  /// Checkpoint segments are not part of it.
  public var scopePath: String {
    var names: [String] = []
    var scope = currentScope
    while scope > 0 {
      let entry = scopes.entries[Int(scope)]
      if entry.kind == .module { names.append(entry.name) }
      scope = entry.parent
    }
    return names.reversed().joined(separator: ".")
  }

  /// The scope node `id` was first built in.
  public func scope(of id: NodeID) -> Int32 { nodes.scopes[id.index] }

  /// Moves existing nodes into `scope` (a label only: `scope` must intern
  /// like their current one, which every non-recompute scope does).
  func rescope(_ ids: [NodeID], to scope: Int32) {
    for id in ids {
      precondition(scopes.internKey(nodes.scopes[id.index]) == scopes.internKey(scope))
      nodes.scopes[id.index] = scope
    }
  }

  /// The number of nodes in the arena.
  public var count: Int { nodes.count }

  public func op(_ id: NodeID) -> Op { nodes.ops[id.index] }
  /// `op(id).kind`, without copying the op.
  func kind(_ id: NodeID) -> Op.Kind { nodes.kinds[id.index] }
  public func shape(_ id: NodeID) -> Shape { nodes.shapes[id.index] }
  /// The element type of node `id`'s values (a literal's is f64).
  public func dtype(_ id: NodeID) -> DType { nodes.types[id.index].dtype }
  /// `dtype` as promotion sees it (a literal is `.weak`).
  package func elementType(_ id: NodeID) -> ElementType { nodes.types[id.index] }
  public func inputs(_ id: NodeID) -> NodeInputs { nodes.inputs(id) }

  /// The inputs of `id` in place in the arena (`NodeTable.borrowedInputs`):
  /// valid only until the next node is appended (an append may move the
  /// list), so only for walks that build nothing.
  @inline(__always)
  func borrowedInputs(_ id: NodeID) -> UnsafeBufferPointer<NodeID> { nodes.borrowedInputs(id) }

  /// Interns a node whose shape is already known to be right.  Its element
  /// type is `type` (a variable's, or a copied graph's), else the
  /// promotion of its operands' (`resultType`); an operand of another
  /// type than that (f32 in an f64 op) is cast to it first, so that every
  /// node computes in one type and a rewrite never regroups values across
  /// types (a literal operand is converted where it is used).
  @discardableResult
  func append(
    _ op: Op, _ inputs: some Collection<NodeID>, shape: Shape, type: ElementType? = nil
  ) -> NodeID {
    if type == nil, holdsF32, let promoted = promotedInputs(op, inputs) {
      return append(op, promoted, shape: shape)
    }
    // Leaves are one node per name or value whatever the scope: only
    // operations are interned apart inside a recompute scope.  Constants
    // belong to no scope; a variable to the scope it is declared in.
    let key = op.isLeaf ? 0 : currentKey
    let hash = InternTable.hash(op, inputs, key: key)
    let existing = intern.find(inputs, hash: hash) { id in
      InternTable.isSame(nodes.ops[id.index], op)
        && nodes.borrowedInputs(id).elementsEqual(inputs)
        && scopes.internKeys[Int(nodes.scopes[id.index])] == key
    }
    if let existing { return existing }
    let scope: Int32 =
      switch op {
      case .constant: 0
      case .variable: currentKey == 0 ? currentScope : 0
      default: currentScope
      }
    let type = type ?? resultType(op, inputs)
    if type == .f32 { holdsF32 = true }
    let id = nodes.append(op, inputs, shape: shape, type: type, scope: scope)
    intern.insert(id, inputs: inputs, hash: hash)
    return id
  }

  /// The variable `name` of the given shape and element type
  /// (`defaultDType` if not given; the same node every time).  Throws `GraphError.invalidName` for an empty name or one
  /// holding a control or invisible character (it would corrupt messages
  /// and SVG), and `conflictingVariable(Type)` for a name declared before
  /// with another shape or type.
  public func variableNode(_ name: String, shape: Shape = [], dtype: DType? = nil) throws -> NodeID
  {
    let dtype = dtype ?? defaultDType
    if let known = variableShapes[name], known != shape {
      throw GraphError.conflictingVariable(name: name, shapes: [known, shape])
    }
    if let known = variableTypes[name], known != dtype {
      throw GraphError.conflictingVariableType(name: name, types: [known, dtype])
    }
    guard !name.isEmpty, !name.unicodeScalars.contains(where: isInvisible) else {
      throw GraphError.invalidName(name)
    }
    guard shape.checkedElementCount != nil else {
      throw GraphError.shapeTooLarge(op: "variable '\(displayText(name, limit: 40))'", shape: shape)
    }
    variableShapes[name] = shape
    variableTypes[name] = dtype
    return append(.variable(name), [], shape: shape, type: ElementType(dtype))
  }

  /// A constant node: an f64 tensor is a literal (it takes the type of
  /// what it meets), an f32 one is f32.
  public func constantNode(_ value: Tensor) -> NodeID {
    append(.constant(value), [], shape: value.shape, type: value.dtype == .f32 ? .f32 : .weak)
  }

  /// `inputs` with each operand of a strong type other than `op`'s result
  /// type cast to it (and sorted again for a commutative op); `nil` when
  /// every operand has that type or is a literal.
  private func promotedInputs(_ op: Op, _ inputs: some Collection<NodeID>) -> [NodeID]? {
    let type = resultType(op, inputs)
    let skip: Int
    switch op.typeRule {
    case .converted: return nil
    case .promotedAfterFirst: skip = 1
    case .promoted: skip = 0
    }
    var ins = Array(inputs)
    var changed = false
    for k in ins.indices.dropFirst(skip) {
      let have = nodes.types[ins[k].index]
      guard have != .weak, have != type else { continue }
      ins[k] = append(
        .cast(type.dtype), CollectionOfOne(ins[k]), shape: nodes.shapes[ins[k].index])
      changed = true
    }
    guard changed else { return nil }
    if op.kind.isCommutative { ins.sort() }
    return ins
  }

  /// The element type of `op` on `inputs` (`Op.typeRule`); a leaf with
  /// no given type is a literal.
  @inline(__always)
  private func resultType(_ op: Op, _ inputs: some Collection<NodeID>) -> ElementType {
    var type = ElementType.weak
    switch op.typeRule {
    case .converted(let target): return ElementType(target)
    case .promotedAfterFirst:
      for input in inputs.dropFirst() { type = max(type, nodes.types[input.index]) }
    case .promoted:
      for input in inputs { type = max(type, nodes.types[input.index]) }
    }
    return type
  }

  /// A scalar constant node.  Rules ask for the same few constants over
  /// and over: each is looked up by its bit pattern, so that only the first
  /// request makes a `Tensor`.
  public func constantNode(_ value: Double) -> NodeID {
    if let id = scalarConstants[value.bitPattern] { return id }
    let id = constantNode(Tensor(value))
    scalarConstants[value.bitPattern] = id
    return id
  }

  /// Builds `op(inputs)`: checks arity and shapes (and that the result has at
  /// most `Shape.maxElementCount` elements), sorts the inputs of
  /// commutative ops, and returns the existing node when there is one.
  /// A one-input sum or product is its input, and a scalar factor 1 is
  /// dropped from a product when that leaves its shape unchanged (exact for
  /// every x, NaN and ∞ included: x · 1 = x).  A `sumTo` or `broadcastTo`
  /// to the shape its input already has is that input, and so is a cast to
  /// the type it has.
  public func node(_ op: Op, _ inputs: [NodeID]) throws -> NodeID {
    if let id = scalarFastPath(op, inputs) { return id }
    if case .cast(let dtype) = op, inputs.count == 1,
      nodes.types[inputs[0].index] == ElementType(dtype)
    {
      return inputs[0]
    }
    var inputs = inputs
    var shapes = inputs.map { nodes.shapes[$0.index] }
    let shape = try op.outputShape(shapes)
    guard shape.checkedElementCount != nil else {
      throw GraphError.shapeTooLarge(op: op.info.name, shape: shape)
    }
    if op == .mul, inputs.count > 1, inputs.contains(where: isScalarOne) {
      var kept = inputs.indices.filter { !isScalarOne(inputs[$0]) }
      if kept.isEmpty { kept = [inputs.indices.last!] }
      if (try? op.outputShape(kept.map { shapes[$0] })) == shape {
        inputs = kept.map { inputs[$0] }
        shapes = kept.map { shapes[$0] }
      }
    }
    if inputs.count == 1, op == .add || op == .mul || reshapes(op), shapes[0] == shape {
      return inputs[0]
    }
    if op.kind.isCommutative {
      return append(op, inputs.sorted(), shape: shape)
    }
    return append(op, inputs, shape: shape)
  }

  /// `node` for the most common case — scalar inputs to a sum or product
  /// or to a unary elementwise op — without shape inference (and for one
  /// or two inputs without allocating); `nil` when the general path is
  /// needed.
  @inline(__always)
  func scalarFastPath(_ op: Op, _ inputs: [NodeID]) -> NodeID? {
    switch inputs.count {
    case 0: nil
    case 1: scalarFastPath(op, inputs[0])
    case 2: scalarFastPath(op, inputs[0], inputs[1])
    default: scalarSumOrProduct(op, inputs)
    }
  }

  /// `scalarFastPath` for three or more inputs.
  private func scalarSumOrProduct(_ op: Op, _ inputs: [NodeID]) -> NodeID? {
    guard op == .add || op == .mul, inputs.allSatisfy({ nodes.shapes[$0.index].isEmpty }) else {
      return nil
    }
    var ins = inputs
    if op == .mul, ins.contains(where: isScalarOne) {
      ins.removeAll(where: isScalarOne)
      if ins.isEmpty { return inputs[inputs.count - 1] }
    }
    if ins.count == 1 { return ins[0] }
    if zip(ins, ins.dropFirst()).contains(where: { $0 > $1 }) { ins.sort() }
    return append(op, ins, shape: [])
  }

  /// `scalarFastPath` for one input.
  @inline(__always)
  func scalarFastPath(_ op: Op, _ a: NodeID) -> NodeID? {
    switch op {
    case .exp, .ln, .sqrt, .sin, .cos, .tanh, .pow:
      guard nodes.shapes[a.index].isEmpty else { return nil }
      return append(op, CollectionOfOne(a), shape: [])
    default:
      return nil
    }
  }

  /// `scalarFastPath` for two inputs.
  @inline(__always)
  func scalarFastPath(_ op: Op, _ a: NodeID, _ b: NodeID) -> NodeID? {
    switch op {
    case .add, .mul:
      guard nodes.shapes[a.index].isEmpty, nodes.shapes[b.index].isEmpty else { return nil }
      // x · 1 = x (every pullback through a sum multiplies by 1).
      if op == .mul, isScalarOne(a) { return b }
      if op == .mul, isScalarOne(b) { return a }
      return a <= b
        ? append(op, CollectionOfTwo(a, b), shape: [])
        : append(op, CollectionOfTwo(b, a), shape: [])
    default:
      return nil
    }
  }

  /// Whether `op` is `sumTo` or `broadcastTo`, which only change a shape.
  private func reshapes(_ op: Op) -> Bool {
    switch op {
    case .sumTo, .broadcastTo: true
    default: false
    }
  }

  /// Whether `id` is the scalar literal 1 (an f32 1 is kept: dropping it
  /// from a product of literals would change the product's type).
  func isScalarOne(_ id: NodeID) -> Bool {
    scalarConstant(id) == 1 && nodes.types[id.index] == .weak
  }

  /// The value of `id` if it is a scalar constant.  (Each column is read on
  /// its own: a method of the whole table would copy it, retaining every
  /// column.)
  func scalarConstant(_ id: NodeID) -> Double? {
    nodes.kinds[id.index] == .constant && nodes.shapes[id.index].isEmpty
      ? nodes.numbers[id.index] : nil
  }

  /// `id` standing for a value of type `type` (a rewrite's result for the
  /// node it replaces, a derivative for its variable): `id` itself when its
  /// type is `type`, else cast to it; `nil` when `type` is a literal's and
  /// `id` is not one.  A literal stands for f64 as it is when
  /// `literalIsF64`, or when the arena holds no f32 value; otherwise it is
  /// cast, since it would promote otherwise than an f64 does where it meets
  /// an f32.  (Derivatives pass `literalIsF64`: an adjoint is converted to
  /// its operand's type where it arrives, so a literal adjoint times an f32
  /// local derivative is an f32 product, cast to f64 for an f64 operand.)
  func converted(_ id: NodeID, to type: ElementType, literalIsF64: Bool = false) throws -> NodeID? {
    let have = nodes.types[id.index]
    if have == type || (have == .weak && type == .f64 && (literalIsF64 || !holdsF32)) {
      return id
    }
    if type == .weak { return nil }
    return try node(.cast(type.dtype), [id])
  }

  /// The shapes of declared variables, by name.
  public var variables: [String: Shape] { variableShapes }

  /// The element types of declared variables, by name.
  public var variableDTypes: [String: DType] { variableTypes }

  /// The id of an existing variable, if it was declared.
  public func existingVariable(_ name: String) -> NodeID? {
    guard let shape = variableShapes[name] else { return nil }
    return try? variableNode(name, shape: shape, dtype: variableTypes[name] ?? .f64)
  }

  /// Freezes the nodes reachable from `outputs` into an immutable graph.
  public func graph(outputs: [NodeID], names: [String]? = nil) -> Graph {
    Graph(
      compacting: nodes, outputs: outputs, names: names ?? Graph.defaultNames(outputs.count),
      scopes: scopes)
  }
}

/// Two ids as a collection, without an array allocation.
struct CollectionOfTwo: RandomAccessCollection {
  let first: NodeID
  let second: NodeID
  init(_ first: NodeID, _ second: NodeID) {
    self.first = first
    self.second = second
  }
  var startIndex: Int { 0 }
  var endIndex: Int { 2 }
  subscript(position: Int) -> NodeID { position == 0 ? first : second }
}
