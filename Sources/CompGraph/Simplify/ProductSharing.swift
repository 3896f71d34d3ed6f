/// Lowering across the whole graph: products that share factors share their
/// partial products.  Rewrite rules see one node at a time; this pass sees
/// every product at once, like the `Mul` part of SymPy's `cse`.
///
///     a·b·c·x₁, a·b·c·x₂, …      ⇒      p = a·b·c,  p·x₁, p·x₂, …
///
/// Greedy pairing: count how many products (of three or more scalar
/// factors) contain each pair of factors; the most frequent pair, if it
/// occurs at least twice, becomes one node that replaces the pair wherever it
/// occurs; repeat (at most `maxRounds` times).  A Hessian's −xᵢ·xⱼ·r⁻³
/// entries become (−r⁻³·xᵢ)·xⱼ, one operation each.  Exact in real
/// arithmetic; in floating point the product is associated differently (a
/// few ulp).
///
/// Cost, near-linear in the graph:
/// - only a factor found in two or more products can be in a shared pair,
///   so each product's pairs are counted over those factors alone (the one
///   long product of a chain's derivative has none);
/// - a product with k such factors costs k(k − 1)/2 to count: products are
///   counted in node order until `pairBudget` pairs, and a product past the
///   budget is not counted (it still takes the pairs others chose), so the
///   pass shares less rather than taking quadratic time;
/// - a round updates the counts of the products holding the chosen pair
///   only, in O(k) each, and takes the next pair from a heap.
///
/// `work` grows by the pass's steps (pairs counted, factors visited, nodes
/// rebuilt).
func shareProducts(
  _ graph: Graph, maxRounds: Int = 64, pairBudget: Int? = nil, work: inout Int
) -> Graph {
  var sharing = PairSharing(graph, pairBudget: pairBudget ?? 16 * graph.nodeCount + 4096)
  defer { work += sharing.work }
  if sharing.products.isEmpty { return graph }
  for _ in 0..<maxRounds where sharing.shareBestPair() {}
  if sharing.pairs.isEmpty { return graph }
  sharing.work += graph.nodeCount
  return sharing.rebuild()
}

/// `shareProducts` without counting its work.
func shareProducts(_ graph: Graph, maxRounds: Int = 64, pairBudget: Int? = nil) -> Graph {
  var work = 0
  return shareProducts(graph, maxRounds: maxRounds, pairBudget: pairBudget, work: &work)
}

/// The state of `shareProducts`: factor lists with virtual ids for the
/// pairs made so far (id `nodeCount + k` is `pairs[k]`), and pair counts.
private struct PairSharing {
  let graph: Graph
  /// Node index of each product worked on (scalar, three or more factors).
  var products: [Int] = []
  /// Each product's factor ids, sorted (a new virtual id is the largest).
  var factors: [[Int]] = []
  /// Whether a product's pairs are in `counts` (within the budget, and
  /// still three or more factors).
  var counted: [Bool] = []
  /// Products holding each factor (may hold stale entries).
  var holders: [Int: [Int]] = [:]
  /// Factors of the original graph found in two or more products.
  var isShared: [Bool]
  /// Products (counted ones) containing each pair.
  var counts: [PairKey: Int] = [:]
  var heap = PairHeap()
  /// Pairs whose count changed since the heap last heard of them.
  var touched: [PairKey] = []
  var pairs: [(Int, Int)] = []
  /// Steps taken so far.
  var work = 0

  init(_ graph: Graph, pairBudget: Int) {
    self.graph = graph
    self.work = graph.nodeCount
    var occurrences = [Int32](repeating: 0, count: graph.nodeCount)
    for id in graph.ids
    where graph.op(id) == .mul && graph.inputs(id).count >= 3 && graph.shape(id).isEmpty {
      let list = graph.inputs(id).map(\.index).sorted()
      for (i, f) in list.enumerated() where i == 0 || list[i - 1] != f {
        occurrences[f] += 1
        holders[f, default: []].append(products.count)
      }
      products.append(id.index)
      factors.append(list)
    }
    isShared = occurrences.map { $0 >= 2 }
    counted = [Bool](repeating: false, count: products.count)
    var work = 0
    for p in products.indices {
      let candidates = sharedFactors(p)
      let cost = candidates.count * (candidates.count - 1) / 2
      guard work + cost <= pairBudget else { continue }
      work += cost
      counted[p] = true
      self.work += factors[p].count + cost
      for key in distinctPairs(candidates) { counts[key, default: 0] += 1 }
    }
    // Each pair two or more products share goes on the heap once, at its
    // count (most pairs occur once, and are not sorted or pushed).
    for (key, count) in counts where count >= 2 { heap.push(count: count, key: key) }
  }

  /// A product's factors that can be in a shared pair.
  func sharedFactors(_ p: Int) -> [Int] {
    factors[p].filter { $0 >= graph.nodeCount || isShared[$0] }
  }

  /// The distinct unordered pairs of a sorted multiset (a pair of equal
  /// factors when one occurs twice).
  func distinctPairs(_ sorted: [Int]) -> [PairKey] {
    var values: [Int] = [], repeated: [Bool] = []
    for f in sorted {
      if values.last == f {
        repeated[repeated.count - 1] = true
      } else {
        values.append(f)
        repeated.append(false)
      }
    }
    var keys: [PairKey] = []
    for i in values.indices {
      if repeated[i] { keys.append(PairKey(values[i], values[i])) }
      for j in (i + 1)..<values.count { keys.append(PairKey(values[i], values[j])) }
    }
    return keys
  }

  mutating func bump(_ key: PairKey, by delta: Int) {
    counts[key, default: 0] += delta
    touched.append(key)
  }

