import Foundation
import Testing

@testable import CompGraph

/// Convolutions, transposed convolutions and pools (`Graph/Expr+Convolution.swift`) and their
/// derivatives to order 3 against JAX at float64: JAX's reference operators are written from
/// `jax.lax.conv_general_dilated` and `reduce_window` (`Tests/Python/jax_convolution.py`), not
/// from `patches`. Each case is a scalar loss Σ sin(op(…))·c of the op's output, so every order
/// has non-zero partials; the derivative tower (`Graph.derivatives`, simplified) is evaluated
/// by the reference evaluator and by the compiled program.
@Suite struct ConvolutionJAXTests {
  struct Case: Sendable {
    let name: String
    let variables: [(String, Shape)]
    let order: Int
    /// The op's output in JAX (`conv(x, w, b, strides=[2, 1], …)`).
    let jax: String
    let build: @Sendable ([Expr]) -> Expr
  }

  static let cases: [Case] = [
    Case(
      name: "conv 2-D, bias, strides, asymmetric pads, dilation",
      variables: [
        ("x", [1, 2, 5, 6]), ("w", [3, 2, 3, 2]), ("b", [3]),
      ], order: 2,
      jax: "conv(x, w, b, strides=[2, 1], pads=[1, 0, 1, 2], dilations=[1, 2])"
    ) { v in
      conv(v[0], v[1], bias: v[2], strides: [2, 1], pads: [1, 0, 1, 2], dilations: [1, 2])
    },
    Case(
      name: "conv 1-D depthwise, same pads, dilation 2",
      variables: [("x", [1, 3, 6]), ("w", [3, 1, 3])],
      order: 3, jax: "conv(x, w, pads=[2, 2], dilations=[2], groups=3)"
    ) { v in conv(v[0], v[1], pads: .same, dilations: [2], groups: 3) },
    Case(
      name: "conv 2-D groups 2, stride > kernel, 1×1",
      variables: [("x", [2, 4, 5, 5]), ("w", [6, 2, 1, 1])],
      order: 2, jax: "conv(x, w, strides=[3, 2], groups=2)"
    ) { v in conv(v[0], v[1], strides: [3, 2], groups: 2) },
    Case(
      name: "conv 3-D", variables: [("x", [1, 1, 4, 3, 3]), ("w", [2, 1, 2, 2, 2])], order: 2,
      jax: "conv(x, w, strides=[2, 1, 1], pads=[0, 1, 0, 1, 0, 0])"
    ) { v in conv(v[0], v[1], strides: [2, 1, 1], pads: [0, 1, 0, 1, 0, 0]) },
    Case(
      name: "conv_transpose 2-D, bias, strides, pads, output padding",
      variables: [
        ("x", [1, 2, 3, 3]), ("w", [2, 3, 3, 2]), ("b", [3]),
      ], order: 2,
      jax: "conv_transpose(x, w, b, strides=[2, 3], pads=[1, 0, 0, 1], output_padding=[1, 0])"
    ) { v in
      convTranspose(
        v[0], v[1], bias: v[2], strides: [2, 3], pads: [1, 0, 0, 1], outputPadding: [1, 0])
    },
    Case(
      name: "conv_transpose 1-D groups 2, dilation",
      variables: [("x", [1, 4, 4]), ("w", [4, 1, 2])],
      order: 3, jax: "conv_transpose(x, w, strides=[2], dilations=[2], groups=2)"
    ) { v in convTranspose(v[0], v[1], strides: [2], dilations: [2], groups: 2) },
    Case(
      name: "max pool 2-D, pads, ceil mode", variables: [("x", [1, 1, 6, 5])], order: 3,
      jax: "max_pool(x, [3, 2], strides=[2, 2], pads=[1, 0, 1, 0], ceil_mode=True)"
    ) { v in maxPool(v[0], kernel: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceilMode: true) },
    Case(
      name: "max pool 1-D, dilation", variables: [("x", [2, 1, 9])], order: 2,
      jax: "max_pool(x, [2], strides=[3], dilations=[3])"
    ) { v in maxPool(v[0], kernel: [2], strides: [3], dilations: [3]) },
    Case(
      name: "average pool 2-D, pads not counted, ceil mode", variables: [("x", [1, 2, 5, 5])],
      order: 2,
      jax: "average_pool(x, [3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=True)"
    ) { v in
      averagePool(v[0], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true)
    },
    Case(
      name: "average pool 2-D, pads counted, ceil mode", variables: [("x", [1, 1, 6, 5])],
      order: 3,
      jax:
        "average_pool(x, [2, 3], strides=[2, 2], pads=[1, 0, 0, 1], ceil_mode=True, count_include_pad=True)"
    ) { v in
      averagePool(
        v[0], kernel: [2, 3], strides: [2, 2], pads: [1, 0, 0, 1], ceilMode: true,
        countIncludePad: true)
    },
    Case(
      name: "global pools", variables: [("x", [2, 2, 3, 2])], order: 3,
      jax: "jnp.mean(x, axis=(2, 3), keepdims=True) * jnp.max(x, axis=(2, 3), keepdims=True)"
    ) { v in globalAveragePool(v[0]) * globalMaxPool(v[0]) },
  ]

