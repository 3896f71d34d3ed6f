import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// ONNX exports checked in the real engine: every model passes
/// `onnx.checker.check_model(full_check=True)` and onnxruntime's outputs equal `Graph.evaluate`'s
/// within 1e-12 relative, name by name and shape by shape (`Tests/Python/onnx_run.py`).
@Suite struct ONNXExportTests {
  /// One graph and the point it is run at; `model` is the ONNX file to run, when it is not the
  /// library's export of `graph`.
  struct Case {
    let label: String
    let graph: Graph
    let point: [String: Tensor]
    var model: URL? = nil
  }

  /// Parses `source` (with tensor `declarations`) and appends the gradient of each output with
  /// respect to every variable (of `sum(output)` for a tensor output), so the cases exercise
  /// `sum_to` and `broadcast_to` the way derivative graphs use them.
  static func withGradients(_ source: String, _ declarations: [String: Shape] = [:]) throws -> Case
  {
    let program = try parseProgram(source, declarations: declarations, into: GraphBuilder())
    let f = program.outputs[0].expr
    let variables = try f.graph().variables
    let scalarF = f.shape == [] ? f : f.sum()
    let grads = try gradient(
      of: scalarF, wrt: variables.map { try f.builder.variable($0.name, $0.shape) })
    let graph = try f.graph(
      names: ["f"] + variables.map { "∂f/∂\($0.name)" }, with: grads)
    return Case(label: source, graph: graph, point: point(for: graph))
  }

  /// Values in [0.25, 1.6) that differ from variable to variable and element to element, where
  /// every primitive is defined.
  static func point(for graph: Graph) -> [String: Tensor] {
    var point: [String: Tensor] = [:]
    for (k, (name, shape)) in graph.variables.enumerated() {
      let values = (0..<shape.elementCount).map { 0.25 + Double((7 * k + 3 * $0) % 23) / 17 }
      point[name] = Tensor(shape: shape, scalars: values)
    }
    return point
  }

