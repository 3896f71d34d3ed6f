import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// ONNX exports checked in the real engine: every model passes
/// `onnx.checker.check_model(full_check=True)` and onnxruntime's outputs equal `Graph.evaluate`'s
/// within 1e-12 relative (f32 graphs: `f32Tolerance`), name by name and shape by shape
/// (`Tests/Python/onnx_run.py`).
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

  /// The ops whose ONNX operators onnxruntime's CPU provider runs in float32 only (Atan, Asin,
  /// Acos, Erf), as the spelling table says: models holding them are run in ONNX's reference
  /// evaluator instead.
  static let float32OnlyInOnnxruntime = Set(
    Op.Kind.allCases.filter { $0.spelling?.onnxruntimeFloat64 == false })

  /// How far onnxruntime's float32 kernels may be from the reference evaluator's f32 values
  /// (each node computed in f64 and rounded): 2e-5 relative to the larger of the two values and 1.
  static let f32Tolerance = 2e-5

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
        try Data(c.graph.onnxModel(stabilizing: false)).write(to: URL(fileURLWithPath: path))
      }
      let inputs = c.point.mapValues { ["shape": $0.shape, "values": $0.scalars] }
      // f64 nodes' kinds: onnxruntime runs every operator in float32.
      let kinds = Set(c.graph.ids.filter { c.graph.dtype($0) == .f64 }.map { c.graph.op($0).kind })
      let engine =
        kinds.isDisjoint(with: Self.float32OnlyInOnnxruntime) ? "onnxruntime" : "reference"
      requests.append(["model": path, "inputs": inputs, "engine": engine])
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
        let numbers = (theirs["values"] as? [Any] ?? []).map {
          ($0 as? Double) ?? Double($0 as? String ?? "") ?? -42
        }
        #expect(numbers.count == value.scalars.count, "\(c.label): \(name)")
        // An f64 value computed from f32 ones inherits their rounding.
        let f32 = c.graph.ids.contains { c.graph.dtype($0) == .f32 }
        let tolerance = f32 ? Self.f32Tolerance : 1e-12
        for (a, b) in zip(numbers, value.scalars) {
          #expect(
            a == b || (a.isNaN && b.isNaN)
              || abs(a - b) <= tolerance * max(abs(a), abs(b), f32 ? 1 : 0),
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

  /// atan2 has no ONNX operator: its composition is right in every quadrant and on the axes.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func atan2InEveryQuadrantAndOnTheAxes() throws {
    let g = GraphBuilder()
    let y = try g.variable("y"), x = try g.variable("x")
    let graph = try atan2(y, x).graph()
    let points: [(Double, Double)] = [
      (0.7, 0.3), (0.7, -0.3), (-0.7, -0.3), (-0.7, 0.3), (2, 0), (-2, 0), (0, 1.5), (0, -1.5),
    ]
    for (py, px) in points {
      #expect(try graph.evaluate(["y": py, "x": px])[0].scalars[0] == Foundation.atan2(py, px))
    }
    try Self.check(
      points.map { py, px in
        Case(label: "atan2(\(py), \(px))", graph: graph, point: ["y": Tensor(py), "x": Tensor(px)])
      })
  }

  /// Whether `kind` is exported to ONNX: a custom op and the linear-algebra ops have no ONNX
  /// operator, and scan is not exported yet (`CustomOpTests`, `LinearAlgebraTests` and
  /// `ScanTests` check that the export refuses them by name).
  static func exported(_ kind: Op.Kind) -> Bool {
    kind != .custom && kind.category != .linearAlgebra && kind.category != .loop
  }

  /// Every op of the set, as `OpRow`'s composite expression and its gradient.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func everyOpAndItsGradient() throws {
    try Self.check(
      try Op.Kind.allCases.filter { Self.exported($0) }.map { kind in
        let (px, py) = OpRow.row(kind).points[0]
        return Case(
          label: "\(kind)", graph: try ExportEveryOpTests.compositeAndGradient(kind),
          point: ["x": Tensor(px), "y": Tensor(py)])
      })
  }

  /// Every op of the set in f32 (x and y declared f32), with its gradient: float32 tensors,
  /// initializers and literals, checked in onnxruntime.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func everyOpAndItsGradientInF32() throws {
    try Self.check(
      try Op.Kind.allCases.filter { Self.exported($0) }.map { kind in
        let (px, py) = OpRow.row(kind).points[0]
        let g = GraphBuilder()
        g.defaultDType = .f32
        let x = try g.variable("x"), y = try g.variable("y")
        let f = OpRow.row(kind).composite(x, y)
        let graph = try f.graph(
          names: ["f", "∂f/∂x", "∂f/∂y"], with: gradient(of: f, wrt: [x, y]))
        return Case(
          label: "\(kind) in f32", graph: graph, point: ["x": Tensor(px), "y": Tensor(py)])
      })
  }

  /// A graph mixing f32 and f64 (promotions, casts both ways, a literal used by both types)
  /// and its gradient: each value in its own type in onnxruntime.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func mixedTypes() throws {
    let source = """
      var W: 2x3 f32, v: 3 f32, s
      let h = tanh(matmul(W, v) * 0.5)
      out f = sum(h) * s + cast(s * 0.5, f32) + sum(exp(cast(W, f64) * 0.5))
      """
    let program = try parseProgram(source, into: GraphBuilder())
    let f = program.outputs[0].expr
    let variables = try f.graph().variables
    let grads = try gradient(
      of: f, wrt: variables.map { f.builder.expr(f.builder.existingVariable($0.name)!) })
    let graph = try f.graph(names: ["f"] + variables.map { "∂f/∂\($0.name)" }, with: grads)
    #expect(graph.dtype(graph.outputs[1]) == .f32)
    #expect(graph.dtype(graph.outputs[3]) == .f64)
    try Self.check([Case(label: source, graph: graph, point: Self.point(for: graph))])
  }

  /// The ops ONNX has no operator for, or onnxruntime runs in float32 only, are compositions;
  /// they stay accurate where the naive forms cancel or overflow (tiny and large arguments).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func composedOpsAtHardPoints() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [12])
    let graph = try log1p(x).graph(
      names: ["log1p", "expm1", "sinh", "cosh", "tan", "cbrt"],
      with: [expm1(x), sinh(x), cosh(x), tan(x), cbrt(x)])
    let values: [Double] = [1e-300, -1e-20, 1e-9, -0.3, 0.7, 3, -30, 50, 700, -1, -745.5, -8]
    try Self.check(
      [Case(label: "hard points", graph: graph, point: ["x": Tensor(shape: [12], scalars: values)])]
    )
  }

  /// One training step of an MLP (forward, gradient and the optimizer's update as one graph),
  /// exported and run in onnxruntime against `Graph.evaluate`: the loss and every next
  /// parameter and optimizer slot.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func mlpTrainingStep() throws {
    var cases: [Case] = []
    let optimizers: [(String, any Optimizer, (Expr) -> Expr)] = [
      ("tanh MLP, Adam", Adam(learningRate: 0.02), tanh),
      ("relu MLP, Nesterov momentum", Momentum(learningRate: 0.1, nesterov: true), relu),
    ]
    for (label, optimizer, activation) in optimizers {
      let mlp = MLP("mlp", sizes: [2, 8, 8, 3], activation: activation)
      let g = GraphBuilder()
      let points = Tensor(
        shape: [6, 2], scalars: (0..<12).map { sin(Double($0) * 1.3) + 0.1 * Double($0) })
      let labels = Tensor(shape: [6], scalars: [0, 1, 2, 2, 1, 0])
      let loss = crossEntropy(mlp(g.constant(points)), g.constant(labels))
      let step = try TrainingStep(
        loss: loss, parameters: mlp.parameters.map(\.path), optimizer: optimizer)
      // ONNX names every value once: the next state gets its own names.
      let graph = step.graph.with(
        outputs: step.graph.outputs, names: ["loss"] + step.stateNames.map { $0 + ".next" })
      var state = mlp.initialParameters(seed: 5).merging(step.initialOptimizerState) { a, _ in a }
      // A second step's state, so the optimizer's slots are not zero.
      _ = try step.run(&state, data: [:])
      cases.append(Case(label: label, graph: graph, point: state))
    }
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

  /// `compgraph export -f model.cg --grad W,x --order 2` (the README's model, W 3×2) writes the
  /// tensor derivatives in `jax.hessian`'s shapes — ∂²loss/∂W² 3×2×3×2, ∂²loss/∂W∂x 3×2×2 —
  /// which onnxruntime runs to `Graph.evaluate`'s values (issue 26 §1: every command agrees).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func tensorOrdersFromTheCommandLine() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let source = "var W: 3x2, x: 2\nlet z = matmul(W, x)\nout loss = sum(z * z) / 2\n"
    let file = directory.appendingPathComponent("model.cg")
    try source.write(to: file, atomically: true, encoding: .utf8)
    let model = directory.appendingPathComponent("model.onnx")
    let process = Process()
    process.executableURL = Bundle.main.bundleURL.appendingPathComponent("compgraph")
    process.arguments = [
      "export", "-f", file.path, "--grad", "W,x", "--order", "2", "-o", model.path,
    ]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0)
    let graph = try parseProgram(source, declarations: [:], into: GraphBuilder()).graph()
      .derivatives(wrt: ["W", "x"], order: 2, simplifying: true).graph
    #expect(
      graph.outputNames == [
        "loss", "∂loss/∂W", "∂loss/∂x", "∂²loss/∂W²", "∂²loss/∂W∂x", "∂²loss/∂x²",
      ])
    #expect(
      graph.outputs.map { graph.shape($0) } == [
        [], [3, 2], [2], [3, 2, 3, 2], [3, 2, 2], [2, 2],
      ])
    let point = [
      "W": Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]),
      "x": Tensor(shape: [2], scalars: [1, -2]),
    ]
    try Self.check([Case(label: "model.cg", graph: graph, point: point, model: model)])
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
