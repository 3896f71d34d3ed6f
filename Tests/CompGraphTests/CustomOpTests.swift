import Foundation
import Testing

@testable import CompGraph

/// User-defined ops (`CustomOp`): derivatives of every order against mpmath at the singular
/// point, near it and at ordinary points, compiled code, exports, hash-consing and bad
/// definitions. The ops are defined in `UserDefinedOps.swift`, with the public API only.
@Suite struct CustomOpTests {
  let sinc = UserDefinedOps.sinc
  let logaddexp = UserDefinedOps.logaddexp

  /// mpmath's values for the lines of `Tests/Python/custom_op_derivatives.py`.
  func mpmath(_ lines: [String]) throws -> [Double] {
    let text = try PythonPeer.run("custom_op_derivatives.py", input: lines.joined(separator: "\n"))
    return try text.split(separator: "\n").map { try #require(Double($0)) }
  }

  /// Whether `got` is within 10⁻¹¹ of `want`, relative to |want| (which may be 1e-301).
  func close(_ got: Double, _ want: Double) -> Bool {
    abs(got - want) <= 1e-11 * abs(want) || got == want
  }

  /// dⁿ sinc(x)/dxⁿ for n = 0…4, by the library (simplified, as `derivative` builds it), at x.
  func sincDerivatives(_ op: CustomOp, at points: [Double]) throws -> [[Double]] {
    let x = try GraphBuilder().variable("x")
    return try (0...4).map { n in
      let graph = try derivative(of: op(x), wrt: x, order: n).graph()
      let program = try Program(graph)
      return try points.map { point in
        let value = try graph.evaluate(["x": point])[0].scalars[0]
        // The compiled program calls the op's kernel (CG_CALL) and agrees to the bit.
        #expect(try program.evaluate(point: [point])[0].bitPattern == value.bitPattern)
        return value
      }
    }
  }

  static let sincPoints = [0, 1e-300, -1e-300, 1e-8, -1e-8, 0.3, 0.49, 0.51, -1.2, 2.5, 10, -31.4]

  @Test(.enabled(if: PythonPeer.shouldRun))
  func sincIsRightToOrderFourAtItsSingularityAndAwayFromIt() throws {
    let points = Self.sincPoints
    let ours = try sincDerivatives(sinc, at: points)
    let want = try mpmath((0...4).flatMap { n in points.map { "sinc \(n) \($0)" } })
    for n in 0...4 {
      for (k, point) in points.enumerated() {
        let expected = want[n * points.count + k]
        #expect(
          close(ours[n][k], expected), "sinc^(\(n))(\(point)) = \(ours[n][k]), not \(expected)")
      }
    }
  }

