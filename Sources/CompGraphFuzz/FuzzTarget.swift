import CompGraph

/// One fuzz input through the parser and the whole `compgraph eval` path:
/// parse → freeze → check invariants → evaluate → gradient and second
/// gradient → simplify → evaluate them → compile and run the scalar
/// `Program` → print (listing, infix, DOT).  Errors are expected answers; only a crash, a
/// sanitizer report or a broken invariant is a finding.
///
/// Inputs whose tensors would be large are parsed but not evaluated, so the
/// fuzzer spends its time on structure, not on allocating gigabytes.
enum FuzzTarget {
  /// Largest graph (in nodes) that is differentiated and evaluated.
  static let nodeLimit = 4_000
  /// Largest tensor (in elements) any node may have for evaluation.
  static let elementLimit = 4_096

  static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
    let source = String(decoding: bytes, as: UTF8.self)
    guard let program = try? parseProgram(source, into: GraphBuilder()),
      let graph = try? program.graph()
    else { return }
    check(graph)
    _ = graph.listing
    guard isSmall(graph) else { return }
    let point = bindings(for: graph)
    _ = try? graph.evaluate(point)
    _ = try? DOTEncoder().encode(graph)
    _ = graph.outputs.map { graph.infix(of: $0) }
    let names = graph.variables.map(\.name)
    guard let first = try? graph.gradient(wrt: names) else { return }
    check(first)
    guard isSmall(first) else { return }
    _ = try? first.evaluate(point)
    _ = first.outputs.map { first.infix(of: $0) }
    let simple = simplify(first)
    check(simple)
    _ = try? simple.evaluate(point)
    _ = simple.infixLines()
    if let program = try? Program(simple) {
      _ = try? program.evaluate(point.compactMapValues(\.scalar))
    }
    guard let second = try? first.gradient(wrt: names) else { return }
    check(second)
    if isSmall(second) { _ = try? second.evaluate(point) }
  }

  /// Every graph a transform returns must satisfy ARCHITECTURE.md's invariants.
  private static func check(_ graph: Graph) {
    do {
      try graph.checkInvariants()
    } catch {
      fatalError("broken graph invariant: \(error)")
    }
  }

  private static func isSmall(_ graph: Graph) -> Bool {
    graph.nodeCount <= nodeLimit
      && graph.ids.allSatisfy { graph.shape($0).elementCount <= elementLimit }
  }

  /// A value for every variable: distinct, non-integral, mixed-sign scalars.
  private static func bindings(for graph: Graph) -> [String: Tensor] {
    var point: [String: Tensor] = [:]
    for (k, variable) in graph.variables.enumerated() {
      let count = variable.shape.elementCount
      let scalars = (0..<count).map { i in Double((k + i) % 7) * 0.375 - 0.8 }
      point[variable.name] = Tensor(shape: variable.shape, scalars: scalars)
    }
    return point
  }
}
