import Foundation
import Testing

@testable import CompGraph

/// The activation functions (`NN/Activations.swift`): values and derivatives to order 3 against
/// closed forms at edge points (0, −0, ±tiny, ±huge, ±∞, NaN, and each kink and bound), the
/// values against ONNX's reference evaluator with ONNX's default attributes, and the derivative
/// towers against JAX at float64.
@Suite struct ActivationTests {
  /// One activation: its Swift form, its expression-language call, and its closed form giving
  /// f, f′, f″, f‴ (at a kink, the derivatives of the branch ONNX's formula picks there).
  struct Activation: Sendable {
    let name: String
    let build: @Sendable (Expr) -> Expr
    let closed: @Sendable (Double) -> [Double]
    /// Points where it has a kink or a bound, beside the common ones.
    var kinks: [Double] = []
  }

  static let seluAlpha = 1.67326319217681884765625
  static let seluGamma = 1.05070102214813232421875

  /// The closed forms of the linear pieces: f = a·x + b.
  static func linear(_ x: Double, _ a: Double, _ b: Double = 0) -> [Double] {
    [a * x + b, a, 0, 0]
  }

  static let activations: [Activation] = [
    Activation(name: "elu", build: { elu($0, alpha: 0.7) }) { x in
      x >= 0 ? linear(x, 1) : [0.7 * Foundation.expm1(x)] + Array(repeating: 0.7 * exp(x), count: 3)
    },
    Activation(name: "elu default", build: { elu($0) }) { x in
      x >= 0 ? linear(x, 1) : [Foundation.expm1(x)] + Array(repeating: exp(x), count: 3)
    },
    Activation(name: "selu", build: { selu($0) }) { x in
      x > 0
        ? linear(x, seluGamma)
        : [seluGamma * seluAlpha * Foundation.expm1(x)]
          + Array(repeating: seluGamma * seluAlpha * exp(x), count: 3)
    },
    Activation(name: "leaky_relu", build: { leakyRelu($0) }) { x in
      linear(x, x >= 0 ? 1 : 0.01)
    },
    Activation(name: "prelu", build: { prelu($0, $0.builder.constant(0.25)) }) { x in
      linear(x, x >= 0 ? 1 : 0.25)
    },
    Activation(
      name: "clip", build: { clip($0, min: -1, max: 2) },
      closed: { x in
        x < -1 ? [-1, 0, 0, 0] : x > 2 ? [2, 0, 0, 0] : linear(x, 1)
      }, kinks: [-1, 2, -1.0000000000000002, 2.0000000000000004]),
    Activation(
      name: "clip below", build: { clip($0, min: 0.5) },
      closed: { x in
        x < 0.5 ? [0.5, 0, 0, 0] : linear(x, 1)
      }, kinks: [0.5]),
    Activation(
      name: "hard_sigmoid", build: { hardSigmoid($0) },
      closed: { x in
        let y = 0.2 * x + 0.5
        return y < 0 ? [0, 0, 0, 0] : y > 1 ? [1, 0, 0, 0] : [y, 0.2, 0, 0]
      }, kinks: [-2.5, 2.5, -2.5000000000000004, 2.5000000000000004]),
    Activation(name: "softsign", build: { softsign($0) }) { x in
      let d = 1 + Swift.abs(x)
      let s = x == 0 ? 0 : x.sign == .minus ? -1.0 : 1
      return [x / d, 1 / (d * d), -2 * s / (d * d * d), 6 * s * s / (d * d * d * d)]
    },
    Activation(name: "gelu", build: { gelu($0) }) { x in
      let phi = exp(-x * x / 2) / (2 * Double.pi).squareRoot()
      return [
        0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot())),
        0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) + x * phi,
        phi * (2 - x * x), x * phi * (x * x - 4),
      ]
    },
  ]

  static let points: [Double] = [
    0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, 3, -3, 1e300, -1e300, .nan,
  ]

  @Test(arguments: activations.map(\.name))
  func valuesAndDerivativesMatchClosedForms(_ name: String) throws {
    let activation = try #require(Self.activations.first { $0.name == name })
    let g = GraphBuilder()
    let x = try g.variable("x")
    let tower = try derivatives(of: activation.build(x), wrt: x, upTo: 3)
    let graph = try checked(tower)
    for point in Self.points + activation.kinks {
      let ours = try graph.evaluate(["x": point]).map { $0.scalars[0] }
      let expected = activation.closed(point)
      // At NaN the value is NaN; the derivatives are the branch's the comparisons pick (a
      // comparison with NaN is false), as JAX's are.
      for k in 0...3 where !(point.isNaN && k > 0) {
        #expect(
          isClose(ours[k], expected[k], tolerance: 1e-14),
          "\(name): order \(k) at \(point) is \(ours[k]), expected \(expected[k])")
      }
    }
  }

  /// ±∞: each limit, and no NaN from an unused branch (elu's e^x past its kink).
  @Test func infinitiesGiveTheLimits() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let cases: [(Expr, [Double], [Double])] = [
      (elu(x, alpha: 0.7), [.infinity, 1, 0], [-0.7, 0, 0]),
      (selu(x), [.infinity, Self.seluGamma, 0], [-Self.seluGamma * Self.seluAlpha, 0, 0]),
      (leakyRelu(x), [.infinity, 1, 0], [-.infinity, 0.01, 0]),
      (clip(x, min: -1, max: 2), [2, 0, 0], [-1, 0, 0]),
      (hardSigmoid(x), [1, 0, 0], [0, 0, 0]),
      // x/(1 + |x|) is ∞/∞ at ±∞, NaN in NumPy, JAX and ONNX's reference alike.
      (softsign(x), [.nan, .nan, .nan], [.nan, .nan, .nan]),
      // ½x(1 + erf(x/√2)) is −∞·0 at −∞, and its derivative has x·e^(−x²/2) = ∞·0 at both
      // ends: NaN, as JAX's is.
      (gelu(x), [.infinity, .nan, .nan], [.nan, .nan, .nan]),
    ]
    for (f, atPlus, atMinus) in cases {
      let graph = try checked(try derivatives(of: f, wrt: x, upTo: 2))
      let text = try f.graph().infixLines().joined()
      for (point, expected) in [(Double.infinity, atPlus), (-.infinity, atMinus)] {
        let ours = try graph.evaluate(["x": point]).map { $0.scalars[0] }
        #expect(
          zip(ours, expected).allSatisfy { $0 == $1 || isClose($0, $1, tolerance: 1e-15) },
          "\(text) at \(point): \(ours), expected \(expected)")
      }
    }
  }

  /// The expression language builds the same graphs as the Swift functions, with ONNX's
  /// defaults for the numbers left out.
  @Test func languageCallsBuildTheSwiftGraphs() throws {
    let cases: [(String, (Expr) -> Expr)] = [
      ("elu(x)", { elu($0) }), ("elu(x, 0.7)", { elu($0, alpha: 0.7) }),
      ("selu(x)", { selu($0) }), ("selu(x, 1.5, 2)", { selu($0, alpha: 1.5, gamma: 2) }),
      ("leaky_relu(x)", { leakyRelu($0) }), ("leaky_relu(x, 0.2)", { leakyRelu($0, alpha: 0.2) }),
      ("prelu(x, 0.25)", { prelu($0, $0.builder.constant(0.25)) }),
      ("clip(x, -1, 2)", { clip($0, min: -1, max: 2) }), ("clip(x, -inf, 2)", { clip($0, max: 2) }),
      ("clip(x, 0)", { clip($0, min: 0) }), ("clip(x)", { $0 }),
      ("hard_sigmoid(x)", { hardSigmoid($0) }),
      ("hard_sigmoid(x, 0.3, 0.4)", { hardSigmoid($0, alpha: 0.3, beta: 0.4) }),
      ("softsign(x)", { softsign($0) }), ("gelu(x)", { gelu($0) }),
      ("gelu(x, 1)", { gelu($0, approximate: true) }), ("gelu(x, 0)", { gelu($0) }),
    ]
    for (text, build) in cases {
      let g = GraphBuilder()
      let parsed = try parseProgram(text, into: g).outputs[0].expr
      let built = build(try g.variable("x"))
      #expect(try parsed.node() == built.node(), "\(text) builds another graph")
    }
  }

  @Test func languageRefusesParametersThatAreNotNumbers() throws {
    for (text, message) in [
      ("elu(x, y)", "elu: its parameters must be numbers, as in elu(x, 1.0)"),
      ("gelu(x, 2)", "gelu: axes, extents and sizes must be integer numbers, as in gelu(x, 1)"),
      ("selu(x, 1, 2, 3)", "'selu' takes 1 or 3 arguments, but was given 4"),
    ] {
      #expect(throws: (any Error).self, "\(text)") { try parseProgram(text, into: GraphBuilder()) }
      do {
        _ = try parseProgram(text, into: GraphBuilder())
      } catch {
        #expect("\(error)".contains(message), "\(text): \(error)")
      }
    }
  }

  /// ONNX's operators with their default attributes (and some set), run by its reference
  /// evaluator, give the library's values. ONNX's float attributes are float32 (LeakyRelu's
  /// default 0.01 is 0.009999999776…), so the library is called with them rounded to float32, as
  /// an importer calls it; its reference computes Gelu in float32, hence its tolerance.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func valuesMatchONNXOperators() throws {
    let points: [Double] = [
      0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, -1, 2, 2.5, -2.5, 3, -3, 1e300, -1e300,
      .infinity, -.infinity,
    ]
    let input = Tensor(shape: [points.count], scalars: points)
    let g = GraphBuilder()
    let x = try g.variable("x", [points.count])
    let slope = g.constant(0.25)
    func f32(_ a: Double) -> Double { Double(Float(a)) }
    let cases: [(Expr, ONNXCall)] = [
      (elu(x), ONNXCall(op: "Elu", inputs: [.float(input)])),
      (
        elu(x, alpha: f32(0.7)),
        ONNXCall(op: "Elu", attributes: ["alpha": 0.7], inputs: [.float(input)])
      ),
      (selu(x), ONNXCall(op: "Selu", inputs: [.float(input)])),
      (leakyRelu(x, alpha: f32(0.01)), ONNXCall(op: "LeakyRelu", inputs: [.float(input)])),
      (prelu(x, slope), ONNXCall(op: "PRelu", inputs: [.float(input), .float(Tensor(0.25))])),
      (hardSigmoid(x, alpha: f32(0.2)), ONNXCall(op: "HardSigmoid", inputs: [.float(input)])),
      (
        hardSigmoid(x, alpha: f32(0.3), beta: f32(0.4)),
        ONNXCall(
          op: "HardSigmoid", attributes: ["alpha": 0.3, "beta": 0.4], inputs: [.float(input)])
      ),
      (softsign(x), ONNXCall(op: "Softsign", inputs: [.float(input)])),
      (
        clip(x, min: -1, max: 2),
        ONNXCall(op: "Clip", inputs: [.float(input), .float(Tensor(-1)), .float(Tensor(2))])
      ),
      (clip(x, max: 2), ONNXCall(op: "Clip", inputs: [.float(input), nil, .float(Tensor(2))])),
      (
        clip(x, min: 3, max: 2),
        ONNXCall(op: "Clip", inputs: [.float(input), .float(Tensor(3)), .float(Tensor(2))])
      ),
      (gelu(x), ONNXCall(op: "Gelu", inputs: [.float(input)], opset: 20)),
      (
        gelu(x, approximate: true),
        ONNXCall(
          op: "Gelu", attributes: ["approximate": "tanh"], inputs: [.float(input)], opset: 20)
      ),
    ]
    let theirs = try ONNXCall.run(cases.map(\.1))
    for ((f, call), reference) in zip(cases, theirs) {
      let ours = try f.graph().evaluate(["x": input])[0]
      let tolerance = call.op == "Gelu" ? 1e-7 : 1e-15
      #expect(
        zip(ours.scalars, reference[0].scalars).allSatisfy {
          $0 == $1 || isClose($0, $1, tolerance: tolerance)
        },
        "\(call.op) \(call.attributes): ours \(ours.scalars), ONNX's \(reference[0].scalars)")
    }
  }

  /// The towers to order 3 against JAX's `jax.nn` functions, at points that miss the kinks
  /// (where the two conventions may differ: see each function's doc comment). Not past ±6: at
  /// −30 JAX's third derivative of the tanh GELU is 1e-9 where mpmath's is 0 (its 1 + tanh
  /// cancels; ours is 0).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func derivativesMatchJAX() throws {
    let points: [Double] = [
      -6, -3.7, -1.2, -0.31, -1e-8, -1e-300, 1e-300, 1e-8, 0.42, 1.3, 2.9, 6,
    ]
    let tower = JAXTower(variables: [("x", [points.count])])
    let point = ["x": Tensor(shape: [points.count], scalars: points)]
    let pairs: [(String, String)] = [
      ("elu(x, 0.7)", "jax.nn.elu(x, 0.7)"),
      (
        "selu(x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946)",
        "jax.nn.selu(x)"
      ),
      ("leaky_relu(x, 0.1)", "jax.nn.leaky_relu(x, 0.1)"),
      ("softsign(x)", "jax.nn.soft_sign(x)"),
      ("gelu(x)", "jax.nn.gelu(x, approximate=False)"),
      ("gelu(x, 1)", "jax.nn.gelu(x, approximate=True)"),
      ("clip(x, -1, 2)", "jnp.clip(x, -1, 2)"),
      ("hard_sigmoid(x, 0.16666666666666666, 0.5)", "jax.nn.hard_sigmoid(x)"),
    ]
    let cases = pairs.map { JAXTower.Case(text: $0.0, jax: $0.1, order: 3, point: point) }
    try tower.expectAgreement(cases, try tower.jax(cases, values: true))
  }
}
