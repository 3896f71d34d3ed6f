import Foundation
import Testing

@testable import CompGraph

/// The normalization layers (`NN/Normalization.swift`) against ONNX's operators (its reference
/// evaluator, and onnxruntime for LRN) and their derivative towers against JAX at float64.
@Suite struct NormalizationTests {
  static let x = Tensor(
    shape: [2, 3, 1, 2],
    scalars: [0.3, -1.2, 0.8, 2.5, -0.4, 0.1, 1.7, -0.9, 0.6, -2.2, 0.05, 1.1])
  static let scale = Tensor(shape: [3], scalars: [1.5, -0.7, 0.9])
  static let bias = Tensor(shape: [3], scalars: [0.2, 0.4, -0.3])
  static let mean = Tensor(shape: [3], scalars: [0.1, -0.5, 0.3])
  static let variance = Tensor(shape: [3], scalars: [0.8, 1.7, 0.35])
  static var point: [String: Tensor] {
    ["X": x, "s": scale, "b": bias, "m": mean, "v": variance]
  }

  /// Builds `body` over the variables X, s, b, m, v and evaluates it at `point`.
  static func evaluate(_ body: (Expr, Expr, Expr, Expr, Expr) -> [Expr]) throws -> [Tensor] {
    let g = GraphBuilder()
    let outputs = body(
      try g.variable("X", [2, 3, 1, 2]), try g.variable("s", [3]), try g.variable("b", [3]),
      try g.variable("m", [3]), try g.variable("v", [3]))
    return try checked(outputs).evaluate(point)
  }

  static func expectClose(
    _ ours: Tensor, _ theirs: Tensor, _ what: String, tolerance: Double = 1e-14
  ) {
    #expect(ours.shape == theirs.shape, "\(what): shape \(ours.shape) against \(theirs.shape)")
    #expect(
      zip(ours.scalars, theirs.scalars).allSatisfy { isClose($0, $1, tolerance: tolerance) },
      "\(what): \(ours.scalars) against \(theirs.scalars)")
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func valuesMatchONNXOperators() throws {
    let (x, s, b, m, v) = (Self.x, Self.scale, Self.bias, Self.mean, Self.variance)
    // ONNX's float attributes are float32: its default ε is 9.99999974737875e-06.
    let eps = Double(Float(1e-3)), defaultEpsilon = Double(Float(1e-5))
    let ours = try Self.evaluate { x, s, b, m, v in
      let training = batchNormTraining(
        x, scale: s, bias: b, runningMean: m, runningVariance: v, epsilon: eps,
        momentum: Double(Float(0.8)))
      return [
        batchNorm(x, scale: s, bias: b, mean: m, variance: v, epsilon: defaultEpsilon),
        batchNorm(x, scale: s, bias: b, mean: m, variance: v, epsilon: eps),
        training.output, training.runningMean, training.runningVariance,
        instanceNorm(x, scale: s, bias: b, epsilon: defaultEpsilon),
        instanceNorm(x, scale: s, bias: b, epsilon: eps),
      ]
    }
    let floats = [x, s, b, m, v].map { ONNXInput.float($0) }
    let theirs = try ONNXCall.run([
      ONNXCall(op: "BatchNormalization", inputs: floats),
      ONNXCall(op: "BatchNormalization", attributes: ["epsilon": 1e-3], inputs: floats),
      ONNXCall(
        op: "BatchNormalization",
        attributes: ["epsilon": 1e-3, "momentum": 0.8, "training_mode": 1],
        inputs: floats, outputs: 3),
      ONNXCall(op: "InstanceNormalization", inputs: Array(floats.prefix(3))),
      ONNXCall(
        op: "InstanceNormalization", attributes: ["epsilon": 1e-3], inputs: Array(floats.prefix(3))),
    ]).flatMap { $0 }
    let names = [
      "BatchNormalization", "BatchNormalization ε", "training Y", "training running_mean",
      "training running_var", "InstanceNormalization", "InstanceNormalization ε",
    ]
    for (k, name) in names.enumerated() { Self.expectClose(ours[k], theirs[k], name) }
  }

