/// An immutable computational graph: nodes in topological order (every input
/// id is smaller than its node's id) and the ids of its named outputs.
///
/// Every stage of the pipeline — gradient, simplify, compile, render — maps
/// a `Graph` to a new value; nothing mutates one.
public struct Graph: Sendable {
  let nodes: NodeTable
  public let outputs: [NodeID]
  public let outputNames: [String]
  /// The scopes the nodes were built in (see `scope(of:)`).
  public let scopes: ScopeTable

  init(nodes: NodeTable, outputs: [NodeID], names: [String], scopes: ScopeTable = ScopeTable()) {
    precondition(outputs.count == names.count, "Graph: one name per output")
    self.nodes = nodes
    self.outputs = outputs
    self.outputNames = names
    self.scopes = scopes
  }

  /// Keeps only the nodes reachable from `outputs` (one backward loop over a
  /// mark array), renumbered densely in the same order.
  init(
    compacting table: NodeTable, outputs: [NodeID], names: [String],
    scopes: ScopeTable = ScopeTable()
  ) {
    var live = [Bool](repeating: false, count: table.count)
    for output in outputs { live[output.index] = true }
    // Inputs are read in place (`table` is not changed while this runs).
    for index in stride(from: table.count - 1, through: 0, by: -1) where live[index] {
      for input in table.borrowedInputs(NodeID(index)) { live[input.index] = true }
    }
    // Column by column: each is one exact-size copy of the live entries.
    let kept = (0..<table.count).filter { live[$0] }
    var newID = [Int32](repeating: -1, count: table.count)
    for (k, index) in kept.enumerated() { newID[index] = Int32(k) }
    var compact = NodeTable()
    compact.ops = kept.map { table.ops[$0] }
    compact.kinds = kept.map { table.kinds[$0] }
    compact.numbers = kept.map { table.numbers[$0] }
    compact.shapes = kept.map { table.shapes[$0] }
    compact.types = kept.map { table.types[$0] }
    compact.scopes = kept.map { table.scopes[$0] }
    compact.inputStart.reserveCapacity(kept.count + 1)
    compact.inputList.reserveCapacity(
      kept.reduce(0) { $0 + table.borrowedInputs(NodeID($1)).count })
    for index in kept {
      compact.inputList.append(
        contentsOf: table.borrowedInputs(NodeID(index)).lazy.map { NodeID(Int(newID[$0.index])) })
      compact.inputStart.append(Int32(compact.inputList.count))
    }
    self.init(
      nodes: compact, outputs: outputs.map { NodeID(Int(newID[$0.index])) }, names: names,
      scopes: scopes)
  }

  static func defaultNames(_ count: Int) -> [String] {
    count == 1 ? ["f"] : (0..<count).map { "f\($0)" }
  }

  public var nodeCount: Int { nodes.count }
  public var edgeCount: Int { nodes.inputList.count }
  public var ids: [NodeID] { (0..<nodes.count).map(NodeID.init) }

  public func op(_ id: NodeID) -> Op { nodes.ops[id.index] }
  public func shape(_ id: NodeID) -> Shape { nodes.shapes[id.index] }
  /// The element type of node `id`'s values (a literal's is f64).
  public func dtype(_ id: NodeID) -> DType { nodes.types[id.index].dtype }
  /// `dtype` as promotion sees it (a literal is `.weak`).
  package func elementType(_ id: NodeID) -> ElementType { nodes.types[id.index] }
  public func inputs(_ id: NodeID) -> NodeInputs { nodes.inputs(id) }
  /// The scope `id` was first built in: an index into `scopes` (0 is the root).
  public func scope(of id: NodeID) -> Int32 { nodes.scopes[id.index] }

  /// The variables of the graph, in node order, with their shapes.
  public var variables: [(name: String, shape: Shape)] {
    nodes.ops.indices.compactMap { index in
      if case .variable(let name) = nodes.ops[index] { return (name, nodes.shapes[index]) }
      return nil
    }
  }

  /// The element types of the graph's variables, by name.
  public var variableTypes: [String: DType] {
    var types: [String: DType] = [:]
    for index in nodes.ops.indices {
      if case .variable(let name) = nodes.ops[index] { types[name] = nodes.types[index].dtype }
    }
    return types
  }

  /// Operation count as BENCHMARKS.md defines it (SymPy's `count_ops` after
  /// `cse`): every op node reachable from the outputs once; an n-ary sum or
  /// product with k inputs counts k − 1, other ops 1, leaves 0.
  public var operationCount: Int {
    var total = 0
    for index in 0..<nodes.count { total += nodes.operationWeight(NodeID(index)) }
    return total
  }

  /// The same nodes with other outputs (then compacted).
  public func with(outputs: [NodeID], names: [String]) -> Graph {
    Graph(compacting: nodes, outputs: outputs, names: names, scopes: scopes)
  }
}
