import Foundation
import Testing

@testable import CompGraph

/// Sparsity patterns against dense derivatives, colourings on known patterns, and compressed
/// evaluation against the dense values.
@Suite struct SparsityTests {
  /// A random smooth expression of `x`, from a fixed seed: sums, products, quotients and
  /// elementary functions of a few variables each.
  static func randomExpression(_ x: [Expr], _ random: inout SplitMix64, depth: Int = 3) -> Expr {
    if depth == 0 {
      let v = x[Int(random.next() % UInt64(x.count))]
      return random.nextUnit() < 0.3 ? v * (0.5 + random.nextUnit()) : v
    }
    let a = randomExpression(x, &random, depth: depth - 1)
    let b = randomExpression(x, &random, depth: depth - 1)
    switch random.next() % 9 {
    case 0: return a + b
    case 1: return a * b
    case 2: return a / (1 + b * b)
    case 3: return exp(0.3 * a) + b
    case 4: return sin(a) * b
    case 5: return tanh(a + b)
    case 6: return pow(a, 2) + b
    case 7: return ln(1 + a * a) - b
    default: return atan(a) + sqrt(1 + b * b)
    }
  }

  /// The nonzero entries of a dense matrix (rows of values).
  static func nonzeros(_ m: [[Double]]) -> Set<[Int]> {
    var set = Set<[Int]>()
    for (i, row) in m.enumerated() {
      for (j, v) in row.enumerated() where v != 0 { set.insert([i, j]) }
    }
    return set
  }

  static func entries(_ p: SparsityPattern) -> Set<[Int]> {
    Set(zip(p.rows, p.columns).map { [$0, $1] })
  }