  /// Pushes each touched pair once, at its current count: a pair held by
  /// m products gets one heap entry per round, not m.
  mutating func pushTouched() {
    touched.sort()
    for (i, key) in touched.enumerated() where i == 0 || touched[i - 1] != key {
      if let count = counts[key], count >= 2 { heap.push(count: count, key: key) }
    }
    touched.removeAll(keepingCapacity: true)
  }

  /// One round: replaces the most frequent pair (if it occurs twice or
  /// more) by a virtual factor; `false` when there is none.
  mutating func shareBestPair() -> Bool {
    var best: PairKey?
    while let top = heap.pop() {
      if counts[top.key] == top.count {
        best = top.key
        break
      }
    }
    guard let best else { return false }
    let virtual = graph.nodeCount + pairs.count
    pairs.append((best.a, best.b))
    let scan =
      holders[best.a, default: []].count <= holders[best.b, default: []].count
      ? best.a : best.b
    var done = Set<Int>()
    for p in holders[scan, default: []] where factors[p].count >= 3 && done.insert(p).inserted {
      work += factors[p].count
      var rest = factors[p]
      guard let i = rest.firstIndex(of: best.a) else { continue }
      rest.remove(at: i)
      guard let j = rest.firstIndex(of: best.b) else { continue }
      rest.remove(at: j)
      rest.append(virtual)
      if counted[p] { recount(p, replacing: best, with: rest) }
      factors[p] = rest
      holders[virtual, default: []].append(p)
    }
    pushTouched()
    return true
  }

  /// Updates `counts` for product `p` whose factors become `new`: only
  /// pairs with one of the replaced factors can vanish, only pairs with the
  /// new factor appear.  Factor lists are sorted, so whether a list holds a
  /// pair is a binary search: O(k log k), nothing hashed.
  mutating func recount(_ p: Int, replacing pair: PairKey, with new: [Int]) {
    let old = sharedFactors(p)
    if new.count < 3 {
      counted[p] = false
      for key in distinctPairs(old) { bump(key, by: -1) }
      return
    }
    let kept = new.filter { $0 >= graph.nodeCount || isShared[$0] }
    var lost: [PairKey] = []
    for u in pair.a == pair.b ? [pair.a] : [pair.a, pair.b] {
      for (i, y) in old.enumerated() where i == 0 || old[i - 1] != y {
        let key = PairKey(u, y)
        if holds(old, key) && !holds(kept, key) { lost.append(key) }
      }
    }
    lost.sort()
    for (i, key) in lost.enumerated() where i == 0 || lost[i - 1] != key { bump(key, by: -1) }
    let virtual = new[new.count - 1]
    for (i, y) in kept.enumerated() where (i == 0 || kept[i - 1] != y) && y != virtual {
      bump(PairKey(virtual, y), by: 1)
    }
  }

  /// Whether a sorted factor list holds the pair (twice its factor, for a
  /// pair of equal factors).
  private func holds(_ sorted: [Int], _ key: PairKey) -> Bool {
    key.a == key.b
      ? multiplicity(key.a, in: sorted) >= 2
      : multiplicity(key.a, in: sorted) > 0 && multiplicity(key.b, in: sorted) > 0
  }

  /// How often `f` occurs in a sorted list.
  private func multiplicity(_ f: Int, in sorted: [Int]) -> Int {
    func firstIndex(notBelow v: Int) -> Int {
      var (low, high) = (0, sorted.count)
      while low < high {
        let mid = (low + high) / 2
        if sorted[mid] < v { low = mid + 1 } else { high = mid }
      }
      return low
    }
    return firstIndex(notBelow: f + 1) - firstIndex(notBelow: f)
  }

  /// The graph with each shared pair materialised once, where first needed.
  func rebuild() -> Graph {
    var replaced: [Int: [Int]] = [:]
    for (p, node) in products.enumerated() { replaced[node] = factors[p] }
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
          map[id.index] = try builder.variableNode(
            name, shape: graph.shape(id), dtype: graph.dtype(id))
        case .constant(let value): map[id.index] = builder.constantNode(value)
        case let op:
          let inputs = try (replaced[id.index] ?? graph.inputs(id).map(\.index)).map(resolve)
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
}

/// An unordered pair of factor ids, stored ordered.
private struct PairKey: Hashable, Comparable {
  let a: Int
  let b: Int
  init(_ x: Int, _ y: Int) { (a, b) = x <= y ? (x, y) : (y, x) }
  static func < (l: PairKey, r: PairKey) -> Bool { (l.a, l.b) < (r.a, r.b) }
}

/// A binary max-heap of (count, pair): the highest count first, and among
/// equal counts the smallest pair (so the choice never depends on hashing).
/// Entries go stale when a count changes; the reader skips those.
private struct PairHeap {
  private var entries: [(count: Int, key: PairKey)] = []

  private func above(_ i: Int, _ j: Int) -> Bool {
    let (x, y) = (entries[i], entries[j])
    return x.count != y.count ? x.count > y.count : x.key < y.key
  }

  mutating func push(count: Int, key: PairKey) {
    entries.append((count, key))
    var i = entries.count - 1
    while i > 0, above(i, (i - 1) / 2) {
      entries.swapAt(i, (i - 1) / 2)
      i = (i - 1) / 2
    }
  }

  mutating func pop() -> (count: Int, key: PairKey)? {
    guard let top = entries.first else { return nil }
    entries.swapAt(0, entries.count - 1)
    entries.removeLast()
    var i = 0
    while true {
      let (l, r) = (2 * i + 1, 2 * i + 2)
      var next = i
      if l < entries.count && above(l, next) { next = l }
      if r < entries.count && above(r, next) { next = r }
      if next == i { return top }
      entries.swapAt(i, next)
      i = next
    }
  }
}
