import Foundation
import Testing

@testable import CompGraph

/// Every op of the set in every export: the Python and JAX forms run, the C file and the C form
/// compile and agree with `Program`, and LaTeX typesets the functions added after the first ones.
/// The graphs are `OpRow`'s: each op's composite expression and its gradient.
@Suite struct ExportEveryOpTests {
  /// The composite of `kind`'s row and its gradient with respect to x and y.
  static func compositeAndGradient(_ kind: Op.Kind) throws -> Graph {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f = OpRow.row(kind).composite(x, y)
    return try f.graph(names: ["f", "∂f/∂x", "∂f/∂y"], with: gradient(of: f, wrt: [x, y]))
  }

  @Test(.enabled(if: PythonPeer.shouldRun), arguments: [TextFormat.python, .jax])
  func pythonFormsOfEveryOp(format: TextFormat) throws {
    // A scan is not written in Python yet (`ScanTests` checks the refusal).
    let cases = try Op.Kind.allCases.filter { $0 != .scan }.map { kind in
      let (px, py) = OpRow.row(kind).points[0]
      return ("\(kind)", try Self.compositeAndGradient(kind), ["x": Tensor(px), "y": Tensor(py)])
    }
    try TextFormatTests.checkPython(format, cases)
  }

  /// One scalar graph holding every op that applies to scalars: each row's direct expressions
  /// and their gradients.
  static func everyScalarOp() throws -> Graph {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    var outputs: [Expr] = []
    for kind in Op.Kind.allCases {
      for f in OpRow.row(kind).direct?(x, y) ?? [] {
        outputs += [f] + (try gradient(of: f, wrt: [x, y]))
      }
    }
    let graph = try outputs[0].graph(
      names: outputs.indices.map { "y\($0)" }, with: Array(outputs.dropFirst()))
    let missing = Set(Op.Kind.allCases).subtracting(graph.ids.map { graph.op($0).kind })
    // Summing or broadcasting a scalar to a scalar builds nothing.
    #expect(
      missing == [
        .reduceMax, .slice, .pad, .oneHot, .sumTo, .broadcastTo, .cast, .solve, .inverse,
        .determinant, .cholesky, .triangularSolve, .logdet, .scan, .patches, .unpatches,
      ],
      "ops without a scalar form in f64")
    return graph
  }

  /// Equal as numbers (NaN to NaN, signed zeros and infinities exactly), else within `tolerance`
  /// relative.
  static func same(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if !a.isFinite || !b.isFinite || a == 0 || b == 0 { return a == b }
    return abs(a - b) <= tolerance * max(abs(a), abs(b))
  }

  /// Points inside and outside the ops' domains (NaN results included) and at their edges.
  static let points: [[Double]] = [
    [0.3, 0.7], [-0.6, 0.4], [0.8, -0.5], [2, 1.5], [0, -0.0], [1, 1], [-3, 0], [.infinity, 2],
    [.nan, 1],
  ]

  /// In both forms of the C code: straight-line and looped (`Graph.loopedCFunctions`).
  @Test(arguments: [false, true]) func cCodeOfEveryScalarOpMatchesProgram(looped: Bool) throws {
    let graph = try Self.everyScalarOp()
    let input =
      "2 \(graph.outputs.count) \(Self.points.count)\n"
      + Self.points.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
    let values = try CExportTests.compileAndRun(
      try graph.cCode(name: "f", looped: looped), input: input)
    let program = try Program(graph)
    #expect(program.inputNames == ["x", "y"])
    let m = graph.outputs.count
    try #require(values.count == 2 * Self.points.count * m)
    for (p, point) in Self.points.enumerated() {
      let expected = try program.evaluate(point: point)
      for j in 0..<m {
        for c in [values[p * m + j], values[(Self.points.count + p) * m + j]] {
          #expect(
            Self.same(c, expected[j], 1e-15),
            "\(graph.infix(of: [graph.outputs[j]], limit: 80)[0]) at \(point): \(c) in C, \(expected[j]) in Program"
          )
        }
      }
    }
  }

  /// The C form (statements over libm) compiled into a function, against `Program`; libm's exp,
  /// log and tanh differ from `Program`'s own in the last bits.
  @Test func cFormOfEveryScalarOpMatchesProgram() throws {
    let graph = try Self.everyScalarOp()
    let text = try graph.text(.c)
    #expect(text.contains("t1"), "the operands of sign, max and min are named")
    let source =
      "#include <math.h>\n#include <stddef.h>\nvoid f(const double *in, double *out) {\n"
      + "  const double x = in[0], y = in[1];\n"
      + text.split(separator: "\n").map { "  \($0)\n" }.joined() + "}\n"
      + "void f_batch(size_t n, const double *const *in, double *const *out) {\n"
      + "  double point[2], values[\(graph.outputs.count)];\n"
      + "  for (size_t i = 0; i < n; i++) {\n"
      + "    point[0] = in[0][i];\n    point[1] = in[1][i];\n    f(point, values);\n"
      + "    for (int j = 0; j < \(graph.outputs.count); j++) out[j][i] = values[j];\n  }\n}\n"
    let input =
      "2 \(graph.outputs.count) \(Self.points.count)\n"
      + Self.points.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
    let values = try CExportTests.compileAndRun(source, input: input)
    let program = try Program(graph)
    let m = graph.outputs.count
    try #require(values.count == 2 * Self.points.count * m)
    for (p, point) in Self.points.enumerated() {
      let expected = try program.evaluate(point: point)
      for j in 0..<m {
        #expect(
          Self.same(values[p * m + j], expected[j], 1e-12),
          "\(graph.infix(of: [graph.outputs[j]], limit: 80)[0]) at \(point): \(values[p * m + j]) in C, \(expected[j]) in Program"
        )
      }
    }
  }

  @Test func latexOfTheFunctionsAndSelections() throws {
    let program = try parseProgram(
      """
      out f = where(x > y, abs(x) + max(x, y), erf(x)) + min(x, 2) * sign(y)
      out g = tan(x) + atan(x) + asin(y) + acos(y) + sinh(x) * cosh(y) + cbrt(x)
      out h = log1p(-x) * expm1(y) + x^y + (x <= y) + (x == 1)
      """, declarations: [:], into: GraphBuilder())
    #expect(
      try program.graph().text(.latex) == #"""
        \begin{aligned}
        f &= \begin{cases} \left|x\right| + \max\left(x, y\right) & \text{if } \left[x > y\right] \neq 0 \\ \operatorname{erf}{\left(x\right)} & \text{otherwise} \end{cases} + \min\left(x, 2\right) \operatorname{sign}{\left(y\right)} \\
        g &= \tan{\left(x\right)} + \arctan{\left(x\right)} + \arcsin{\left(y\right)} + \arccos{\left(y\right)} + \sinh{\left(x\right)} \cosh{\left(y\right)} + \sqrt[3]{x} \\
        h &= \ln{\left(1 + \left(-x\right)\right)} \left(e^{y} - 1\right) + x^{y} + \left[x \le y\right] + \left[x = 1\right]
        \end{aligned}

        """#)
  }
}