  /// Exports every case, runs them all in one onnxruntime process, and compares.
  static func check(_ cases: [Case]) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-onnx-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    var requests: [[String: Any]] = []
    for (k, c) in cases.enumerated() {
      var path = directory.appendingPathComponent("\(k).onnx").path
      if let model = c.model {
        path = model.path
      } else {
        try Data(c.graph.onnxModel()).write(to: URL(fileURLWithPath: path))
      }
      let inputs = c.point.mapValues { ["shape": $0.shape, "values": $0.scalars] }
      requests.append(["model": path, "inputs": inputs])
    }
    let request = String(
      decoding: try JSONSerialization.data(withJSONObject: requests), as: UTF8.self)
    let reply = try PythonPeer.run("onnx_run.py", input: request)
    let results = try #require(
      try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [[String: [String: Any]]])
    try #require(results.count == cases.count)
    for (c, result) in zip(cases, results) {
      let ours = try c.graph.evaluate(c.point)
      #expect(Set(result.keys) == Set(c.graph.outputNames), "\(c.label)")
      for (name, value) in zip(c.graph.outputNames, ours) {
        let theirs = try #require(result[name], "\(c.label): no output \(name)")
        #expect(theirs["shape"] as? [Int] == value.shape, "\(c.label): shape of \(name)")
        let numbers = (theirs["values"] as? [Any] ?? []).map { ($0 as? Double) ?? .nan }
        #expect(numbers.count == value.scalars.count, "\(c.label): \(name)")
        for (a, b) in zip(numbers, value.scalars) {
          #expect(
            abs(a - b) <= 1e-12 * max(abs(a), abs(b)),
            "\(c.label): \(name) is \(a) in onnxruntime, \(b) in CompGraph")
        }
      }
    }
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func everyPrimitive() throws {
    let shapes: [String: Shape] = ["A": [2, 3], "B": [3, 2], "v": [3], "c": [2, 1]]
    try Self.check(
      [
        "x + y + 2.5", "x * y * z * 3", "x * y", "x^3", "x^-2", "x^0.5", "x^1.7", "(x - 2)^3",
        "(x - 2)^-1", "exp(x)", "ln(x)", "sqrt(x)", "sin(x)", "cos(x)", "tanh(x)",
        "sigmoid(x) + softplus(y)", "A * v + 1", "sum(A * c)", "mean(exp(A))", "A - c",
        "sum(A / v)", "matmul(A, B)", "sum(A) * x",
      ].map { try Self.withGradients($0, shapes) })
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func einsumForms() throws {
    let shapes: [String: Shape] = [
      "A": [2, 3], "B": [3, 4], "C": [4, 2], "S": [3, 3], "v": [3], "w": [2], "T": [2, 2, 3],
    ]
    try Self.check(
      [
        #"einsum("ij,jk->ik", A, B)"#, #"einsum("ii->i", S)"#, #"einsum("ii->", S)"#,
        #"einsum("ij,ij->", A, A)"#, #"einsum("...j,...j->...", T, T)"#,
        #"einsum("ij,jk,kl->il", A, B, C)"#, #"einsum("i,j->ij", w, v)"#, #"einsum("ij,jk", A, B)"#,
        #"einsum("ij->ji", A)"#, #"einsum("bij,j->bi", T, v)"#, "dot(v, v)", "trace(S)",
        "transpose(A) * w", #"einsum("iij->j", einsum("ij,k->ijk", S, v))"#,
      ].map { try Self.withGradients($0, shapes) })
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func derivativesOfEveryOrderAndHessians() throws {
    var cases: [Case] = []
    for order in 1...3 {
      let tanhGraph = try Workload.tanhDerivative(order: order)
      cases.append(Case(label: "W1 order \(order)", graph: tanhGraph, point: ["x": Tensor(0.37)]))
      let g = GraphBuilder()
      let p = try g.variable("p"), q = try g.variable("q")
      let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
      let simplified = try derivatives(of: f, wrt: p, upTo: order)
      var raw = f
      for _ in 0..<order { raw = try gradient(of: raw, wrt: p) }
      let outputs = simplified.dropFirst() + [try gradient(of: simplified[order], wrt: q), raw]
      let graph = try f.graph(
        names: ["f"] + (1...order).map { "d\($0)" } + ["mixed", "raw"], with: Array(outputs))
      cases.append(
        Case(label: "seed order \(order)", graph: graph, point: ["p": Tensor(2), "q": Tensor(3)]))
    }
    let hessian = try Workload.w3Hessian(6)
    cases.append(Case(label: "W3 n=6", graph: hessian, point: Self.point(for: hessian)))
    let w2 = try Workload.w2Gradient(20)
    cases.append(Case(label: "W2 n=20", graph: w2, point: Self.point(for: w2)))
    try Self.check(cases)
  }

  /// `compgraph export` writes f and its derivatives up to `--order`, named as `grad` names them.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func commandLine() throws {
    let model = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).onnx")
    defer { try? FileManager.default.removeItem(at: model) }
    let process = Process()
    process.executableURL = Bundle.main.bundleURL.appendingPathComponent("compgraph")
    process.arguments = [
      "export", "sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3", "--grad", "p,q", "--order", "2",
      "-o", model.path,
    ]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0)
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let df = try gradient(of: f, wrt: [p, q])
    let ddf = try gradient(of: df[0], wrt: [p, q]) + [gradient(of: df[1], wrt: q)]
    let graph = try f.graph(
      names: ["f", "∂f/∂p", "∂f/∂q", "∂²f/∂p²", "∂²f/∂p∂q", "∂²f/∂q²"], with: df + ddf)
    try Self.check(
      [Case(label: "export", graph: graph, point: ["p": Tensor(2), "q": Tensor(3)], model: model)])
  }

  @Test func outputNamedLikeAVariableIsAnError() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let graph = try (x * 2).graph(names: ["x"])
    #expect(
      throws: GraphError.unsupported(
        "ONNX export: output 'x' has the name of an input variable; ONNX names every value once, so rename the output"
      )
    ) { try graph.onnxModel() }
    let twice = try (x * 2).graph(names: ["f", "f"], with: [x + 1])
    #expect(
      throws: GraphError.unsupported(
        "ONNX export: two outputs are named 'f'; ONNX names every value once, so rename one"
      )
    ) { try twice.onnxModel() }
  }
}
