/// Lowering across the whole graph: products that share factors share their
/// partial products.  Rewrite rules see one node at a time; this pass sees
/// every product at once, like the `Mul` part of SymPy's `cse`.
///
///     a·b·c·x₁, a·b·c·x₂, …      ⇒      p = a·b·c,  p·x₁, p·x₂, …
///
/// Greedy pairing: count how many products (of three or more scalar
/// factors) contain each pair of factors; the most frequent pair, if it
/// occurs at least twice, becomes one node that replaces the pair wherever it
/// occurs; repeat.  A Hessian's −xᵢ·xⱼ·r⁻³ entries become (−r⁻³·xᵢ)·xⱼ, one
/// operation each.  Exact in real arithmetic; in floating point the product
/// is associated differently (a few ulp).
func shareProducts(_ graph: Graph, maxRounds: Int = 64) -> Graph {
  // The products to work on: scalar, three or more factors.
  var factors: [Int: [Int]] = [:]  // node index → sorted factor ids (virtual ids ≥ nodeCount)
  for id in graph.ids
  where graph.op(id) == .mul && graph.inputs(id).count >= 3 && graph.shape(id).isEmpty {
    factors[id.index] = graph.inputs(id).map(\.index).sorted()
  }
  if factors.isEmpty { return graph }
  var pairs: [(Int, Int)] = []  // virtual id nodeCount + k is pairs[k]
  for _ in 0..<maxRounds {
    var counts: [PairKey: Int] = [:]
    for list in factors.values where list.count >= 3 {
      var seen = Set<PairKey>()
      for i in list.indices {
        for j in (i + 1)..<list.count where seen.insert(PairKey(list[i], list[j])).inserted {
          counts[PairKey(list[i], list[j]), default: 0] += 1
        }
      }
    }
    guard let (best, count) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
      count >= 2
    else { break }
    let virtual = graph.nodeCount + pairs.count
    pairs.append((best.a, best.b))
    for (node, list) in factors where list.count >= 3 {
      guard let i = list.firstIndex(of: best.a) else { continue }
      var rest = list
      rest.remove(at: i)
      guard let j = rest.firstIndex(of: best.b) else { continue }
      rest.remove(at: j)
      factors[node] = (rest + [virtual]).sorted()
    }
  }
  if pairs.isEmpty { return graph }
  // Rebuild, materialising each shared pair once, where first needed.
  let builder = GraphBuilder()
  var map = [NodeID?](repeating: nil, count: graph.nodeCount + pairs.count)
  func resolve(_ id: Int) throws -> NodeID {
    if let done = map[id] { return done }
    // A pair's parts are earlier pairs or nodes: resolve them in order.
    var stack = [id]
    while let top = stack.last {
      let (a, b) = pairs[top - graph.nodeCount]
      let pending = [a, b].filter { map[$0] == nil }
      if pending.isEmpty {
        map[top] = try builder.node(.mul, [map[a]!, map[b]!])
        stack.removeLast()
      } else {
        stack += pending
      }
    }
    return map[id]!
  }
  do {
    for id in graph.ids {
      switch graph.op(id) {
      case .variable(let name):
        map[id.index] = try builder.variableNode(name, shape: graph.shape(id))
      case .constant(let value): map[id.index] = builder.constantNode(value)
      case let op:
        let inputs = try (factors[id.index] ?? graph.inputs(id).map(\.index)).map(resolve)
        map[id.index] = try builder.node(op, inputs)
      }
    }
    let shared = builder.graph(
      outputs: graph.outputs.map { map[$0.index]! }, names: graph.outputNames)
    return shared.operationCount < graph.operationCount ? shared : graph
  } catch {
    return graph
  }
}

/// An unordered pair of factor ids, stored ordered.
private struct PairKey: Hashable, Comparable {
  let a: Int
  let b: Int
  init(_ x: Int, _ y: Int) { (a, b) = x <= y ? (x, y) : (y, x) }
  static func < (l: PairKey, r: PairKey) -> Bool { (l.a, l.b) < (r.a, r.b) }
}