  /// LRN against onnxruntime (float32, so within its rounding; it takes odd sizes only, and
  /// ONNX 1.23's reference loops over the batch where it means the channels). Five channels, so
  /// that the window is cut at both ends.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func localResponseNormMatchesONNXRuntime() throws {
    let input = Tensor(
      shape: [2, 5, 1, 2],
      scalars: (0..<20).map { Double(Float(sin(Double($0) * 1.3) * 2)) })
    let settings: [(size: Int, alpha: Double, beta: Double, bias: Double)] = [
      (3, 1e-4, 0.75, 1), (5, 0.5, 0.6, 1.5), (1, 0.25, 1, 2), (3, 0.75, 0.5, 0.25),
    ]
    let theirs = try ONNXCall.run(
      settings.map { c in
        ONNXCall(
          op: "LRN",
          attributes: ["size": c.size, "alpha": c.alpha, "beta": c.beta, "bias": c.bias],
          inputs: [.float(input)], engine: "onnxruntime")
      })
    for (c, reference) in zip(settings, theirs) {
      let g = GraphBuilder()
      let x = try g.variable("x", input.shape)
      let y = localResponseNorm(
        x, size: c.size, alpha: Double(Float(c.alpha)), beta: Double(Float(c.beta)),
        bias: Double(Float(c.bias)))
      Self.expectClose(
        try y.graph().evaluate(["x": input])[0], reference[0], "LRN \(c)", tolerance: 1e-6)
    }
  }

  /// An even window is lopsided: ⌊(size − 1)/2⌋ channels before c, ⌈(size − 1)/2⌉ after.
  @Test func evenLRNWindowLeansForward() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [1, 3, 1, 1])
    let y = try localResponseNorm(x, size: 2, alpha: 2, beta: 1, bias: 1).graph()
      .evaluate(["x": Tensor(shape: [1, 3, 1, 1], scalars: [1, 2, 3])])[0]
    // squares 1, 4, 9: windows {0, 1}, {1, 2}, {2}; y = x / (1 + (2/2)·Σ)
    let expected: [Double] = [1.0 / 6, 2.0 / 14, 3.0 / 10]
    #expect(
      zip(y.scalars, expected).allSatisfy { isClose($0, $1, tolerance: 1e-16) }, "\(y.scalars)")
  }

  /// The towers to order 2 in all five inputs against JAX's, with the formulas written again
  /// in jax.numpy (the batch's statistics with `jnp.mean` and `jnp.var`, LRN's window by
  /// padding and slicing).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func derivativesMatchJAX() throws {
    let tower = JAXTower(variables: [
      ("X", [2, 3, 1, 2]), ("s", [3]), ("b", [3]), ("m", [3]), ("v", [3]),
    ])
    let c = "[:, None, None]"
    func lrn(_ size: Int, _ alpha: Double, _ beta: Double, _ bias: Double) -> String {
      let below = (size - 1) / 2
      let window =
        "sum(jnp.pad(X**2, ((0, 0), (\(below), \(size - 1 - below)), (0, 0), (0, 0)))[:, i:i + 3] for i in range(\(size)))"
      return "X / (\(bias) + \(alpha / Double(size)) * \(window))**\(beta)"
    }
    let pairs: [(String, String)] = [
      ("batch_norm(X, s, b, m, v)", "s\(c) * (X - m\(c)) / jnp.sqrt(v\(c) + 1e-5) + b\(c)"),
      (
        "batch_norm(X, s, b, 0.01)",
        "s\(c) * (X - jnp.mean(X, axis=(0, 2, 3), keepdims=True)) / jnp.sqrt(jnp.var(X, axis=(0, 2, 3), keepdims=True) + 0.01) + b\(c)"
      ),
      (
        "instance_norm(X, s, b, 0.01)",
        "s\(c) * (X - jnp.mean(X, axis=(2, 3), keepdims=True)) / jnp.sqrt(jnp.var(X, axis=(2, 3), keepdims=True) + 0.01) + b\(c)"
      ),
      ("lrn(X, 2, 0.5, 0.75, 1.5)", lrn(2, 0.5, 0.75, 1.5)),
      ("lrn(X, 3, 0.5, 0.6, 1)", lrn(3, 0.5, 0.6, 1)),
      ("lrn(X, 4, 0.3, 1, 2)", lrn(4, 0.3, 1, 2)),
      ("prelu(X, reshape(s, 3x1x1))", "jnp.where(X >= 0, X, s\(c) * X)"),
    ]
    let cases = pairs.map { JAXTower.Case(text: $0.0, jax: $0.1, order: 2, point: Self.point) }
    try tower.expectAgreement(cases, try tower.jax(cases, values: true))
  }

  /// The batch's statistics are the per-channel mean and population variance; the training
  /// form is the inference form at them.
  @Test func trainingFormIsTheInferenceFormAtTheBatchStatistics() throws {
    let values = try Self.evaluate { x, s, b, _, _ in
      let (mean, variance) = batchStatistics(x)
      return [
        mean, variance, batchNorm(x, scale: s, bias: b),
        batchNorm(x, scale: s, bias: b, mean: mean, variance: variance),
      ]
    }
    var expectedMean = [Double](repeating: 0, count: 3)
    var expectedVariance = [Double](repeating: 0, count: 3)
    for c in 0..<3 {
      let xs = [0, 1].flatMap { n in (0..<2).map { Self.x.scalars[n * 6 + c * 2 + $0] } }
      expectedMean[c] = xs.reduce(0, +) / 4
      expectedVariance[c] =
        xs.map { ($0 - expectedMean[c]) * ($0 - expectedMean[c]) }.reduce(0, +) / 4
    }
    Self.expectClose(values[0], Tensor(shape: [3], scalars: expectedMean), "mean")
    Self.expectClose(values[1], Tensor(shape: [3], scalars: expectedVariance), "variance")
    Self.expectClose(values[2], values[3], "training form")
  }

  @Test func badLayoutsGiveErrorsThatNameTheLayer() throws {
    let g = GraphBuilder()
    let x = try g.variable("X", [2, 3, 4])
    let wrong = try g.variable("w", [4])
    let vector = try g.variable("u", [5])
    let right = try g.variable("c", [3])
    let cases: [(Expr, String)] = [
      (
        batchNorm(x, scale: wrong, bias: right, mean: right, variance: right),
        "batch_norm: operand shapes 2x3x4 and 4 and 3 and 3 and 3 do not fit: the input needs its channels on axis 1 (N × C × …), and each per-channel tensor the shape [C]"
      ),
      (
        instanceNorm(vector, scale: right, bias: right),
        "instance_norm: operand shapes 5 and 3 and 3 do not fit"
      ),
      (batchStatistics(vector).mean, "batch_statistics: operand shapes 5 do not fit"),
      (localResponseNorm(x, size: 0), "lrn: the window size is 0; give a size of at least 1"),
      (
        batchNormTraining(
          x, scale: right, bias: right, runningMean: right, runningVariance: wrong
        ).output,
        "batch_norm: operand shapes 2x3x4 and 3 and 4 do not fit"
      ),
    ]
    for (f, message) in cases {
      #expect(throws: GraphError.self) { try f.node() }
      do { _ = try f.node() } catch { #expect("\(error)".hasPrefix(message), "\(error)") }
    }
  }
}
