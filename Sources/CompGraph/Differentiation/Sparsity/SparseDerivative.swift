/// The nonzeros of a sparse Jacobian or Hessian as one graph that computes them in as many
/// tangent sweeps as the colouring has colours (CasADi's and ColPack's compressed evaluation):
/// sweep c is J·s_c (or H·s_c, forward over reverse), s_c the sum of the unit vectors of the
/// columns coloured c, and each nonzero is read from one sweep.
public struct SparseDerivative: Sendable {
  /// Which derivative the nonzeros are of.
  public enum Kind: String, Sendable {
    case jacobian = "Jacobian", hessian = "Hessian"
  }

  public let kind: Kind
  public let pattern: SparsityPattern
  public let coloring: Coloring
  /// The variables whose elements the columns are, in order (each row-major).
  public let variables: [String]
  /// One output per nonzero, in the pattern's (CSC) order: `graph.outputs[k]` is the value at
  /// (`pattern.rows[k]`, `pattern.columns[k]`). A Hessian's mirrored entries are the same node.
  public let graph: Graph

  /// The nonzeros' values at `point` (variables by name), in the pattern's order.
  public func values(at point: [String: Tensor]) throws -> [Double] {
    try graph.evaluate(point).map { $0.scalars[0] }
  }
}

extension Graph {
  /// The Jacobian of every output with respect to `variables` as a sparse matrix: its pattern
  /// (`jacobianSparsity(wrt:)`), a Curtis–Powell–Reid column colouring, and one graph computing
  /// the nonzeros in one forward (tangent) sweep per colour.
  public func sparseJacobian(wrt variables: [String]) throws -> SparseDerivative {
    let pattern = try jacobianSparsity(wrt: variables)
    let coloring = pattern.columnColoring()
    let builder = GraphBuilder(self)
    let columns = try CompressedColumns(variables, of: self, in: builder)
    let sweeps = try (0..<coloring.count).map { c in
      try builder.jvp(of: outputs, tangents: columns.seeds(coloring, c))
    }
    // Row r is element e of output o.
    var rowOutput: [(Int, Int)] = []
    for (o, y) in outputs.enumerated() {
      rowOutput += (0..<shape(y).elementCount).map { (o, $0) }
    }
    let values = try zip(pattern.rows, pattern.columns).map { r, j in
      let (o, e) = rowOutput[r]
      return try builder.element(sweeps[coloring.colors[j]][o], e)
    }
    return SparseDerivative(
      kind: .jacobian, pattern: pattern, coloring: coloring, variables: variables,
      graph: builder.graph(
        outputs: values, names: zip(pattern.rows, pattern.columns).map { "J[\($0),\($1)]" }))
  }

  /// The Hessian of the first output, a scalar, with respect to `variables` as a sparse matrix
  /// (both triangles): its pattern (`hessianSparsity(wrt:)`), a star colouring, and one graph
  /// computing the nonzeros in one forward sweep over the gradient per colour. H_ij is read
  /// from row i of H·s_colour(j) when no other neighbour of i has j's colour, else from row j of
  /// H·s_colour(i) (the star colouring makes one of the two hold).
  public func sparseHessian(wrt variables: [String]) throws -> SparseDerivative {
    let pattern = try hessianSparsity(wrt: variables)
    let coloring = pattern.starColoring()
    let builder = GraphBuilder(self)
    let columns = try CompressedColumns(variables, of: self, in: builder)
    let gradient = try builder.gradient(of: outputs[0], wrt: columns.nodes)
    let sweeps = try (0..<coloring.count).map { c in
      try builder.jvp(of: gradient, tangents: columns.seeds(coloring, c))
    }
    // Row i of H·s_c, i the e-th element of variable k.
    func entry(_ i: Int, _ c: Int) throws -> NodeID {
      let (k, e) = columns.variable(ofColumn: i)
      return try builder.element(sweeps[c][k], e)
    }
    let rowLists = pattern.rowLists
    let values = try zip(pattern.rows, pattern.columns).map { i, j in
      let shared = rowLists[i].contains {
        $0 != j && $0 != i && coloring.colors[$0] == coloring.colors[j]
      }
      return try i == j || !shared
        ? entry(i, coloring.colors[j]) : entry(j, coloring.colors[i])
    }
    return SparseDerivative(
      kind: .hessian, pattern: pattern, coloring: coloring, variables: variables,
      graph: builder.graph(
        outputs: values, names: zip(pattern.rows, pattern.columns).map { "H[\($0),\($1)]" }))
  }
}

/// The columns of a compressed derivative: the variables' elements, in order, and the seed
/// directions of a colour.
struct CompressedColumns {
  let builder: GraphBuilder
  let nodes: [NodeID]
  let shapes: [Shape]
  /// The first column of each variable, and the total at the end.
  let offsets: [Int]
  /// The variable of each column.
  let owner: [Int32]

  init(_ names: [String], of graph: Graph, in builder: GraphBuilder) throws {
    self.builder = builder
    nodes = try names.map { name in
      guard let node = builder.existingVariable(name) else {
        throw GraphError.unsupported("sparse derivative: the graph has no variable '\(name)'")
      }
      return node
    }
    shapes = nodes.map(builder.shape)
    var offsets = [0], owner: [Int32] = []
    for (k, shape) in shapes.enumerated() {
      offsets.append(offsets[k] + shape.elementCount)
      owner += Array(repeating: Int32(k), count: shape.elementCount)
    }
    self.offsets = offsets
    self.owner = owner
  }

  /// Variable k and element e of column j.
  func variable(ofColumn j: Int) -> (Int, Int) {
    let k = Int(owner[j])
    return (k, j - offsets[k])
  }

  /// s_c by variable: 1 at the elements coloured c (variables with none are left out).
  func seeds(_ coloring: Coloring, _ c: Int) -> [NodeID: NodeID] {
    var seeds: [NodeID: NodeID] = [:]
    for (k, node) in nodes.enumerated() {
      if shapes[k].isEmpty {
        if coloring.colors[offsets[k]] == c { seeds[node] = builder.constantNode(1.0) }
        continue
      }
      let elements = (offsets[k]..<offsets[k + 1]).map { coloring.colors[$0] == c ? 1.0 : 0 }
      guard elements.contains(1) else { continue }
      seeds[node] = builder.constantNode(Tensor(shape: shapes[k], scalars: elements))
    }
    return seeds
  }
}

extension GraphBuilder {
  /// Element e (row-major) of `node` as a scalar node: the node itself when it is one number.
  func element(_ node: NodeID, _ e: Int) throws -> NodeID {
    let shape = self.shape(node)
    if shape.isEmpty { return node }
    let flat = reshape(expr(node), [shape.elementCount])
    return try reshape(slice(flat, axis: 0, start: e, end: e + 1), []).node()
  }
}
