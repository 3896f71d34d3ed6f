/// Checkpointing in the reverse sweep.
///
/// Nodes built inside `GraphBuilder.checkpoint(_:_:)` form a segment.  When
/// the backward sweep first needs a segment's activations it rebuilds the
/// whole segment from the segment's inputs, in a fresh *recompute* scope,
/// and the pullbacks of the segment's nodes read the copy instead of the
/// original.  The originals are then used by the forward pass only, so an
/// evaluator that frees values after their last use keeps just the
/// segments' inputs alive across the backward pass, plus one segment at a
/// time.
///
/// A segment's outputs — its nodes read from outside the segment — are
/// kept by the forward pass anyway (they are the checkpoints), so they are
/// read as they are, not rebuilt; only the segment's interior is recomputed.
/// The rebuild waits for the first pullback that reads an interior value: a
/// segment output whose derivative mentions only itself (d tanh x =
/// (1 − y²) dx) is pulled back first, so the values that pullback frees
/// (the output itself, at the top of the network) are gone before the
/// copy exists.
///
/// A recompute scope takes part in hash-consing (`ScopeTable.internKey`):
/// `tanh(h·W + b)` rebuilt there is a new node, not the forward one, and
/// the simplifier rebuilds and rewrites such nodes in their own scope, so
/// simplifying (or compiling) the gradient keeps the copy apart too.
struct Recomputation {
  /// The checkpoint scope each node below `end` belongs to, or -1; empty
  /// when the graph has no checkpoint (the usual case costs nothing).
  private var segment: [Int32] = []
  /// Whether a node of a segment is read by a node outside it.
  private var isSegmentOutput: [Bool] = []
  /// Per segment, original node index → its recomputed copy.
  private var copies: [Int32: [Int: NodeID]] = [:]

  init(_ builder: GraphBuilder, end: Int) {
    let scopes = builder.scopes
    guard scopes.entries.contains(where: { $0.kind == .checkpoint }) else { return }
    var cache: [Int32: Int32] = [:]
    segment = (0..<end).map { index in
      let scope = builder.nodes.scopes[index]
      if let known = cache[scope] { return known }
      let found = scopes.enclosing(scope, kind: .checkpoint) ?? -1
      cache[scope] = found
      return found
    }
    isSegmentOutput = [Bool](repeating: false, count: end)
    for index in 0..<end {
      for input in builder.inputs(NodeID(index))
      where segment[input.index] >= 0 && segment[input.index] != segment[index] {
        isSegmentOutput[input.index] = true
      }
    }
  }

  /// The nodes node `index`'s pullback should read: its `inputs` and itself,
  /// or their recomputed copies when the node lies in a checkpoint segment
  /// (inputs from outside the segment are read as they are).
  mutating func operands(of index: Int, inputs: [NodeID], in builder: GraphBuilder) throws -> (
    inputs: [NodeID], node: NodeID
  ) {
    guard !segment.isEmpty, segment[index] >= 0 else { return (inputs, NodeID(index)) }
    let s = segment[index]
    if copies[s] == nil {
      if isSegmentOutput[index] && !Self.pullbackReadsInputs(of: NodeID(index), in: builder) {
        return (inputs, NodeID(index))
      }
      copies[s] = try recompute(s, upTo: index, in: builder)
    }
    let copy = copies[s]!
    return (inputs.map { copy[$0.index] ?? $0 }, copy[index] ?? NodeID(index))
  }

  /// Whether the pullback of node `id` reads its inputs, not only its own
  /// value: the derivative table's rules for its op, built on stand-in
  /// variables in a scratch builder, mention a stand-in input.
  private static func pullbackReadsInputs(of id: NodeID, in builder: GraphBuilder) -> Bool {
    if case .scan = builder.op(id) { return true }  // it reruns the loop from its inputs
    let probe = GraphBuilder()
    guard
      let x = try? builder.inputs(id).enumerated().map({ k, input in
        try probe.variable("x\(k)", builder.shape(input))
      }),
      let y = try? probe.variable("y", builder.shape(id)),
      let ḡ = try? probe.variable("g", builder.shape(id))
    else { return true }
    var results: [Expr] = []
    for k in x.indices {
      switch localDerivative(builder.op(id), k, x, y) {
      case .zero: continue
      case .scale(let factor): results.append(factor)
      case .select(let mask, _): results.append(mask)
      case .linear(_, let transpose): results.append(transpose(ḡ))
      }
    }
    guard let roots = try? results.map({ try $0.node() }) else { return true }
    let reached = probe.reachableInOrder(from: roots).marks
    return x.contains { input in
      guard let node = try? input.node() else { return true }
      return node.index < reached.count && reached[node.index]
    }
  }

  /// Rebuilds every interior operation of segment `s` at or below `last` in a fresh
  /// recompute scope (one forward loop), mapping inputs inside the segment
  /// to their copies.
  private func recompute(_ s: Int32, upTo last: Int, in builder: GraphBuilder) throws -> [Int:
    NodeID]
  {
    let outer = builder.currentScope
    defer { builder.enter(outer) }
    builder.enter(builder.scopes.child(of: s, named: "recompute", kind: .recompute))
    var copy: [Int: NodeID] = [:]
    for index in 0...last
    where segment[index] == s && !builder.op(NodeID(index)).isLeaf && !isSegmentOutput[index] {
      let inputs = builder.inputs(NodeID(index)).map { copy[$0.index] ?? $0 }
      copy[index] = try builder.node(builder.op(NodeID(index)), inputs)
    }
    return copy
  }
}

extension GraphBuilder {
  /// Runs `body` with the nodes it builds marked as one checkpoint segment:
  /// `gradient` recomputes them from the segment's inputs in the backward
  /// pass instead of keeping their values alive (trading time for memory).
  /// The forward values are unchanged.
  public func checkpoint<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    try withScope(name, kind: .checkpoint, body)
  }
}
