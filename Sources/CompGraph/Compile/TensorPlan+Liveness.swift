/// Phase 3 of a tensor plan: when each storage is read for the last time.
extension TensorPlan {
  /// Liveness in schedule order, by storage (a reshape shares its input's):
  /// the step after which each value is dead, and the values dying at each step.
  struct Liveness {
    /// The last step reading each node's storage: -1 when no step reads it,
    /// `Int.max` for an output's (never freed).
    let lastUse: [Int]
    /// The storages freed after each step.
    let dying: [[Int]]

    init(_ nodes: Nodes, _ regions: Regions) {
      let n = nodes.graph.nodeCount
      var stepOfRegion = [Int](repeating: -1, count: regions.count)
      var stepOfNode = [Int](repeating: -1, count: n)
      for (s, scheduled) in regions.order.enumerated() {
        switch scheduled {
        case .region(let r): stepOfRegion[r] = s
        case .node(let index): stepOfNode[index] = s
        }
      }
      let root = regions.root
      var lastUse = [Int](repeating: -1, count: n)
      for index in 0..<n where nodes.live[index] {
        let s: Int
        switch nodes.classes[index] {
        case .leaf, .alias: continue
        case .elementwise: s = stepOfRegion[regions.region(of: index)!]
        case .contraction, .axis, .matrix: s = stepOfNode[index]
        }
        for input in nodes.operands(index) {
          lastUse[root[input.index]] = max(lastUse[root[input.index]], s)
        }
      }
      for output in nodes.graph.outputs { lastUse[root[output.index]] = Int.max }
      var dying = [[Int]](repeating: [], count: regions.order.count)
      for index in 0..<n
      where nodes.live[index] && lastUse[index] >= 0 && lastUse[index] < Int.max {
        dying[lastUse[index]].append(index)
      }
      self.lastUse = lastUse
      self.dying = dying
    }
  }
}
