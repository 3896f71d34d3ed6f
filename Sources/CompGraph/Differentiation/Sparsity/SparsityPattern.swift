/// The structural nonzeros of a Jacobian or Hessian: entries that may be nonzero for some point
/// (every other entry is zero at every point). Rows and columns count elements, row-major within
/// each output and variable, in the order given.
public struct SparsityPattern: Sendable, Equatable {
  public let rowCount: Int
  public let columnCount: Int
  /// The nonzeros' rows and columns (COO), in CSC order: by column, then by row.
  public let rows: [Int]
  public let columns: [Int]
  /// CSC: the nonzeros of column j are `columnStarts[j]..<columnStarts[j + 1]`.
  public let columnStarts: [Int]

  /// From each row's columns (in any order, repeats allowed).
  init(rowCount: Int, columnCount: Int, rowEntries: [[Int32]]) {
    var count = [Int](repeating: 0, count: columnCount + 1)
    var deduplicated: [[Int32]] = []
    deduplicated.reserveCapacity(rowEntries.count)
    for entries in rowEntries {
      var sorted = entries.sorted()
      var write = 0
      for (read, c) in sorted.enumerated() where read == 0 || c != sorted[read - 1] {
        sorted[write] = c
        write += 1
      }
      sorted.removeLast(sorted.count - write)
      for c in sorted { count[Int(c) + 1] += 1 }
      deduplicated.append(sorted)
    }
    for j in 0..<columnCount { count[j + 1] += count[j] }
    var next = count
    var rows = [Int](repeating: 0, count: count[columnCount])
    var columns = rows
    for (r, entries) in deduplicated.enumerated() {
      for c in entries {
        rows[next[Int(c)]] = r
        columns[next[Int(c)]] = Int(c)
        next[Int(c)] += 1
      }
    }
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.rows = rows
    self.columns = columns
    self.columnStarts = count
  }

  public var nonzeroCount: Int { rows.count }

  /// The most nonzeros in one row: no column colouring of a Jacobian uses fewer colours.
  public var maxRowCount: Int {
    var count = [Int](repeating: 0, count: rowCount)
    for r in rows { count[r] += 1 }
    return count.max() ?? 0
  }

  /// Whether (row, column) is a structural nonzero.
  public func contains(row: Int, column: Int) -> Bool {
    guard column >= 0, column < columnCount else { return false }
    return rows[columnStarts[column]..<columnStarts[column + 1]].contains(row)
  }

  /// The columns of each row (CSR), ascending.
  var rowLists: [[Int]] {
    var lists = [[Int]](repeating: [], count: rowCount)
    for (r, c) in zip(rows, columns) { lists[r].append(c) }
    return lists
  }
}

extension Graph {
  /// The structural pattern of the Jacobian of every output with respect to `variables` (by
  /// name): rows are the outputs' elements, columns the variables' elements, each row-major, in
  /// the order given. Found from the graph in one backward and one forward pass over the nodes,
  /// element by element: an einsum, a broadcast, a slice, a pad or a `where` give exact patterns,
  /// not dense blocks; a comparison, sign or one_hot carries no derivative.
  public func jacobianSparsity(wrt variables: [String]) throws -> SparsityPattern {
    let analysis = try SparsityAnalysis(
      self, outputs: outputs, variables: variables, hessian: false)
    return SparsityPattern(
      rowCount: analysis.jacobianRows.count, columnCount: columnCount(variables),
      rowEntries: analysis.jacobianRows)
  }

  /// The structural pattern of the Hessian of the first output, a scalar, with respect to
  /// `variables` (both triangles). A nonlinear op makes second derivatives among the variables
  /// its element depends on (a product only across its factors), counted only where the element
  /// reaches the output through ops that carry a derivative.
  public func hessianSparsity(wrt variables: [String]) throws -> SparsityPattern {
    guard shape(outputs[0]).elementCount == 1 else {
      throw GraphError.unsupported(
        "hessianSparsity: the output must be a scalar, but '\(outputNames[0])' has shape "
          + "\(shape(outputs[0]).shapeDescription); take sum() of it, or use jacobianSparsity")
    }
    let analysis = try SparsityAnalysis(
      self, outputs: [outputs[0]], variables: variables, hessian: true)
    let n = columnCount(variables)
    return SparsityPattern(rowCount: n, columnCount: n, rowEntries: analysis.hessianRows)
  }

  private func columnCount(_ names: [String]) -> Int {
    let shapes = variableShapes
    return names.reduce(0) { $0 + (shapes[$1]?.elementCount ?? 0) }
  }

  /// The variables' shapes by name.
  var variableShapes: [String: Shape] {
    Dictionary(variables.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
  }
}
