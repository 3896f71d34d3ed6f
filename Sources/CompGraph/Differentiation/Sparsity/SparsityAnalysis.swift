/// The structural derivatives of a graph's outputs, found in a backward pass (which elements
/// reach an output through ops that carry a derivative) and a forward pass (each element's set
/// of the variables' elements it depends on, and the second derivatives each nonlinear element
/// makes), element by element through tensor ops.
///
/// Linear in the graph: every element of every node the outputs need gets one number, and the
/// sets are one flat list over those numbers (CSR), so a node costs no allocation of its own. A
/// node whose inputs and output are all one element (most nodes of a scalar graph) reads element
/// 0 of each input without building an element map (which costs an allocation or two).
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
    let nodes = graph.nodes
    // The nodes the outputs need, and the number of each one's first element.
    var needed = [Bool](repeating: false, count: last + 1)
    for y in outputs { needed[y.index] = true }
    for index in stride(from: last, through: 0, by: -1) where needed[index] {
      for input in nodes.borrowedInputs(NodeID(index)) { needed[input.index] = true }
    }
    var base = [Int](repeating: 0, count: last + 2)
    for index in 0...last {
      base[index + 1] = base[index] + (needed[index] ? nodes.shapes[index].elementCount : 0)
    }
    // The nodes whose output and inputs are one element each, and the element maps of the
    // others (`nil` for an einsum, whose terms `EinsumSpec.forEachTerm` enumerates).
    let scalar = (0...last).map { index in
      base[index + 1] - base[index] == 1
        && nodes.borrowedInputs(NodeID(index)).allSatisfy { nodes.shapes[$0.index].isScalarSized }
    }
    var maps = [[ElementMap]?](repeating: nil, count: last + 1)
    for index in 0...last
    where needed[index] && !nodes.kinds[index].isLeaf && !scalar[index] {
      maps[index] = nodes.ops[index].elementMaps(
        inputs: nodes.borrowedInputs(NodeID(index)).map { nodes.shapes[$0.index] },
        output: nodes.shapes[index])
    }
    let rules = (0...last).map { index in
      needed[index] && !nodes.kinds[index].isLeaf ? nodes.ops[index].sparsityRule : .constant
    }
    /// Calls `body(k)` for each input k that passes a derivative.
    func forEachPassing(_ index: Int, _ body: (Int) -> Void) {
      if case .linear(let passing?) = rules[index] {
        for k in passing { body(k) }
      } else {
        for k in 0..<nodes.borrowedInputs(NodeID(index)).count { body(k) }
      }
    }
    /// Calls `body(o, k, i)` for each element i of input k that output element o reads, for
    /// the inputs that pass a derivative (an einsum's through its terms).
    func forEachRead(_ index: Int, _ body: (Int, Int, Int) -> Void) {
      if scalar[index] { return forEachPassing(index) { body(0, $0, 0) } }
      guard let elementMaps = maps[index] else {
        guard case .einsum(let spec) = nodes.ops[index] else {
          preconditionFailure("only an einsum has no element map")
        }
        let inputs = nodes.borrowedInputs(NodeID(index))
        spec.forEachTerm(shapes: inputs.map { nodes.shapes[$0.index] }) { o, elements in
          for (k, e) in elements.enumerated() { body(o, k, e) }
        }
        return
      }
      forEachPassing(index) { k in elementMaps[k].forEachPair { o, i in body(o, k, i) } }
    }
    // Backward: which elements reach an output through derivatives (a Hessian's second
    // derivatives count only where they do).
    var relevant = [Bool](repeating: false, count: hessian ? base[last + 1] : 0)
    if hessian {
      for y in outputs { for e in base[y.index]..<base[y.index + 1] { relevant[e] = true } }
      for index in stride(from: last, through: 0, by: -1)
      where needed[index] && rules[index] != .constant
        && relevant[base[index]..<base[index + 1]].contains(true)
      {
        let inputs = nodes.borrowedInputs(NodeID(index))
        let first = base[index]
        forEachRead(index) { o, k, i in
          if relevant[first + o] { relevant[base[inputs[k].index] + i] = true }
        }
      }
    }
    // Forward: each element's set, and the second derivatives of relevant nonlinear elements.
    var starts = [Int](repeating: 0, count: base[last + 1] + 1)
    var members: [Int32] = []
    var stamp = [Int](repeating: -1, count: columns)
    var pairs = [[Int32]](repeating: [], count: hessian ? columns : 0)
    func set(_ element: Int) -> ArraySlice<Int32> { members[starts[element]..<starts[element + 1]] }
    /// Appends the members of `element`'s set that `target`'s set does not hold yet (read by
    /// index: a slice of `members` held while appending to it would copy it every time).
    func add(_ element: Int, to target: Int) {
      for r in starts[element]..<starts[element + 1] where stamp[Int(members[r])] != target {
        stamp[Int(members[r])] = target
        members.append(members[r])
      }
    }
    func pair(_ a: Int, _ b: Int) {
      for i in set(a) { pairs[Int(i)].append(contentsOf: set(b)) }
    }
    for index in 0...last where needed[index] {
      let first = base[index], count = base[index + 1] - first
      let inputs = nodes.borrowedInputs(NodeID(index))
      if nodes.kinds[index] == .variable, case .variable(let name) = nodes.ops[index],
        let start = offset[name]
      {
        for o in 0..<count {
          members.append(Int32(start + o))
          starts[first + o + 1] = members.count
        }
        continue
      }
      if rules[index] == .constant {
        for o in 0..<count { starts[first + o + 1] = members.count }
        continue
      }
      if scalar[index] {
        // One element reading element 0 of each input.
        forEachPassing(index) { k in
          add(base[inputs[k].index], to: first)
        }
        starts[first + 1] = members.count
        guard hessian, relevant[first] else { continue }
        switch rules[index] {
        case .constant, .linear: break
        case .nonlinear: pair(first, first)
        case .product:
          for k in inputs.indices {
            for l in inputs.indices where l != k {
              pair(base[inputs[k].index], base[inputs[l].index])
            }
          }
        }
        continue
      }
      // The input elements (global numbers) each output element reads, grouped (CSR).
      var readStart = [Int](repeating: 0, count: count + 1)
      forEachRead(index) { o, _, _ in readStart[o + 1] += 1 }
      for o in 0..<count { readStart[o + 1] += readStart[o] }
      var readElement = [Int](repeating: 0, count: readStart[count])
      var next = readStart
      forEachRead(index) { o, k, i in
        readElement[next[o]] = base[inputs[k].index] + i
        next[o] += 1
      }
      for o in 0..<count {
        for r in readStart[o]..<readStart[o + 1] {
          add(readElement[r], to: first + o)
        }
        starts[first + o + 1] = members.count
      }
      guard hessian else { continue }
      switch rules[index] {
      case .constant, .linear: break
      case .nonlinear:
        for o in 0..<count where relevant[first + o] { pair(first + o, first + o) }
      case .product:
        // Across distinct factors of one term: an einsum's terms, else an element's reads.
        if case .einsum(let spec) = nodes.ops[index] {
          spec.forEachTerm(shapes: inputs.map { nodes.shapes[$0.index] }) { o, elements in
            guard relevant[first + o] else { return }
            for (k, e) in elements.enumerated() {
              for (l, f) in elements.enumerated() where l != k {
                pair(base[inputs[k].index] + e, base[inputs[l].index] + f)
              }
            }
          }
        } else {
          for o in 0..<count where relevant[first + o] {
            for a in readStart[o]..<readStart[o + 1] {
              for b in readStart[o]..<readStart[o + 1] where b != a {
                pair(readElement[a], readElement[b])
              }
            }
          }
        }
      }
    }
    jacobianRows = outputs.flatMap { y in
      (base[y.index]..<base[y.index + 1]).map { Array(set($0)) }
    }
    hessianRows = pairs
  }
}

extension Shape {
  /// Whether the shape holds one element (a scalar, or all axes of 1).
  fileprivate var isScalarSized: Bool { allSatisfy { $0 == 1 } }
}