  /// Random graphs: the Jacobian pattern of five outputs and the Hessian pattern of their sum
  /// hold every nonzero of the dense derivatives at two random points, and nothing else (these
  /// ops have no structural zero the analysis cannot see); the compressed values equal the
  /// dense ones within 1e-14 relative.
  @Test(arguments: 0..<8)
  func randomGraphsMatchDenseDerivatives(_ seed: Int) throws {
    var random = SplitMix64(seed: UInt64(seed) &* 7919 &+ 17)
    let g = GraphBuilder()
    let names = (0..<7).map { "x\($0)" }
    let x = try names.map { try g.variable($0) }
    // Each output reads three of the seven variables.
    var outputs = (0..<5).map { _ in
      let chosen = (0..<3).map { _ in x[Int(random.next() % 7)] }
      return Self.randomExpression(chosen, &random)
    }
    outputs[0] = outputs[0] + 0.01 * sum(x)  // every variable in the graph
    let graph = try outputs[0].graph(with: Array(outputs.dropFirst()))
    let f = sum(outputs)
    let fGraph = try f.graph()
    let denseJ = try jacobian(of: outputs, wrt: x)
    let denseH = try hessian(of: f, wrt: x, simplify: false)
    let jGraph = try denseJ.flatMap { $0 }[0].graph(with: Array(denseJ.flatMap { $0 }.dropFirst()))
    let hGraph = try denseH.flatMap { $0 }[0].graph(with: Array(denseH.flatMap { $0 }.dropFirst()))
    let jPattern = try graph.jacobianSparsity(wrt: names)
    let hPattern = try fGraph.hessianSparsity(wrt: names)
    var seenJ = Set<[Int]>(), seenH = Set<[Int]>()
    let sparseJ = try graph.sparseJacobian(wrt: names)
    let sparseH = try fGraph.sparseHessian(wrt: names)
    for _ in 0..<2 {
      let point = Dictionary(
        uniqueKeysWithValues: names.map { ($0, Tensor(random.nextUnit() * 2 - 1)) })
      let j = try jGraph.evaluate(point).map { $0.scalars[0] }
      let h = try hGraph.evaluate(point).map { $0.scalars[0] }
      let jRows = (0..<5).map { Array(j[($0 * 7)..<($0 * 7 + 7)]) }
      let hRows = (0..<7).map { Array(h[($0 * 7)..<($0 * 7 + 7)]) }
      seenJ.formUnion(Self.nonzeros(jRows))
      seenH.formUnion(Self.nonzeros(hRows))
      for (values, rows, sparse) in [(jRows, 5, sparseJ), (hRows, 7, sparseH)] {
        let got = try sparse.values(at: point)
        for (k, (r, c)) in zip(sparse.pattern.rows, sparse.pattern.columns).enumerated() {
          #expect(r < rows)
          let want = values[r][c]
          #expect(
            Swift.abs(got[k] - want) <= 1e-14 * Swift.max(1, Swift.abs(want)),
            "seed \(seed), (\(r), \(c)): compressed \(got[k]), dense \(want)")
        }
      }
    }
    #expect(seenJ.subtracting(Self.entries(jPattern)).isEmpty, "missed Jacobian nonzeros")
    #expect(seenH.subtracting(Self.entries(hPattern)).isEmpty, "missed Hessian nonzeros")
    #expect(
      Self.entries(jPattern) == seenJ,
      "extra Jacobian entries: \(Self.entries(jPattern).subtracting(seenJ))")
    #expect(
      Self.entries(hPattern) == seenH,
      "extra Hessian entries: \(Self.entries(hPattern).subtracting(seenH))")
  }

  /// Extra entries are structural zeros the pattern cannot rule out, named here: max(x, y)·z
  /// takes one side at a point, so (x, z) or (y, z) is zero there; a product with a constant
  /// zero keeps its entry; tensors keep their element structure (a slice drops the others, a
  /// where takes one branch per element, an einsum pairs only the elements a term multiplies).
  @Test func namedStructuralZerosAndElementStructure() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y"), z = try g.variable("z")
    let f = max(x, y) * z
    let p = try f.graph().hessianSparsity(wrt: ["x", "y", "z"])
    // At (2, 1, 3) max takes x: H has (x, z), (z, x); (y, z) and (z, y) are the named extras.
    #expect(Self.entries(p) == [[0, 2], [2, 0], [1, 2], [2, 1]])
    // Tensors: v is 4 elements.
    let t = GraphBuilder()
    let v = try t.variable("v", [4]), w = try t.variable("w", [2])
    let s = slice(v, axis: 0, start: 1, end: 3) * w  // [v1·w0, v2·w1]
    let j = try s.graph().jacobianSparsity(wrt: ["v", "w"])
    #expect(Self.entries(j) == [[0, 1], [0, 4], [1, 2], [1, 5]])
    let h = try sum(exp(pad(s, axis: 0, before: 1, after: 0))).graph().hessianSparsity(wrt: [
      "v", "w",
    ])
    #expect(
      Self.entries(h) == [[1, 1], [1, 4], [4, 1], [4, 4], [2, 2], [2, 5], [5, 2], [5, 5]])
    let m = try t.variable("m", [2, 2])
    let e = einsum("ij,j->i", m, w)  // e_i = Σ_j m_ij w_j
    #expect(
      Self.entries(try e.graph().jacobianSparsity(wrt: ["m", "w"]))
        == [[0, 0], [0, 1], [0, 4], [0, 5], [1, 2], [1, 3], [1, 4], [1, 5]])
    let eh = try sum(e).graph().hessianSparsity(wrt: ["m", "w"])  // m_ij·w_j: only (m_ij, w_j)
    #expect(
      Self.entries(eh)
        == [[0, 4], [4, 0], [1, 5], [5, 1], [2, 4], [4, 2], [3, 5], [5, 3]])
    let chosen = select(greater(w, t.constant(0)), exp(w), w)  // where: each element its branches
    #expect(
      Self.entries(try sum(chosen).graph().hessianSparsity(wrt: ["w"])) == [[0, 0], [1, 1]])
  }

  /// Chained Rosenbrock (W13's f): the Hessian is tridiagonal, 3N − 2 nonzeros, star-coloured
  /// in 3 colours (the lower bound, its largest row count); values equal the dense Hessian's.
  @Test func tridiagonalHessianTakesThreeColours() throws {
    let n = 12
    let (graph, names) = try Self.chainedRosenbrock(n)
    let sparse = try graph.sparseHessian(wrt: names)
    #expect(sparse.pattern.nonzeroCount == 3 * n - 2)
    #expect(sparse.coloring.count == 3 && sparse.pattern.maxRowCount == 3)
    let g = GraphBuilder(graph)
    let x = names.map { g.expr(g.existingVariable($0)!) }
    let dense = try hessian(of: g.expr(graph.outputs[0]), wrt: x, simplify: false)
    let point = Dictionary(
      uniqueKeysWithValues: names.enumerated().map { ($1, Tensor(Foundation.sin(Double($0 + 1)))) })
    let got = try sparse.values(at: point)
    for (k, (r, c)) in zip(sparse.pattern.rows, sparse.pattern.columns).enumerated() {
      let want = try dense[r][c].evaluate(point).scalars[0]
      #expect(Swift.abs(got[k] - want) <= 1e-14 * Swift.abs(want), "(\(r), \(c))")
    }
  }

  static func chainedRosenbrock(_ n: Int) throws -> (Graph, [String]) {
    let g = GraphBuilder()
    let names = (0..<n).map { "x\($0)" }
    let x = try names.map { try g.variable($0) }
    let terms = (0..<(n - 1)).map { i -> Expr in
      let u: Expr = x[i + 1] - pow(x[i], 2)
      let v: Expr = 1 - x[i]
      return 100 * pow(u, 2) + pow(v, 2)
    }
    return (try sum(terms).graph(), names)
  }

  /// Colour counts on known patterns: a tridiagonal Jacobian takes 3 column colours, a banded
  /// one of half-bandwidth b takes 2b + 1, an arrowhead Hessian (x₀ coupled to all) is star
  /// coloured in 2 (its largest row has n entries: the Jacobian bound does not apply to a
  /// symmetric colouring) and its Jacobian in n.
  @Test func colourCountsOnKnownPatterns() throws {
    let n = 30
    let g = GraphBuilder()
    let names = (0..<n).map { "x\($0)" }
    let x = try names.map { try g.variable($0) }
    for b in [1, 2, 4] {
      let rows = (0..<n).map { i in
        sum((Swift.max(0, i - b)...Swift.min(n - 1, i + b)).map { sin(x[$0]) * Double($0 + i + 1) })
      }
      let pattern = try rows[0].graph(with: Array(rows.dropFirst())).jacobianSparsity(wrt: names)
      let coloring = pattern.columnColoring()
      #expect(pattern.maxRowCount == 2 * b + 1)
      #expect(coloring.count == 2 * b + 1, "half-bandwidth \(b): \(coloring.count) colours")
      Self.expectDistanceTwo(pattern, coloring)
    }
    let arrow = sum((1..<n).map { exp(x[0] * x[$0]) })
    let h = try arrow.graph().hessianSparsity(wrt: names)
    #expect(h.maxRowCount == n && h.nonzeroCount == 3 * n - 2)
    #expect(h.starColoring().count == 2)
    #expect(h.columnColoring().count == n)
  }

  /// No two columns of one colour share a row.
  static func expectDistanceTwo(_ p: SparsityPattern, _ c: Coloring) {
    for row in p.rowLists {
      #expect(Set(row.map { c.colors[$0] }).count == row.count)
    }
  }

  @Test func errors() throws {
    let g = GraphBuilder()
    let v = try g.variable("v", [3])
    let pattern = #expect(throws: GraphError.self) {
      try exp(v).graph().hessianSparsity(wrt: ["v"])
    }
    #expect("\(pattern!)".contains("the output must be a scalar"))
    let missing = #expect(throws: GraphError.self) {
      try sum(v).graph().jacobianSparsity(wrt: ["u"])
    }
    #expect("\(missing!)".contains("no variable 'u'"))
  }
}