  /// The rule alone (`select(x == 0, 0, (cos x − sinc x)/x)`, all the op set could say before)
  /// is wrong from the second order at 0 and near it: the series branch is what fixes it.
  @Test func theRuleAloneIsWrongAtTheSingularity() throws {
    let ruleOnly = try sincDerivatives(UserDefinedOps.sincWithoutSeries, at: [0, 1e-8, 1e-300])
    let series = try sincDerivatives(sinc, at: [0, 1e-8, 1e-300])
    #expect(series[2][0] == -1.0 / 3)
    #expect(ruleOnly[2][0] != -1.0 / 3)
    #expect(!close(ruleOnly[2][1], -1.0 / 3))
    #expect(!ruleOnly[2][2].isFinite || !close(ruleOnly[2][2], -1.0 / 3))
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func logaddexpIsRightToOrderFourInBothArguments() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b")
    let f = logaddexp(a, b)
    let points: [(Double, Double)] = [
      (0, 0), (1e-8, 0), (1e-300, -1e-300), (0.7, -1.3), (-3, 2.5), (20, -20),
    ]
    let orders = (0...4).flatMap { n in (0...(4 - n)).map { (n, $0) } }
    var lines: [String] = []
    var ours: [Double] = []
    for (n, m) in orders {
      let partial = try derivative(of: derivative(of: f, wrt: a, order: n), wrt: b, order: m)
      let graph = try partial.graph()
      for (x, y) in points {
        lines.append("logaddexp \(n) \(m) \(x) \(y)")
        ours.append(try graph.evaluate(["a": x, "b": y])[0].scalars[0])
      }
    }
    let want = try mpmath(lines)
    for (k, line) in lines.enumerated() {
      #expect(
        close(ours[k], want[k]) || abs(ours[k] - want[k]) < 1e-15,
        "\(line): \(ours[k]), not \(want[k])")
    }
  }

  /// Where ln(eᵃ + eᵇ) overflows, the kernel does not, nor do the partials.
  @Test func logaddexpIsStableWhereTheNaiveFormOverflows() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b")
    let partials = try gradient(of: logaddexp(a, b), wrt: [a, b])
    let graph = try logaddexp(a, b).graph(names: ["f", "a", "b"], with: partials)
    let values: [Tensor] = try graph.evaluate(["a": 800, "b": 0])
    #expect(values.map { $0.scalars[0] } == [800, 1, 0])
    let program = try Program(graph)
    #expect(try program.evaluate(point: [800, 0]) == [800, 1, 0])
  }

  /// Tensors broadcast into the op, and the tensor plan's loops call its kernel.
  @Test func tensorsBroadcastAndTheTensorPlanCallsTheKernel() throws {
    let g = GraphBuilder()
    let v = try g.variable("v", [3]), s = try g.variable("s")
    let graph = try (logaddexp(v, s) + sinc(v)).sum().graph()
    let inputs: [String: Tensor] = [
      "v": Tensor(shape: [3], scalars: [0, 1, -2]), "s": Tensor(0.5),
    ]
    let reference: Tensor = try graph.evaluate(inputs)[0]
    func f(_ x: Double) -> Double {
      let sinc = x == 0 ? 1 : Foundation.sin(x) / x
      return Swift.max(x, 0.5) + Foundation.log1p(Foundation.exp(-Swift.abs(x - 0.5))) + sinc
    }
    let expected = f(0) + f(1) + f(-2)
    #expect(abs(reference.scalars[0] - expected) < 1e-14)
    #expect(try Program(graph).evaluate(inputs)[0].scalars == reference.scalars)
  }

  /// The native backend compiles the op's C spelling; without one it falls back to the
  /// interpreter, which calls the kernel.
  @Test func theNativeBackendCompilesTheCSpellingOrFallsBack() throws {
    let x = try GraphBuilder().variable("x")
    let spelled = try (sinc(x) * 3).graph()
    let native = try Program(spelled, backend: .native)
    let interpreted = try Program(spelled)
    #expect(native.backend == .native)
    for point in [0, 1e-8, -2.5, 7] {
      #expect(try native.evaluate(point: [point]) == interpreted.evaluate(point: [point]))
    }
    let unspelled = try logaddexp(x, x * 2).graph()
    #expect(try Program(unspelled, backend: .native).backend == .interpreter)
  }

  /// The op is keyed by identity: applied twice it is one node; another op of the same name is
  /// another node. Listings and pictures show its name.
  @Test func hashConsingKeysTheOpByIdentityAndTextShowsItsName() throws {
    let x = try GraphBuilder().variable("x")
    #expect(try sinc(x).node() == sinc(x).node())
    let twin = try CustomOp(
      name: "sinc", arity: 1, kernel: { _ in 0 }, derivative: { _, x, _ in x[0] * 0 })
    #expect(try twin(x).node() != sinc(x).node())
    let graph = try (sinc(x) * 2).graph()
    #expect(graph.listing.contains("= sinc x"))
    #expect(try DOTEncoder().encode(graph).contains("sinc"))
    #expect(graph.infixLines() == ["f = 2*sinc(x)"])
  }

  /// Exports write the op's spellings, and refuse it by name where it has none (ONNX always).
  @Test func exportsUseTheSpellingsOrRefuseByName() throws {
    let x = try GraphBuilder().variable("x")
    let spelled = try (sinc(x) + 1).graph()
    #expect(try spelled.text(.python).contains("np.sinc((x) / np.pi) + 1"))
    #expect(try spelled.cCode().contains("((in[0]) == 0 ? 1.0 : sin((in[0])) / (in[0]))"))
    #expect(throws: GraphError.self) { try spelled.onnxModel() }
    let unspelled = try UserDefinedOps.logaddexp(x, x * 2).graph()
    for format in [TextFormat.python, .jax, .c] {
      do {
        _ = try unspelled.text(format)
        Issue.record("\(format) export of an op without a spelling did not throw")
      } catch {
        #expect("\(error)".contains("custom op 'logaddexp' has no spelling"))
      }
    }
    do {
      _ = try unspelled.onnxModel()
      Issue.record("ONNX export of a custom op did not throw")
    } catch {
      #expect("\(error)".contains("custom op 'logaddexp'"))
    }
  }

  /// Definitions the library cannot honour are refused with what is wrong.
  @Test func badDefinitionsAreRefused() {
    func message(_ make: () throws -> CustomOp) -> String {
      do {
        _ = try make()
        return ""
      } catch { return "\(error)" }
    }
    let rule: CustomOp.Derivative = { _, x, _ in x[0] }
    let badName = message {
      try CustomOp(name: "2x", arity: 1, kernel: { $0[0] }, derivative: rule)
    }
    #expect(badName.contains("'2x' is not a name"))
    let badArity = message {
      try CustomOp(name: "f", arity: 4, kernel: { $0[0] }, derivative: rule)
    }
    #expect(badArity.contains("arity 4"))
    #expect(
      message {
        try CustomOp(
          name: "f", arity: 2, kernel: { $0[0] }, derivative: rule,
          series: .init(at: 0, radius: 1, coefficients: [1]))
      }.contains("one input"))
  }
}
