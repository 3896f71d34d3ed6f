import Foundation
import Testing

@testable import CompGraph

/// Exports are as stable as `eval` (issue 26 §2): the README's stability table, each row's value
/// and derivatives up to order 3 built as the exports build them (`Graph.derivatives(…,
/// stabilizing: true)`), through onnxruntime, the compiled C file, NumPy and JAX — every value
/// finite, and within 1e-15 of `Graph.evaluate`'s, which is what `eval` computes.  The where
/// rows of issue 26 §0 ride along: their derivatives take only the branch taken in every engine.
@Suite struct StableExportTests {
  struct Row: Sendable, CustomTestStringConvertible {
    let expression: String
    let point: [String: Double]
    var testDescription: String { expression }
  }

  static let rows: [Row] = [
    Row(expression: "sigmoid(x)", point: ["x": -1000]),
    Row(expression: "sigmoid(x)", point: ["x": 1000]),
    Row(expression: "softplus(x)", point: ["x": 1000]),
    Row(expression: "softplus(x)", point: ["x": -1000]),
    Row(expression: "ln(exp(a) + exp(b))", point: ["a": 1000, "b": 1000]),
    Row(expression: "ln(exp(a) + exp(b))", point: ["a": 0, "b": -30]),
    Row(expression: "ln(1 + x)", point: ["x": 1e-20]),
    Row(expression: "exp(x) - 1", point: ["x": 1e-20]),
    Row(expression: "tanh(x)", point: ["x": 1e-20]),
    Row(expression: "tanh(x)", point: ["x": 20]),
    Row(
      expression: "cross_entropy(concat(reshape(a, 1), reshape(b, 1), reshape(c, 1), 0), 1)",
      point: ["a": 1000, "b": -1000, "c": 0]),
    Row(expression: "where(x, sqrt(y), y)", point: ["x": 0, "y": -1]),
    Row(expression: "min(x, exp(y))", point: ["x": 0, "y": 1000]),
  ]

  /// f and every derivative up to order 3 in all its variables, as `export` and `emit` build
  /// them.
  static func tower(_ row: Row) throws -> Graph {
    let f = try parseProgram(row.expression, declarations: [:], into: GraphBuilder()).graph()
    return try f.derivatives(
      wrt: f.variables.map(\.name), order: 3, simplifying: true, stabilizing: true
    ).graph
  }

  /// Equal, or within 1e-15 relative; both finite.
  static func agree(_ a: Double, _ b: Double) -> Bool {
    a.isFinite && b.isFinite && (a == b || abs(a - b) <= 1e-15 * max(abs(a), abs(b)))
  }

  static func point(_ row: Row) -> [String: Tensor] { row.point.mapValues { Tensor($0) } }

  @Test(.enabled(if: PythonPeer.shouldRun)) func onnxruntimeNumPyAndJAX() throws {
    let graphs = try Self.rows.map(Self.tower)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-stable-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    var models: [[String: Any]] = []
    var functions: [[String: Any]] = []
    for (k, (row, graph)) in zip(Self.rows, graphs).enumerated() {
      let path = directory.appendingPathComponent("\(k).onnx").path
      try Data(graph.onnxModel(stabilizing: false)).write(to: URL(fileURLWithPath: path))
      let inputs = row.point.mapValues { ["shape": [Int](), "values": [$0]] as [String: Any] }
      models.append(["model": path, "inputs": inputs])
      for jax in [false, true] {
        functions.append([
          "code": try graph.text(jax ? .jax : .python), "function": "f", "jax": jax,
          "inputs": inputs,
        ])
      }
    }
    func run(_ script: String, _ request: [[String: Any]]) throws -> [[String: [String: Any]]] {
      let reply = try PythonPeer.run(
        script,
        input: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
      return try #require(
        try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [[String: [String: Any]]])
    }
    let onnx = try run("onnx_run.py", models)
    let python = try run("text_run.py", functions)
    try #require(onnx.count == Self.rows.count && python.count == 2 * Self.rows.count)
    for (k, (row, graph)) in zip(Self.rows, graphs).enumerated() {
      let ours = try graph.evaluate(Self.point(row)).map { $0.scalars[0] }
      for (engine, result) in [
        ("onnxruntime", onnx[k]), ("NumPy", python[2 * k]), ("JAX", python[2 * k + 1]),
      ] {
        for (name, value) in zip(graph.outputNames, ours) {
          let theirs = (result[name]?["values"] as? [Any])?.first
          let number = (theirs as? Double) ?? Double(theirs as? String ?? "") ?? .nan
          #expect(
            Self.agree(number, value),
            "\(row.expression) at \(row.point), \(engine): \(name) = \(number), eval \(value)")
        }
      }
    }
  }

  /// The scalar rows (the driver reads scalars; cross_entropy's logits are a vector).
  @Test(arguments: rows.filter { !$0.expression.hasPrefix("cross_entropy") })
  func compiledC(_ row: Row) throws {
    let graph = try Self.tower(row)
    let ours = try graph.evaluate(Self.point(row)).map { $0.scalars[0] }
    let point = graph.variables.map { row.point[$0.name]! }
    let values = try CExportTests.run(graph, at: [point])
    try #require(values.count == 2 * ours.count)
    for (j, value) in ours.enumerated() {
      // The point through f, then through f_batch.
      for c in [values[j], values[ours.count + j]] {
        #expect(
          Self.agree(c, value),
          "\(row.expression) at \(row.point), C: \(graph.outputNames[j]) = \(c), eval \(value)")
      }
    }
  }

  /// `Graph.cCode` and `Graph.onnxModel` write the stable forms of the graph they are given
  /// unless told not to.
  @Test func cCodeAndONNXStabilizeByDefault() throws {
    let f = try parseProgram("softplus(x)", declarations: [:], into: GraphBuilder()).graph()
    #expect(try f.cCode().contains("log1p("))
    #expect(try !f.cCode(stabilizing: false).contains("log1p"))
    let stable = try f.onnxModel(), naive = try f.onnxModel(stabilizing: false)
    #expect(stable != naive)
    #expect(try stable == f.stabilized().onnxModel(stabilizing: false))
    #expect(try stable == f.onnxModel(stabilizing: true))
  }
}
