import Foundation
import Testing

@testable import CompGraph

/// The linear-algebra ops (`solve`, `inv`, `det`, `cholesky`, `triangular_solve`, `logdet`):
/// values and derivatives of orders 1 to 3 against JAX (`jnp.linalg`, `jax.scipy.linalg`) at
/// float64, batched forms, the compiled program against the reference evaluator, and the errors
/// bad matrices and bad shapes give.  (Finite differences to order 3: `OpTableTests`.)
@Suite struct LinearAlgebraTests {
  /// One function of matrices: its CompGraph text, its JAX text, its variables and a point.
  struct Case {
    let text: String
    let jax: String
    let variables: [(name: String, shape: Shape)]
    let order: Int
    let point: [String: Tensor]
  }

  /// A regular 3×3 matrix (diagonally dominant, not symmetric).
  static let regular = Tensor(
    shape: [3, 3], scalars: [4, 1, -0.5, 0.3, 3.5, 0.8, -0.2, 0.6, 5])
  /// A 3×3 matrix, not symmetric, whose symmetric part is positive definite.
  static let positiveDefinite = Tensor(
    shape: [3, 3], scalars: [3, 0.9, 0.4, 0.5, 2.5, -0.3, 0.2, -0.5, 2])
  static let rightHandSide = Tensor(shape: [3, 2], scalars: [1, -0.5, 2, 0.25, -1, 3])
  /// Two positive-definite 3×3 matrices, batched.
  static let batch = Tensor(
    shape: [2, 3, 3],
    scalars: positiveDefinite.scalars + [2, 0.3, -0.4, 0.3, 3, 0.5, -0.4, 0.5, 4])

  static let cases: [Case] = [
    Case(
      text: "sum(sin(solve(A, B)))", jax: "jnp.sum(jnp.sin(jnp.linalg.solve(A, B)))",
      variables: [("A", [3, 3]), ("B", [3, 2])], order: 3,
      point: ["A": regular, "B": rightHandSide]),
    Case(
      text: "sum(sin(inv(A)))", jax: "jnp.sum(jnp.sin(jnp.linalg.inv(A)))",
      variables: [("A", [3, 3])], order: 3, point: ["A": regular]),
    Case(
      text: "det(A)", jax: "jnp.linalg.det(A)", variables: [("A", [3, 3])], order: 3,
      point: ["A": regular]),
    Case(
      text: "sum(sin(cholesky(A)))", jax: "jnp.sum(jnp.sin(jnp.linalg.cholesky(A)))",
      variables: [("A", [3, 3])], order: 3, point: ["A": positiveDefinite]),
    Case(
      text: "logdet(A)",
      jax: "2*jnp.sum(jnp.log(jnp.diagonal(jnp.linalg.cholesky(A), axis1=-2, axis2=-1)))",
      variables: [("A", [3, 3])], order: 3, point: ["A": positiveDefinite]),
    Case(
      text: "sum(sin(triangular_solve(L, B, 1, 1)))",
      jax: "jnp.sum(jnp.sin(jsl.solve_triangular(L, B, lower=True, trans=1)))",
      variables: [("L", [3, 3]), ("B", [3, 2])], order: 3,
      point: ["L": regular, "B": rightHandSide]),
    Case(
      text: "sum(sin(triangular_solve(L, B, 0, 0)))",
      jax: "jnp.sum(jnp.sin(jsl.solve_triangular(L, B, lower=False, trans=0)))",
      variables: [("L", [3, 3]), ("B", [3, 2])], order: 2,
      point: ["L": regular, "B": rightHandSide]),
    // Batched over a leading axis, and a vector right-hand side.
    Case(
      text: "sum(logdet(A)*logdet(A))",
      jax:
        "jnp.sum((2*jnp.sum(jnp.log(jnp.diagonal(jnp.linalg.cholesky(A), axis1=-2, axis2=-1)), axis=-1))**2)",
      variables: [("A", [2, 3, 3])], order: 2, point: ["A": batch]),
    Case(
      text: "sum(cholesky(A)*cholesky(A)) + sum(det(A))",
      jax: "jnp.sum(jnp.linalg.cholesky(A)**2) + jnp.sum(jnp.linalg.det(A))",
      variables: [("A", [2, 3, 3])], order: 2, point: ["A": batch]),
    Case(
      text: "sum(exp(solve(A, b)))",
      jax: "jnp.sum(jnp.exp(jnp.linalg.solve(A, b)))",
      variables: [("A", [3, 3]), ("b", [3])], order: 3,
      point: ["A": regular, "b": Tensor(shape: [3], scalars: [0.5, -1, 2])]),
    // The Gaussian-process likelihood's shape: a kernel matrix built from scalars.
    Case(
      text:
        "logdet(exp(s)*[[1, 0.5, 0.1], [0.5, 1, 0.5], [0.1, 0.5, 1]] + exp(n)*[[1, 0, 0], [0, 1, 0], [0, 0, 1]]) + sum(solve(exp(s)*[[1, 0.5, 0.1], [0.5, 1, 0.5], [0.1, 0.5, 1]] + exp(n)*[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 2, 3]))",
      jax:
        "(lambda K: 2*jnp.sum(jnp.log(jnp.diagonal(jnp.linalg.cholesky(K)))) + jnp.sum(jnp.linalg.solve(K, jnp.array([1.0, 2, 3]))))(jnp.exp(s)*jnp.array([[1, 0.5, 0.1], [0.5, 1, 0.5], [0.1, 0.5, 1]]) + jnp.exp(n)*jnp.eye(3))",
      variables: [("s", []), ("n", [])], order: 3,
      point: ["s": Tensor(0.3), "n": Tensor(-1.2)]),
  ]

