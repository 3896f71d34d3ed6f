import Foundation
import Testing

@testable import CompGraph

/// `Graph.cCode` of graphs with f32 values: each f32 node is a `float` computed with the spelling
/// table's f32 kernels. The file compiles with gcc and clang under the strict flags, and its
/// values agree with the f32 `Program` (and so with the reference evaluator in f32) for every
/// op and its first and second derivatives, in the straight-line and the looped form; a graph
/// mixing the types takes doubles and computes each node in its own type. The native backend
/// runs an f32 scalar graph's float code.
@Suite struct CExportF32Tests {
  /// The driver of `CExportTests`, on floats: reads points, prints `f`'s and `f_batch`'s values.
  static let floatDriver = CExportTests.driver
    .replacingOccurrences(of: "double", with: "float")
    .replacingOccurrences(of: "%lf", with: "%f")
    .replacingOccurrences(of: "%.17g", with: "%.9g")

  /// Every op's composite (OpRow) with its first and second derivatives, x and y f32, for the
  /// ops whose f64 graph is scalar and C writes (not the matrix functions, which call LAPACK,
  /// nor the ops along an axis, whose loops are f64 only): one output set per op, in one graph.
  static func everyOpInF32() throws -> Graph {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32), y = try g.variable("y", dtype: .f32)
    var outputs: [Expr] = [], names: [String] = []
    for kind in Op.Kind.allCases {
      let row = OpRow.row(kind)
      let f64 = try F32AgainstF64Tests.derivatives(kind, .f64)
      guard f64.ids.allSatisfy({ f64.shape($0).isEmpty }),
        (try? f64.cCode(stabilizing: false)) != nil
      else { continue }
      let f = row.composite(x, y)
      let first = try gradient(of: f, wrt: [x, y])
      let second = try gradient(of: first[0], wrt: [x, y])
      outputs += [f] + first + second
      names += ["f", "fx", "fy", "fxx", "fxy"].map { "\(kind.name).\($0)" }
    }
    return try outputs[0].graph(names: names, with: Array(outputs.dropFirst()))
  }

  /// The C file's values at `points` (the float driver when it takes floats) against `program`'s,
  /// within a few f32 ulps of each output's scale (the kernels are the same; sums of many terms
  /// may be added in another order).
  static func check(_ graph: Graph, _ source: String, points: [[Double]], against program: Program)
    throws
  {
    let float = source.contains("const float *in")
    let input =
      "\(graph.variables.count) \(graph.outputs.count) \(points.count)\n"
      + points.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
    let values = try CExportTests.compileAndRun(
      source, input: input, driver: float ? floatDriver : CExportTests.driver)
    let m = graph.outputs.count
    #expect(values.count == 2 * points.count * m)
    for (p, point) in points.enumerated() {
      let expected = try program.evaluate(point: point)
      for j in 0..<m {
        for c in [values[p * m + j], values[(points.count + p) * m + j]] {
          #expect(
            F32AgainstF64Tests.close(c, expected[j], scale: max(1, abs(expected[j])), ulps: 4),
            "\(graph.outputNames[j]) at \(point): C \(c), Program \(expected[j])")
        }
      }
    }
  }

  /// The points every op's row is sampled at, as f32 values.
  static let points: [[Double]] = [[0.3, 0.7], [-0.6, 0.4], [0.8, -0.5], [1.7, 0.4]].map {
    $0.map { Double(Float($0)) }
  }

  @Test func everyOpAndItsDerivativesInFloat() throws {
    let graph = try Self.everyOpInF32()
    let source = try graph.cCode(name: "f", looped: false)
    #expect(source.contains("void f(const float *in, float *out)"))
    #expect(source.contains("static inline float expf_inline(float x)"))
    #expect(!source.contains("const double t"), "an f32 graph has no double node")
    // The rows that call libm call the double function on the widened operands.
    #expect(source.contains("(float)erf((double)") && source.contains("logf_inline("))
    #expect(graph.outputs.count >= 5 * 30, "\(graph.outputs.count) outputs")
    try Self.check(graph, source, points: Self.points, against: try Program(graph))
  }

  @Test func theLoopedFormInFloat() throws {
    let graph = try Self.everyOpInF32()
    let source = try graph.cCode(name: "f", looped: true)
    #expect(source.contains("static void f_run(float *restrict v)"))
    try Self.check(graph, source, points: Self.points, against: try Program(graph))
  }

  /// x f32 and y f64: the file takes doubles, x's value rounded to float as it is read; the f32
  /// nodes are floats, the f64 ones (after the cast the builder puts in) doubles.
  @Test func aMixedGraphTakesDoublesAndComputesEachNodeInItsType() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32), y = try g.variable("y")
    let graph = try (exp(x) * 0.1 + tanh(y) * x).graph()
    let source = try graph.cCode(stabilizing: false)
    #expect(source.contains("void f(const double *in, double *out)"))
    #expect(source.contains("(float)in[0]") && source.contains("expf_inline("))
    #expect(source.contains("tanh_inline("))
    let reference = try Program(graph)  // the reference evaluator (mixed types)
    try Self.check(graph, source, points: [[0.3, 0.7], [-1.5, 2.25]], against: reference)
    // Past the straight-line size, one type is needed.
    let big = try sum((0..<700).map { exp(x * Double($0)) * y }).graph()
    #expect(big.operationCount > Graph.loopedThreshold)
    #expect {
      try big.cCode(stabilizing: false)
    } throws: { "\($0)".contains("mixes f32 and f64 operations") }
  }
}

/// The native backend of f32 graphs, with `NativeBackendTests` (serialized: they set the
/// environment the backend reads).
extension NativeBackendTests {
  /// `Program(graph, backend: .native)` of an f32 scalar graph runs its float C code (taking
  /// doubles), with the f32 plan's values at points and along a batch, and f32 outputs.
  @Test func theNativeBackendRunsF32GraphsInFloat() throws {
    try NativeBackendTests.withCache { _ in
      let graph = try CExportF32Tests.everyOpInF32()
      let native = try Program(graph, backend: .native)
      let plan = try Program(graph)
      #expect(native.backend == .native)
      #expect(native.inputNames == plan.inputNames)
      for point in CExportF32Tests.points {
        let a = try native.evaluate(point: point), b = try plan.evaluate(point: point)
        for j in a.indices {
          #expect(
            F32AgainstF64Tests.close(a[j], b[j], scale: max(1, abs(b[j])), ulps: 4),
            "\(graph.outputNames[j]) at \(point): native \(a[j]), plan \(b[j])")
          #expect(a[j].isNaN || Double(Float(a[j])) == a[j])
        }
      }
      let columns = (0..<2).map { k in CExportF32Tests.points.map { $0[k] } }
      let batch = try native.evaluate(batch: columns, count: CExportF32Tests.points.count)
      for (p, point) in CExportF32Tests.points.enumerated() {
        let one = try native.evaluate(point: point)
        for j in one.indices {
          let value = batch[j][j * CExportF32Tests.points.count + p]
          #expect(value == one[j] || (value.isNaN && one[j].isNaN))
        }
      }
      let tensors = try native.evaluate(["x": Tensor(0.3), "y": Tensor(0.7)])
      #expect(tensors.allSatisfy { $0.dtype == .f32 })
    }
  }
}
