/// Each element's set of columns (variable elements) as one flat list with starts (CSR), for
/// one node.
struct ElementSets {
  var starts: [Int] = [0]
  var members: [Int32] = []

  subscript(element: Int) -> ArraySlice<Int32> { members[starts[element]..<starts[element + 1]] }
}

/// The structural derivatives of a graph's outputs, found in a backward pass (which elements
/// reach an output through ops that carry a derivative) and a forward pass (each element's set
/// of the variables' elements it depends on, and the second derivatives each nonlinear element
/// makes), element by element through tensor ops.
struct SparsityAnalysis {
  /// Per output element, in order: the columns of its Jacobian row.
  var jacobianRows: [[Int32]] = []
  /// Per column: the columns its Hessian row holds (both triangles, unsorted, repeats allowed).
  var hessianRows: [[Int32]] = []

  /// Columns are the elements of `variables`, in order, each row-major.
  init(_ graph: Graph, outputs: [NodeID], variables: [String], hessian: Bool) throws {
    var offset: [String: Int] = [:]
    var columns = 0
    let shapes = graph.variableShapes
    for name in variables {
      guard let shape = shapes[name] else {
        throw GraphError.unsupported(
          "sparsity: the graph has no variable '\(name)' (its variables are "
            + graph.variables.map { "'\($0.name)'" }.joined(separator: ", ") + ")")
      }
      offset[name] = columns
      columns += shape.elementCount
    }
    guard let last = outputs.map(\.index).max() else { return }
    // The element maps of every node the outputs need.
    var needed = [Bool](repeating: false, count: last + 1)
    for y in outputs { needed[y.index] = true }
    for index in stride(from: last, through: 0, by: -1) where needed[index] {
      for input in graph.inputs(NodeID(index)) { needed[input.index] = true }
    }
    var maps = [[ElementMap]?](repeating: nil, count: last + 1)
    for index in 0...last where needed[index] && !graph.op(NodeID(index)).isLeaf {
      let id = NodeID(index)
      maps[index] = graph.op(id).elementMaps(
        inputs: graph.inputs(id).map(graph.shape), output: graph.shape(id))
    }
    // Backward: which elements reach an output through derivatives (a Hessian's second
    // derivatives count only where they do).
    var relevant = [[Bool]](repeating: [], count: last + 1)
    if hessian {
      for y in outputs {
        relevant[y.index] = Array(repeating: true, count: graph.shape(y).elementCount)
      }
      for index in stride(from: last, through: 0, by: -1)
      where needed[index] && !relevant[index].isEmpty {
        let id = NodeID(index)
        let op = graph.op(id)
        let inputs = Array(graph.inputs(id))
        let mark = relevant[index]
        func reach(_ k: Int, _ element: Int) {
          let input = inputs[k].index
          if relevant[input].isEmpty {
            relevant[input] = Array(repeating: false, count: graph.shape(inputs[k]).elementCount)
          }
          relevant[input][element] = true
        }
        switch op.sparsityRule {
        case .constant: continue
        case .linear(let passing):
          for k in passing ?? Array(inputs.indices) {
            maps[index]![k].forEachPair { o, i in if mark[o] { reach(k, i) } }
          }
        case .product, .nonlinear:
          if case .einsum(let spec) = op {
            spec.forEachTerm(shapes: inputs.map(graph.shape)) { o, elements in
              if mark[o] { for (k, e) in elements.enumerated() { reach(k, e) } }
            }
          } else {
            for k in inputs.indices {
              maps[index]![k].forEachPair { o, i in if mark[o] { reach(k, i) } }
            }
          }
        }
      }
    }
    // Forward: sets, and the second derivatives of relevant nonlinear elements.
    var sets = [ElementSets](repeating: ElementSets(), count: last + 1)
    var stamp = [Int](repeating: -1, count: columns)
    var tick = 0
    var pairs = [[Int32]](repeating: [], count: hessian ? columns : 0)
    func pair(_ a: some Collection<Int32>, _ b: some Collection<Int32>) {
      for i in a { for j in b { pairs[Int(i)].append(j) } }
    }
    for index in 0...last where needed[index] {
      let id = NodeID(index)
      let op = graph.op(id)
      let count = graph.shape(id).elementCount
      if case .variable(let name) = op {
        var s = ElementSets()
        if let start = offset[name] {
          s.members = (0..<count).map { Int32(start + $0) }
          s.starts = Array(0...count)
        } else {
          s.starts = Array(repeating: 0, count: count + 1)
        }
        sets[index] = s
        continue
      }
      if op.isLeaf || op.sparsityRule == .constant {
        sets[index] = ElementSets(starts: Array(repeating: 0, count: count + 1), members: [])
        continue
      }
      let inputs = Array(graph.inputs(id))
      // Per output element, the (input, element) pairs it reads, for the inputs that pass.
      var reads = [[(Int, Int)]](repeating: [], count: count)
      var terms: [(Int, [Int])] = []
      if case .einsum(let spec) = op {
        spec.forEachTerm(shapes: inputs.map(graph.shape)) { o, elements in
          for (k, e) in elements.enumerated() { reads[o].append((k, e)) }
          if hessian { terms.append((o, elements)) }
        }
      } else {
        let passing: [Int]
        if case .linear(let p) = op.sparsityRule, let p {
          passing = p
        } else {
          passing = Array(inputs.indices)
        }
        for k in passing { maps[index]![k].forEachPair { o, i in reads[o].append((k, i)) } }
      }
      var s = ElementSets()
      s.starts.reserveCapacity(count + 1)
      for o in 0..<count {
        tick += 1
        for (k, e) in reads[o] {
          for m in sets[inputs[k].index][e] where stamp[Int(m)] != tick {
            stamp[Int(m)] = tick
            s.members.append(m)
          }
        }
        s.starts.append(s.members.count)
      }
      sets[index] = s
      guard hessian, !relevant[index].isEmpty else { continue }
      switch op.sparsityRule {
      case .constant, .linear: break
      case .nonlinear:
        for o in 0..<count where relevant[index][o] { pair(s[o], s[o]) }
      case .product:
        if case .einsum = op {
          for (o, elements) in terms where relevant[index][o] {
            for k in elements.indices {
              for l in elements.indices where l != k {
                pair(sets[inputs[k].index][elements[k]], sets[inputs[l].index][elements[l]])
              }
            }
          }
        } else {
          for o in 0..<count where relevant[index][o] {
            for a in reads[o].indices {
              for b in reads[o].indices where b != a {
                let (k, e) = reads[o][a], (l, f) = reads[o][b]
                pair(sets[inputs[k].index][e], sets[inputs[l].index][f])
              }
            }
          }
        }
      }
    }
    jacobianRows = outputs.flatMap { y in
      (0..<graph.shape(y).elementCount).map { Array(sets[y.index][$0]) }
    }
    hessianRows = pairs
  }
}
