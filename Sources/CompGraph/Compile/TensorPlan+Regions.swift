/// Phase 2 of a tensor plan: fusion regions and the schedule.
extension TensorPlan {
  /// Elementwise ops (broadcasting ones and `broadcast_to` included) of one
  /// shape join one region, merging the regions of their inputs (union–find),
  /// until something outside the region reads a value of it; then the region
  /// is closed and takes its place in the schedule.  Contractions, ops along
  /// an axis and linear-algebra ops are steps of their own; a `reshape` is its input's storage
  /// (`root`).
  struct Regions {
    /// What the schedule holds before buffers are assigned.
    enum Scheduled {
      case region(Int)
      case node(Int)
    }

    /// The schedule, in the order the steps run.
    let order: [Scheduled]
    /// The nodes of each region, in the order they joined it (empty for a
    /// region merged into another).
    let members: [[Int]]
    /// The node whose storage each node's value lives in: itself, or a
    /// reshape's input's.
    let root: [Int]
    /// Each elementwise node's region (its union–find root), -1 for the others.
    private let regionOf: [Int32]

    init(_ nodes: Nodes) {
      let graph = nodes.graph
      let n = graph.nodeCount
      var regionOf = [Int32](repeating: -1, count: n)
      var parent: [Int] = []
      var members: [[Int]] = []
      var open: [Bool] = []
      var order: [Scheduled] = []
      func find(_ r: Int) -> Int {
        var r = r
        while parent[r] != r {
          parent[r] = parent[parent[r]]
          r = parent[r]
        }
        return r
      }
      func region(of index: Int) -> Int? {
        regionOf[index] < 0 ? nil : find(Int(regionOf[index]))
      }
      func close(_ r: Int) {
        if open[r] {
          open[r] = false
          order.append(.region(r))
        }
      }
      var root = Array(0..<n)
      for index in 0..<n where nodes.live[index] {
        let inputs = nodes.operands(index)
        let shape = graph.shape(NodeID(index))
        switch nodes.classes[index] {
        case .leaf: continue
        case .alias:
          if let r = region(of: inputs[0].index) { close(r) }
          root[index] = root[inputs[0].index]
        case .elementwise:
          var joined: Int?
          for input in inputs {
            guard let r = region(of: input.index) else { continue }
            if open[r] && graph.shape(input) == shape {
              if let j = joined, j != r {
                parent[r] = j
                members[j] += members[r]
                members[r] = []
                open[r] = false
              } else {
                joined = r
              }
            } else {
              close(r)
            }
          }
          let r =
            joined
            ?? {
              parent.append(parent.count)
              members.append([])
              open.append(true)
              return parent.count - 1
            }()
          regionOf[index] = Int32(r)
          members[r].append(index)
        case .contraction, .axis, .matrix:
          for input in inputs { if let r = region(of: input.index) { close(r) } }
          order.append(.node(index))
        }
      }
      for r in open.indices where open[r] { close(r) }
      // Unions are done: each node keeps its region's final root.
      for index in 0..<n where regionOf[index] >= 0 {
        regionOf[index] = Int32(find(Int(regionOf[index])))
      }
      self.order = order
      self.members = members
      self.root = root
      self.regionOf = regionOf
    }

    /// The region of elementwise node `index`, `nil` for any other node.
    func region(of index: Int) -> Int? { regionOf[index] < 0 ? nil : Int(regionOf[index]) }

    /// The number of regions, merged ones included.
    var count: Int { members.count }
  }
}