  /// The loss of a case: Σ sin(y)·c for a fixed c of y's shape (cᵢ = 1 + i/10).
  static func loss(_ y: Expr) -> Expr {
    let shape = y.shape ?? []
    let c = Tensor(shape: shape, scalars: (0..<shape.elementCount).map { 1 + Double($0) / 10 })
    return (sin(y) * y.builder.constant(c)).sum()
  }

  static func jaxLoss(_ output: String, _ shape: Shape) -> String {
    "jnp.sum(jnp.sin(\(output)) * (1 + jnp.arange(\(shape.elementCount)).reshape(\(pythonShape(shape))) / 10))"
  }

  static func pythonShape(_ shape: Shape) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func derivativesMatchJAX() throws {
    var rng = SplitMix64(seed: 29)
    var requests: [[String: Any]] = []
    var built: [(Graph, [String: Tensor], Case)] = []
    for c in Self.cases {
      let builder = GraphBuilder()
      let variables = try c.variables.map { try builder.variable($0.0, $0.1) }
      let y = c.build(variables)
      let shape = try #require(y.shape, "\(c.name): \(String(describing: try? y.node()))")
      let graph = try Self.loss(y).graph()
      let point = Dictionary(
        uniqueKeysWithValues: c.variables.map { name, shape in
          (
            name,
            Tensor(
              shape: shape,
              scalars: (0..<shape.elementCount).map { _ in Double.random(in: -1...1, using: &rng) })
          )
        })
      built.append((graph, point, c))
      requests.append([
        "variables": c.variables.map { [$0.0, $0.1] as [Any] }, "order": c.order,
        "f": Self.jaxLoss(c.jax, shape), "point": point.mapValues { $0.scalars },
      ])
    }
    let input = String(
      decoding: try JSONSerialization.data(withJSONObject: requests), as: UTF8.self)
    let clock = ContinuousClock.now
    let output = try PythonPeer.run("jax_convolution.py", input: input)
    print("ConvolutionJAXTests: JAX took \(ContinuousClock.now - clock)")
    let answers = try #require(
      try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[[Double]]])
    for ((graph, point, c), reference) in zip(built, answers) {
      let tower = try graph.derivatives(
        wrt: c.variables.map(\.0), order: c.order, simplifying: true)
      let evaluated = try tower.graph.evaluate(point)
      let compiled = try Program(tower.graph).evaluate(point)
      try #require(evaluated.count == reference.count, "\(c.name)")
      for (k, (mine, theirs)) in zip(evaluated, reference).enumerated() {
        let scale = theirs.map(abs).max().map { max(1, $0) } ?? 1
        let worst = zip(mine.scalars, theirs).map { abs($0 - $1) }.max() ?? 0
        #expect(
          mine.scalars.count == theirs.count && worst <= 1e-12 * scale,
          "\(c.name): output \(k) (order \(tower.outputOrders[k])) differs from JAX by \(worst)")
        let run = compiled[k].scalars
        let drift = zip(run, mine.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(drift <= 1e-12 * scale, "\(c.name): compiled output \(k) differs by \(drift)")
      }
    }
  }
}
