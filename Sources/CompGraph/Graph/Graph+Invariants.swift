/// ARCHITECTURE.md invariants 1 and 3, checked: run after every transform in tests.
extension Graph {
  /// A broken invariant, with the node it concerns.
  public struct InvariantViolation: Error, CustomStringConvertible {
    public let node: NodeID
    public let message: String
    public var description: String { "\(node): \(message)" }
  }

  /// Throws the first violated invariant:
  /// - every input id is smaller than its node's id (topological order);
  /// - arities match the op table, and commutative inputs are sorted;
  /// - every shape equals the shape inferred from the inputs (einsum specs valid);
  /// - no two nodes have the same op and inputs (the intern table is a bijection);
  /// - every node is reachable from an output (the graph is compacted), and
  ///   one variable name has one shape.
  public func checkInvariants() throws {
    var seen: [Int: [Int]] = [:]
    var variableShapes: [String: Shape] = [:]
    for index in 0..<nodeCount {
      let id = NodeID(index)
      let op = nodes.ops[index]
      let ins = Array(nodes.inputs(id))
      func fail(_ message: String) -> InvariantViolation {
        InvariantViolation(node: id, message: message)
      }
      if let bad = ins.first(where: { $0.index >= index }) {
        throw fail("input \(bad) is not before its user")
      }
      guard op.info.arity.accepts(ins.count) else {
        throw fail("\(op.info.name) with \(ins.count) inputs")
      }
      if op.info.isCommutative && ins != ins.sorted() {
        throw fail("commutative inputs are not sorted")
      }
      switch op {
      case .variable(let name):
        if let known = variableShapes[name], known != nodes.shapes[index] {
          throw fail("variable \(name) has two shapes")
        }
        variableShapes[name] = nodes.shapes[index]
      case .constant(let t):
        if t.shape != nodes.shapes[index] { throw fail("constant shape differs from node shape") }
      default:
        let inferred: Shape
        do { inferred = try op.outputShape(ins.map { nodes.shapes[$0.index] }) } catch {
          throw fail("\(error)")
        }
        if inferred != nodes.shapes[index] {
          throw fail("shape \(nodes.shapes[index]) but inputs give \(inferred)")
        }
      }
      let key = scopes.internKey(nodes.scopes[index])
      let hash = InternTable.hash(op, ins, key: key)
      for other in seen[hash, default: []]
      where nodes.ops[other] == op && Array(nodes.inputs(NodeID(other))) == ins
        && scopes.internKey(nodes.scopes[other]) == key
      {
        throw fail("duplicates node %\(other)")
      }
      seen[hash, default: []].append(index)
    }
    var live = [Bool](repeating: false, count: nodeCount)
    for output in outputs {
      guard output.index < nodeCount else {
        throw InvariantViolation(node: output, message: "output out of range")
      }
      live[output.index] = true
    }
    for index in stride(from: nodeCount - 1, through: 0, by: -1) where live[index] {
      for input in nodes.inputs(NodeID(index)) { live[input.index] = true }
    }
    if let dead = live.firstIndex(of: false) {
      throw InvariantViolation(node: NodeID(dead), message: "unreachable from the outputs")
    }
  }
}
