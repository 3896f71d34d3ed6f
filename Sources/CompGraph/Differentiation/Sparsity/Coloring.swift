/// A colouring of a pattern's columns: columns of one colour are evaluated together, in one
/// sweep with the sum of their unit vectors as the direction.
public struct Coloring: Sendable, Equatable {
  /// Each column's colour, 0 ..< `count`.
  public let colors: [Int]
  public let count: Int

  init(_ colors: [Int]) {
    self.colors = colors
    self.count = (colors.max() ?? -1) + 1
  }
}

extension SparsityPattern {
  /// Curtis–Powell–Reid: a distance-2 colouring of the columns, so that no two columns of one
  /// colour share a row, and J·s_c holds each J_ij of colour c alone in its row. Greedy, the
  /// columns with the most nonzeros first; never fewer colours than `maxRowCount`.
  public func columnColoring() -> Coloring {
    let rowsByRow = rowLists
    var color = [Int](repeating: -1, count: columnCount)
    var forbidden = [Int](repeating: -1, count: columnCount + 1)
    for j in largestFirst() {
      for r in rows[columnStarts[j]..<columnStarts[j + 1]] {
        for k in rowsByRow[r] where color[k] >= 0 { forbidden[color[k]] = j }
      }
      var c = 0
      while forbidden[c] == j { c += 1 }
      color[j] = c
    }
    return Coloring(color)
  }

  /// Gebremedhin–Manne–Pothen star colouring of a symmetric pattern (a Hessian's): a proper
  /// colouring of the adjacency graph in which every path on four vertices takes three colours,
  /// so each H_ij is read alone from H·s_colour(j) in row i or from H·s_colour(i) in row j
  /// (`hessianEntry`). Greedy, the columns of highest degree first: a colour is forbidden for v
  /// if a neighbour has it, or if taking it would make a two-coloured path v–w–x–y or y–v–w–x.
  public func starColoring() -> Coloring {
    let adjacency = (0..<columnCount).map { j in
      rows[columnStarts[j]..<columnStarts[j + 1]].filter { $0 != j }
    }
    var color = [Int](repeating: -1, count: columnCount)
    var forbidden = [Int](repeating: -1, count: columnCount + 1)
    var neighboursOf = [Int](repeating: 0, count: columnCount + 1)
    for v in largestFirst() {
      for w in adjacency[v] where color[w] >= 0 { neighboursOf[color[w]] += 1 }
      for w in adjacency[v] where color[w] >= 0 {
        let a = color[w]
        forbidden[a] = v
        for x in adjacency[w] where x != v && color[x] >= 0 {
          let b = color[x]
          // y–v–w–x: another neighbour of v coloured a; v–w–x–y: a neighbour of x coloured a.
          if neighboursOf[a] > 1 || adjacency[x].contains(where: { $0 != w && color[$0] == a }) {
            forbidden[b] = v
          }
        }
      }
      for w in adjacency[v] where color[w] >= 0 { neighboursOf[color[w]] = 0 }
      var c = 0
      while forbidden[c] == v { c += 1 }
      color[v] = c
    }
    return Coloring(color)
  }

  /// The columns by decreasing number of nonzeros (ties by index).
  private func largestFirst() -> [Int] {
    (0..<columnCount).sorted {
      let a = columnStarts[$0 + 1] - columnStarts[$0], b = columnStarts[$1 + 1] - columnStarts[$1]
      return a != b ? a > b : $0 < $1
    }
  }
}