  /// JAX's value and partials (the tower's order) for each case.
  static func jax(_ cases: [Case]) throws -> [[[Double]]] {
    let request = cases.map { c -> [String: Any] in
      [
        "f": c.jax, "order": c.order,
        "variables": c.variables.map { [$0.name, $0.shape] as [Any] },
        "point": c.point.mapValues { $0.scalars },
      ]
    }
    let input = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    let output = try PythonPeer.run("jax_linalg.py", input: input)
    return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[[Double]]])
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func valuesAndDerivativesToOrderThreeMatchJAX() throws {
    let theirs = try Self.jax(Self.cases)
    try #require(theirs.count == Self.cases.count)
    for (c, reference) in zip(Self.cases, theirs) {
      let declarations = c.variables.map { "\($0.name): \($0.shape.shapeDescription)" }
      let graph = try parseProgram(
        "var \(declarations.joined(separator: ", "))\nout f = \(c.text)", into: GraphBuilder()
      ).graph()
      let tower = try graph.derivatives(
        wrt: c.variables.map(\.name), order: c.order, simplifying: true)
      let ours = try tower.graph.evaluate(c.point)
      let compiled = try Program(tower.graph).evaluate(c.point)
      try #require(ours.count == reference.count, "\(c.text)")
      for (k, (mine, expected)) in zip(ours, reference).enumerated() {
        let scale = expected.map(abs).max().map { max(1, $0) } ?? 1
        let worst = zip(mine.scalars, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(
          mine.scalars.count == expected.count && worst <= 1e-10 * scale,
          "\(c.text): output \(k) (\(tower.graph.outputNames[k])) differs from JAX by \(worst)")
        let drift = zip(compiled[k].scalars, mine.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(drift <= 1e-12 * scale, "\(c.text): Program differs by \(drift) at output \(k)")
      }
    }
  }

  /// A non-positive-definite, singular or triangular-with-zero matrix is an error that names
  /// the op, the matrix's place in the batch and a remedy, from the reference evaluator and a
  /// compiled program alike; the kernel's value is NaN.
  @Test func badMatricesAreErrors() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [3, 2, 2])
    let b = try g.variable("B", [3, 2, 1])
    let notPositiveDefinite = Tensor(
      shape: [3, 2, 2], scalars: [1, 0, 0, 1, 2, 0, 0, 2, 1, 2, 2, 1])
    let singular = Tensor(shape: [3, 2, 2], scalars: [1, 0, 0, 1, 1, 2, 2, 4, 3, 0, 0, 3])
    let zeroDiagonal = Tensor(shape: [3, 2, 2], scalars: [1, 0, 0, 1, 2, 5, 0, 0, 3, 0, 0, 3])
    let rhs = Tensor(shape: [3, 2, 1], scalars: [1, 2, 3, 4, 5, 6])
    let cases: [(Expr, Tensor, String)] = [
      (
        logdet(a), notPositiveDefinite,
        "logdet: the matrix at [2] of the batch 3 is not positive definite"
      ),
      (
        cholesky(a), notPositiveDefinite,
        "cholesky: the matrix at [2] of the batch 3 is not positive definite"
      ),
      (solve(a, b), singular, "solve: the matrix at [1] of the batch 3 is singular"),
      (inv(a), singular, "inv: the matrix at [1] of the batch 3 is singular"),
      (
        triangularSolve(a, b, lower: false), zeroDiagonal,
        "triangular_solve: the matrix at [1] of the batch 3 has a 0 on its diagonal"
      ),
    ]
    for (e, value, message) in cases {
      let graph = try e.graph()
      let point = ["A": value, "B": rhs]
      #expect(throws: (any Error).self) { try graph.evaluate(point) }
      do {
        _ = try graph.evaluate(point)
      } catch {
        #expect("\(error)".hasPrefix(message), "\(error)")
      }
      do {
        _ = try Program(graph).evaluate(point)
        Issue.record("Program evaluated \(message)")
      } catch {
        #expect("\(error)".hasPrefix(message), "\(error)")
      }
      // The semantics table gives NaN for the bad matrix and the values of the others.
      let values = graph.op(graph.outputs[0]).apply(
        [value, rhs].prefix(graph.inputs(graph.outputs[0]).count).map { $0 },
        shape: graph.shape(graph.outputs[0]))
      #expect(values.scalars.contains { $0.isNaN })
      #expect(values.scalars.contains { !$0.isNaN })
    }
    // det is defined for a singular matrix: 0.
    #expect(try det(a).evaluate(["A": singular]).scalars == [1, 0, 9])
    // A NaN entry gives NaN, not an error (as every op does with NaN).
    let nan = Tensor(shape: [3, 2, 2], scalars: [.nan, 0, 0, 1, 2, 0, 0, 2, 4, 1, 1, 4])
    #expect(try logdet(a).evaluate(["A": nan]).scalars[0].isNaN)
  }

  /// Shapes: square matrices with leading batch axes; a right-hand side with the same leading
  /// axes and n rows; each mismatch named.
  @Test func shapesAreChecked() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [4, 3, 3]), b = try g.variable("B", [4, 3, 2])
    #expect(solve(a, b).shape == [4, 3, 2])
    #expect(inv(a).shape == [4, 3, 3])
    #expect(det(a).shape == [4])
    #expect(logdet(a).shape == [4])
    #expect(cholesky(a).shape == [4, 3, 3])
    #expect(triangularSolve(a, b, transpose: true).shape == [4, 3, 2])
    let v = try g.variable("v", [3])
    #expect(solve(try g.variable("M", [3, 3]), v).shape == [3])
    #expect(solve(a, v).shape == [4, 3])
    let rectangular = try g.variable("R", [3, 2])
    #expect(throws: GraphError.self) { try cholesky(rectangular).node() }
    #expect(throws: GraphError.self) { try det(v).node() }
    #expect(throws: GraphError.self) { try solve(a, try g.variable("C", [5, 3, 2])).node() }
    do {
      _ = try solve(a, try g.variable("D", [4, 2, 2])).node()
    } catch {
      #expect(
        "\(error)"
          == "solve: operand shapes 4x3x3 and 4x2x2 do not fit: the right-hand side must be (…, n, k) with the matrix's leading axes (…) and its n rows"
      )
    }
  }

  /// The expression language calls each op by name, and each op's text reads back to itself;
  /// the listing names a triangular solve's flags.
  @Test func textReadsBackAndListingsNameTheFlags() throws {
    let source =
      "solve(A, B) + inv(A)*det(A) + cholesky(A)*logdet(A) + triangular_solve(A, B, 0, 1)"
    let declarations: [String: Shape] = ["A": [2, 2], "B": [2, 2]]
    let graph = try parseProgram(source, declarations: declarations, into: GraphBuilder()).graph()
    let text = graph.infixLines().joined(separator: "\n")
    #expect(text.contains("triangular_solve(A, B, 0, 1)"), "\(text)")
    let again = try parseProgram(
      text.replacingOccurrences(of: "f = ", with: ""), declarations: declarations,
      into: GraphBuilder()
    ).graph()
    let point = [
      "A": Tensor(shape: [2, 2], scalars: [3, 1, 0.5, 2]),
      "B": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]),
    ]
    #expect(try again.evaluate(point) == graph.evaluate(point))
    #expect(graph.listing.contains("triangular_solve[upper,transpose] A B"), "\(graph.listing)")
    #expect(graph.listing.contains("= cholesky A"))
    // Pictures draw each op by its symbol: the triangle and its side, inv as ⁻¹.
    let dot = try DOTEncoder().encode(graph)
    for symbol in ["solve", "⁻¹", "det", "chol", "logdet", "U⁻ᵀ·"] {
      #expect(dot.contains("label=\"\(symbol)"), "\(symbol) in \(dot)")
    }
    #expect(throws: ParseError.self) {
      try parseProgram(
        "triangular_solve(A, B, 2)", declarations: declarations, into: GraphBuilder())
    }
  }

  /// ONNX has no solve or Cholesky, and the C export needs only libm: both exports refuse the
  /// ops by name.  The NumPy and JAX forms compute what `Graph.evaluate` does.
  @Test func exportsRefuseOrSpellThem() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 2])
    let graph = try logdet(a).graph()
    #expect(throws: GraphError.self) { try graph.onnxModel() }
    do { _ = try graph.onnxModel() } catch { #expect("\(error)".contains("'logdet'")) }
    #expect(throws: GraphError.self) { try graph.cCode(name: "f") }
    do { _ = try graph.cCode(name: "f") } catch { #expect("\(error)".contains("'logdet'")) }
    #expect(throws: GraphError.self) { try graph.text(.c) }
    do { _ = try graph.text(.c) } catch { #expect("\(error)".contains("'logdet'")) }
  }

  @Test(.enabled(if: PythonPeer.shouldRun), arguments: [TextFormat.python, .jax])
  func pythonAndJAXFormsMatchTheEvaluator(format: TextFormat) throws {
    let declarations: [String: Shape] = ["A": [2, 3, 3], "B": [2, 3, 2]]
    let source =
      "sum(solve(A, B)) + sum(inv(A)) + sum(det(A)) + sum(cholesky(A)) + sum(logdet(A)) + sum(triangular_solve(A, B, 1, 1)) + sum(triangular_solve(A, B, 0, 0))"
    let graph = try parseProgram(source, declarations: declarations, into: GraphBuilder()).graph()
    let gradient = try graph.gradient(wrt: ["A", "B"])
    let point = [
      "A": Self.batch,
      "B": Tensor(shape: [2, 3, 2], scalars: Self.rightHandSide.scalars + [0.5, 1, -2, 1, 0, 2]),
    ]
    try TextFormatTests.checkPython(format, [("linear algebra", gradient, point)])
  }

  /// `compgraph check` reports the risk of every factorization and solve.
  @Test func risksAreReported() throws {
    let g = GraphBuilder()
    let s = try g.variable("s")
    let k = exp(s) * g.constant(Tensor(shape: [2, 2], scalars: [1, 0.5, 0.5, 1]))
    let graph = try (logdet(k) + solve(k, g.constant(Tensor(shape: [2], scalars: [1, 2]))).sum())
      .graph()
    let kinds = try graph.risks(in: ["s": Interval(-1, 1)], order: 0).map(\.kind)
    #expect(kinds.contains(.notPositiveDefinite))
    #expect(kinds.contains(.singularMatrix))
  }
}
