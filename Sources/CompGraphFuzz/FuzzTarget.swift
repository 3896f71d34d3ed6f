import CompGraph

/// One fuzz input through the parser and the whole `compgraph eval` path:
/// parse → freeze → check invariants → print (listing, infix, DOT) →
/// simplify the original → estimate memory → evaluate → gradient and second
/// gradient → simplify → evaluate them → compile and run the scalar
/// `Program` → the derivative tower in one variable to order 2 (where the
/// polynomial ring takes the orders it can).  Errors are expected answers;
/// only a crash, a sanitizer report or a broken invariant is a finding.
///
/// Symbolic steps (parsing, printing, simplifying) run on every input, huge
/// shapes included, so shape overflow and constant folding are reached;
/// evaluation runs when the memory estimate is small, and differentiation
/// when the graph is, so the fuzzer spends its time on structure, not on
/// allocating gigabytes or on the derivatives of very deep chains or of
/// many-variable power towers.
enum FuzzTarget {
  /// Largest graph (in nodes) that is differentiated: the derivatives of
  /// a deeper chain take seconds (the build-speed issue), which would stall
  /// the fuzzer.
  static let nodeLimit = 300
  /// Largest reverse-sweep cost, nodes × outputs, of the second gradient.
  /// The first gradient of a k-variable graph has k outputs, and its own
  /// gradient sweeps it once per output. Without this bound, power towers
  /// over up to 15 names (4,500 node visits at 300 nodes) filled the
  /// corpus, each taking seconds under the address sanitizer.
  static let sweepLimit = 2_000
  /// Characters of each output's expanded text: written out in full, a
  /// shared DAG's text grows exponentially (`infix(of:)`), and printing the
  /// gradients of power towers took 58% of the harness's time.
  static let textLimit = 4096
  /// The derivative tower's highest order, the largest graph it runs on
  /// (power towers near `nodeLimit` doubled the harness's time at order 3),
  /// and the nodes it may add.
  static let towerOrder = 2
  static let towerNodeLimit = 100
  static let towerBudget = 5_000
  /// The most bytes an evaluation may need (`Graph.peakMemoryEstimate`).
  static let memoryLimit = 32.0 * 1024 * 1024

  static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
    let source = String(decoding: bytes, as: UTF8.self)
    guard let program = try? parseProgram(source, into: GraphBuilder()),
      let graph = try? program.graph()
    else { return }
    check(graph)
    _ = graph.listing
    _ = graph.infix(of: graph.outputs, limit: textLimit)
    _ = try? DOTEncoder().encode(graph)
    let simpleOriginal = simplify(graph)
    check(simpleOriginal)
    _ = simpleOriginal.infixLines()
    let point = bindings(for: graph)
    if fits(graph) { _ = try? graph.evaluate(point) }
    if fits(simpleOriginal) { _ = try? simpleOriginal.evaluate(point) }
    guard graph.nodeCount <= nodeLimit else { return }
    let names = graph.variables.map(\.name)
    guard let first = try? graph.gradient(wrt: names) else { return }
    check(first)
    _ = first.infix(of: first.outputs, limit: textLimit)
    if fits(first) { _ = try? first.evaluate(point) }
    let simple = simplify(first)
    check(simple)
    _ = simple.infixLines()
    if fits(simple) {
      _ = try? simple.evaluate(point)
      if let program = try? Program(simple) {
        _ = try? program.evaluate(point.compactMapValues(\.scalar))
      }
    }
    if graph.nodeCount <= towerNodeLimit, graph.outputs.count == 1,
      let x = graph.variables.first(where: { $0.shape.isEmpty }),
      let tower = try? graph.derivatives(
        wrt: [x.name], order: towerOrder, simplifying: true, nodeBudget: towerBudget)
    {
      check(tower.graph)
      if fits(tower.graph) { _ = try? tower.graph.evaluate(point) }
    }
    guard first.nodeCount <= nodeLimit, first.nodeCount * names.count <= sweepLimit,
      let second = try? first.gradient(wrt: names)
    else { return }
    check(second)
    if fits(second) { _ = try? second.evaluate(point) }
  }

  /// Every graph a transform returns must satisfy ARCHITECTURE.md's invariants.
  private static func check(_ graph: Graph) {
    do {
      try graph.checkInvariants()
    } catch {
      fatalError("broken graph invariant: \(error)")
    }
  }

  /// Whether evaluating `graph` needs at most `memoryLimit` bytes.
  private static func fits(_ graph: Graph) -> Bool {
    graph.peakMemoryEstimate().bytes <= memoryLimit
  }

  /// A value for every variable small enough to evaluate: distinct,
  /// non-integral, mixed-sign scalars.
  private static func bindings(for graph: Graph) -> [String: Tensor] {
    var point: [String: Tensor] = [:]
    for (k, variable) in graph.variables.enumerated()
    where Double(variable.shape.elementCount) * 8 <= memoryLimit {
      let count = variable.shape.elementCount
      let scalars = (0..<count).map { i in Double((k + i) % 7) * 0.375 - 0.8 }
      point[variable.name] = Tensor(shape: variable.shape, scalars: scalars)
    }
    return point
  }
}
