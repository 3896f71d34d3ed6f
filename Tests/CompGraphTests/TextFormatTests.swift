import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// `Graph.text(_:)`: LaTeX against a golden; the Python forms run in NumPy and in JAX (jit, and
/// vmap over a batch) against `Graph.evaluate`; the C form compiled with `cc -Wall -Werror` and run
/// against `Program`.
@Suite struct TextFormatTests {
  /// The seed expression's gradient, simplified.
  static func seedGradient() throws -> Graph {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    return simplify(
      try gradient(of: f, wrt: [p, q])[0].graph(
        names: ["∂f/∂p", "∂f/∂q"], with: [gradient(of: f, wrt: q)]))
  }

  @Test func latexGolden() throws {
    #expect(
      try Self.seedGradient().text(.latex) == #"""
        \begin{aligned}
        \frac{\partial f}{\partial p} &= \frac{0.3333333333333333}{\left(q + 2 p\right)^{0.5}} + \frac{2}{p} \\
        \frac{\partial f}{\partial q} &= \frac{1}{q} + \frac{0.16666666666666666}{\left(q + 2 p\right)^{0.5}}
        \end{aligned}

        """#)
    let x = try GraphBuilder().variable("x")
    let d2 = try derivative(of: tanh(x), wrt: x, order: 2)
    #expect(
      try d2.graph(names: ["∂²f/∂x²"]).text(.latex) == #"""
        \begin{aligned}
        \frac{\partial^{2} f}{\partial x^{2}} &= \tanh{\left(x\right)} \left(2 \tanh{\left(x\right)}^{2} - 2\right)
        \end{aligned}

        """#)
  }

  /// Graphs for the Python forms: scalar derivatives, a Hessian large enough to name shared
  /// subexpressions, and tensor graphs with einsum, broadcasting and sums.
  static func pythonCases() throws -> [(Graph, [String: Tensor])] {
    var cases = [(try seedGradient(), ["p": Tensor(2), "q": Tensor(3)])]
    let hessian = try Workload.w3Hessian(4)
    cases.append((hessian, ONNXExportTests.point(for: hessian)))
    for source in [
      "sum(exp(A) * v) + sum(matmul(A, B))",
      #"einsum("ij,jk->ik", A, B) * 2 + trace(matmul(B, A))"#,
    ] {
      let c = try ONNXExportTests.withGradients(source, ["A": [2, 3], "B": [3, 2], "v": [3]])
      cases.append((c.graph, c.point))
    }
    return cases
  }

  @Test(.enabled(if: PythonPeer.shouldRun), arguments: [TextFormat.python, .jax])
  func pythonFormsRun(format: TextFormat) throws {
    try Self.checkPython(format, try Self.pythonCases().map { ("", $0.0, $0.1) })
  }

  /// Runs the `format` function of every case in one Python process (`Tests/Python/text_run.py`)
  /// and compares its outputs with `Graph.evaluate`'s, name by name, to 1e-12 relative.
  static func checkPython(
    _ format: TextFormat, _ cases: [(label: String, graph: Graph, point: [String: Tensor])]
  ) throws {
    let requests: [[String: Any]] = try cases.map { c in
      [
        "code": try c.graph.text(format), "function": "f", "jax": format == .jax,
        "inputs": c.point.mapValues { ["shape": $0.shape, "values": $0.scalars] },
      ]
    }
    let reply = try PythonPeer.run(
      "text_run.py",
      input: String(decoding: try JSONSerialization.data(withJSONObject: requests), as: UTF8.self))
    let results = try #require(
      try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [[String: [String: Any]]])
    try #require(results.count == cases.count)
    for (c, result) in zip(cases, results) {
      for (name, value) in zip(c.graph.outputNames, try c.graph.evaluate(c.point)) {
        let theirs = try #require(result[name], "\(c.label): no output \(name)")
        let numbers = (theirs["values"] as? [Any] ?? []).map {
          ($0 as? Double) ?? Double($0 as? String ?? "") ?? -42
        }
        #expect(theirs["shape"] as? [Int] == value.shape, "\(format) \(c.label): shape of \(name)")
        #expect(numbers.count == value.scalars.count, "\(format) \(c.label): \(name)")
        for (a, b) in zip(numbers, value.scalars) {
          #expect(
            a == b || (a.isNaN && b.isNaN) || abs(a - b) <= 1e-12 * max(abs(a), abs(b)),
            "\(format) \(c.label): \(name) is \(a) in Python, \(b) in CompGraph")
        }
      }
    }
  }

  @Test func cFormCompilesAndRuns() throws {
    for graph in [try Self.seedGradient(), try Workload.w3Hessian(4)] {
      try Self.checkCStatements(graph)
    }
  }

  /// Wraps `graph.text(.c)` in a function `f` (each variable read from `in` under the name the
  /// statements use for it), compiles it with gcc and clang under the strict flags, and checks
  /// its values against `Program` at one point.
  static func checkCStatements(_ graph: Graph) throws {
    let renamed = try graph.cRenamedVariables()
    let variables = graph.variables.map { renamed[$0.name] ?? $0.name }
    let source =
      "#include <math.h>\nvoid f(const double *cg_in, double *out) {\n"
      + (variables.isEmpty ? "  (void)cg_in;\n" : "")
      + variables.enumerated().map { "  const double \($1) = cg_in[\($0)];\n" }.joined()
      + (try graph.text(.c)).split(separator: "\n").map { "  \($0)\n" }.joined() + "}\n"
    let point = variables.indices.map { 0.3 + 0.2 * Double($0) }
    // The driver also calls f_batch; a one-point batch through f is the same values again.
    let batch =
      "void f_batch(size_t n, const double *const *in, double *const *out) {\n"
      + "  double point[\(max(1, point.count))], values[\(graph.outputs.count)];\n"
      + "  for (size_t i = 0; i < n; i++) {\n"
      + "    for (int k = 0; k < \(point.count); k++) point[k] = in[k][i];\n"
      + "    f(point, values);\n"
      + "    for (int j = 0; j < \(graph.outputs.count); j++) out[j][i] = values[j];\n  }\n}\n"
    let values = try CExportTests.compileAndRun(
      "#include <stddef.h>\n" + source + batch,
      input: "\(point.count) \(graph.outputs.count) 1\n"
        + point.map { "\($0)" }.joined(separator: " "))
    #expect(values.count == 2 * graph.outputs.count)
    let expected = try Program(graph).evaluate(point: point)
    for (a, b) in zip(values, expected) { #expect(abs(a - b) <= 1e-13 * max(abs(a), abs(b))) }
  }

  @Test func errors() throws {
    let g = GraphBuilder()
    // `float` is the built-in the erf column's `np.vectorize(math.erf, otypes=[float])` names.
    for name in ["lambda", "float"] {
      let v = try g.variable(name)
      #expect(
        throws: GraphError.unsupported(
          "Python export: '\(name)' is a Python keyword or a module or built-in the function uses; rename it to use it as a name"
        )
      ) { try erf(v * 2).graph().text(.python) }
    }
  }
}
