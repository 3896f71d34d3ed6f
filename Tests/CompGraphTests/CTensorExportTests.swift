import Foundation
import Testing

@testable import CompGraph

/// `Graph.cCode` of graphs with tensors: every tensor op and the tensor derivatives (gradients,
/// Hessians of matrices in `jax.hessian`'s shapes) as loops over flat arrays, compiled with gcc
/// and clang under `-std=c99 -O2 -Wall -Wextra -Werror -pedantic`; `f` and `f_batch` give what
/// the interpreter (`Graph.evaluate`) gives to 1e-13 (relative, or absolute below 1), at random
/// points and at edge points (zeros, ±1e-300, ±30, indices out of range or not integers).
@Suite struct CTensorExportTests {
  /// Compiles `graph`'s C code and checks it at `points` against the interpreter.
  static func check(
    _ label: String, _ graph: Graph, at points: [[String: Tensor]], source: String? = nil
  ) throws {
    let names = graph.variables.map(\.name)
    let expected = try points.map { point in try graph.evaluate(point).flatMap(\.scalars) }
    let inputCount = graph.variables.reduce(0) { $0 + $1.shape.elementCount }
    let m = expected[0].count
    let input =
      "\(inputCount) \(m) \(points.count)\n"
      + points.map { point in
        names.flatMap { point[$0]!.scalars }.map { "\($0)" }.joined(separator: " ")
      }.joined(separator: "\n")
    let values = try CExportTests.compileAndRun(
      source ?? graph.cCode(stabilizing: false), input: input)
    try #require(values.count == 2 * points.count * m, "\(label): \(values.count) values")
    for (p, point) in expected.enumerated() {
      for j in 0..<m {
        for c in [values[p * m + j], values[(points.count + p) * m + j]] {
          let e = point[j]
          #expect(
            c == e || (c.isNaN && e.isNaN) || abs(c - e) <= 1e-13 * max(1, abs(c), abs(e)),
            "\(label): output element \(j) at point \(p) is \(c) in C, \(e) in the interpreter")
        }
      }
    }
  }

  /// Random points for `graph`'s variables in `range` (variables named in `indices` get integers
  /// 0…3), then the edge points: zeros, ±1e-300 and ±30 (indices 5 and 1.5, outside and between).
  static func points(
    _ graph: Graph, in range: ClosedRange<Double>, indices: Set<String> = [], count: Int = 4
  ) -> [[String: Tensor]] {
    var generator = SystemRandomNumberGenerator()
    func point(_ value: (String) -> Double) -> [String: Tensor] {
      Dictionary(
        uniqueKeysWithValues: graph.variables.map { name, shape in
          (name, Tensor(shape: shape, scalars: (0..<shape.elementCount).map { _ in value(name) }))
        })
    }
    let random = (0..<count).map { _ in
      point {
        indices.contains($0)
          ? Double(Int.random(in: 0...3, using: &generator))
          : Double.random(in: range, using: &generator)
      }
    }
    let edges = [0.0, 1e-300, -1e-300, 30, -30].map { edge in
      point { indices.contains($0) ? (edge == 30 ? 5 : edge == -30 ? 1.5 : 0) : edge }
    }
    return random + edges
  }

  static func program(_ source: String) throws -> Graph {
    try parseProgram(source, declarations: [:], into: GraphBuilder()).graph()
  }

  /// Every op with tensor operands, each its own output: contractions (matmul, trace's
  /// diagonal, dot, an outer product), broadcasting, sums and means along axes, amax,
  /// logsumexp, softmax, slice, pad, concat, index, reshape, broadcast_to, sum_to, one_hot,
  /// gather, where, max/min, a comparison, and a tensor constant.
  @Test func everyTensorOp() throws {
    let graph = try Self.program(
      """
      var A: 2x3, B: 3x4, v: 3, s, i: 2
      out mm = matmul(A, B)
      out bc = A + v
      out el = exp(A)*s - v/(1 + v*v) + tanh(A)^3
      out tr = trace(matmul(transpose(B), B))
      out dt = dot(v, v)
      out op = einsum("i,j->ij", v, v)
      out sa = sum(A, 0)
      out ma = mean(A, 1)
      out su = sum(A)
      out mx = amax(A, 1)
      out lse = logsumexp(A, 1)
      out sm = softmax(A)
      out sl = slice(A, 1, 1, 3)
      out pd = pad(v, 0, 1, 2)
      out cc = concat(A, A, 0)
      out ix = index(A, 1, 2)
      out rs = reshape(A, 3x2)
      out bt = broadcast_to(v, 2x3)
      out st = sum_to(A, 3)
      out oh = one_hot(i, 4)
      out ga = gather(B, i)
      out wh = where(A > 0, A, -A)
      out mn = max(A, v) + min(A, s)
      out cs = A * [[1, 2, 3], [4, 5, 6]]
      """)
    try Self.check("every tensor op", graph, at: Self.points(graph, in: -2...2, indices: ["i"]))
  }

  /// The README's model.cg to order 2 in W and x: ∂²loss/∂W² is 3×2×3×2, ∂²loss/∂W∂x 3×2×2.
  @Test func hessiansOfMatrices() throws {
    let model = try Self.program(
      """
      var W: 3x2, x: 2
      let z = matmul(W, x)
      out loss = sum(z * z) / 2
      """)
    let tower = try model.derivatives(wrt: ["W", "x"], order: 2, simplifying: true).graph
    #expect(
      tower.outputs.map { tower.shape($0) } == [
        [], [3, 2], [2], [3, 2, 3, 2], [3, 2, 2], [2, 2],
      ])
    try Self.check("model.cg", tower, at: Self.points(tower, in: -2...2))
    // δ_ik x_j x_l at the README's point, in C.
    let input = "8 61 1\n1 2 3 4 5 6 1 -2"
    let values = try CExportTests.compileAndRun(tower.cCode(stabilizing: false), input: input)
    let x = [1.0, -2.0]
    for i in 0..<3 {
      for j in 0..<2 {
        for k in 0..<3 {
          for l in 0..<2 {
            #expect(values[9 + ((i * 2 + j) * 3 + k) * 2 + l] == (i == k ? x[j] * x[l] : 0))
          }
        }
      }
    }
  }

  /// Gradients and Hessians through softmax, logsumexp, amax, slice, pad, one_hot and
  /// broadcasting: the derivative graphs hold sum_to, broadcast_to, reshape and einsum with
  /// identity tensors, all written as loops.
  @Test func tensorDerivativesThroughEveryOp() throws {
    let f = try Self.program(
      """
      var W: 3x2, v: 3, b: 2
      let h = tanh(matmul(transpose(W), v) + b)
      out f = logsumexp(h) + sum(softmax(v) * v) + index(amax(W * W, 0), 0, 1) + sum(slice(pad(v, 0, 1, 1), 0, 1, 4) * one_hot(1, 3)) + sum(max(W, 0.5))
      """)
    let tower = try f.derivatives(wrt: ["W", "v", "b"], order: 2, simplifying: true).graph
    try Self.check("derivatives", tower, at: Self.points(tower, in: -1.5...1.5))
    let stable = try f.derivatives(wrt: ["W", "v"], order: 2, simplifying: true, stabilizing: true)
      .graph
    try Self.check("stable derivatives", stable, at: Self.points(stable, in: -1.5...1.5))
  }

  /// `text(.c)` (`grad --format c`) of tensor graphs: statements for a function body over
  /// `const double *` variables, which loop over `v`, `i0`, `k`…, so variables of those names are
  /// renamed; wrapped in a function, they give what the interpreter gives, with libm alone.
  @Test func statementsForTensors() throws {
    let f = try Self.program(
      """
      var v: 3, k: 2x3, i0, out: 3
      out r = matmul(k, v) * i0 + amax(k, 1) + sum(sign(k) * max(k, out) * min(out, 0.5), 1)
      out q = exp(k) * tanh(v) + ln(1 + k * k) + k^7 + one_hot(i0, 3)
      """)
    let tower = try f.derivatives(wrt: ["v", "k"], order: 2, simplifying: true).graph
    let text = try tower.text(.c)
    #expect(
      text.hasPrefix(
        "/* Variables renamed to keep clear of C's own names and the loops': i0 -> i0_, k -> k_, out -> out_, v -> v_ */\n"
      ), "\(text)")
    #expect(!text.contains("_inline"), "\(text)")
    let renamed = try tower.cRenamedVariables(alsoTaken: { ["v", "k", "i0", "out"].contains($0) })
    var offset = 0
    var pointers = ""
    for (name, shape) in tower.variables {
      pointers += "  const double *\(renamed[name] ?? name) = cg_in + \(offset);\n"
      offset += shape.elementCount
    }
    let outputs = tower.outputs.reduce(0) { $0 + tower.shape($1).elementCount }
    let source =
      "#include <math.h>\n#include <stddef.h>\n"
      + "void f(const double *cg_in, double *out) {\n" + pointers
      + text.split(separator: "\n").map { "  \($0)\n" }.joined() + "}\n"
      + "void f_batch(size_t n, const double *const *in, double *const *out) {\n"
      + "  double point[\(offset)], values[\(outputs)];\n"
      + "  for (size_t i = 0; i < n; i++) {\n"
      + "    for (int k = 0; k < \(offset); k++) point[k] = in[k][i];\n"
      + "    f(point, values);\n"
      + "    for (int j = 0; j < \(outputs); j++) out[j][i] = values[j];\n  }\n}\n"
    try Self.check(
      "statements", tower, at: Self.points(tower, in: -1...1, indices: ["i0"]), source: source)
  }

  /// Axes of extent 0 and outputs without elements write no loop a compiler could warn about
  /// (`k < 0` on a size_t), and a graph without variables reads no input.
  @Test func emptyTensorsAndConstantGraphs() throws {
    let empty = try parseProgram(
      "out a = sum(E) + 1\nout b = E * 2\nout c = sum(E, 0)", declarations: ["E": [0, 3]],
      into: GraphBuilder()
    ).graph()
    try Self.check("empty", empty, at: [["E": Tensor(shape: [0, 3], scalars: [])]])
    let constant = try Self.program("out c = [[1, 2], [3, 4]] * 2\nout d = sum([1, 2, 3])")
    try Self.check("constant", constant, at: [[:]])
  }

  /// The C export writes f64: a tensor graph of f32 values is refused, by `cCode` and by the
  /// statements of `text(.c)`, with what to do instead.
  @Test func f32TensorGraphsAreRefused() throws {
    let graph = try Self.program("var W: 3x2 f32, x: 2 f32\nout loss = sum(matmul(W, x))")
    for export in [{ try graph.cCode() }, { try graph.text(.c) }] {
      #expect {
        _ = try export()
      } throws: {
        "\($0)".contains(
          "has f32 values, and this export writes f64 only; declare the graph's variables f64")
      }
    }
  }
}
