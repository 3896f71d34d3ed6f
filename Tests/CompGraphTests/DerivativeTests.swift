import Foundation
import Testing

@testable import CompGraph

@Suite struct DerivativeTests {
  /// The sugar over the ops (each op has its row in `OpRow`), against
  /// finite differences to order 3 at several points.
  enum Sugar: CaseIterable {
    case subtract, divide, sigmoid, softplus, constantBasePower

    func build(_ x: Expr, _ y: Expr) -> Expr {
      switch self {
      case .subtract: x - y * x
      case .divide: x / (y * y + 1)
      case .sigmoid: CompGraph.sigmoid(x * y)
      case .softplus: CompGraph.softplus(x - y)
      case .constantBasePower: pow(2, x * y)
      }
    }
  }

  @Test(arguments: Sugar.allCases)
  func sugarMatchesFiniteDifferences(_ sugar: Sugar) throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f = sugar.build(x, y)
    for (px, py) in [(0.3, 0.7), (-1.2, 0.4), (2.0, -1.5)] {
      let report = try checkGradients(of: f, at: ["x": Tensor(px), "y": Tensor(py)], order: 3)
      #expect(report.worstRelativeError < 1e-6, "\(sugar) at (\(px), \(py)): \(report)")
    }
    _ = try checked([f] + CompGraph.gradient(of: f, wrt: [x, y]))
  }

  @Test func everyDerivativeOfExpIsExp() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    var d = exp(x)
    for _ in 1...6 {
      d = try CompGraph.gradient(of: d, wrt: x)
      for p in [-1.0, 0.5, 2.0] { #expect(isClose(try scalar(d, ["x": p]), Foundation.exp(p))) }
    }
  }

  /// dⁿ/dxⁿ ln x = (−1)ⁿ⁻¹ (n−1)! / xⁿ
  @Test func nthDerivativeOfLn() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    var d = ln(x)
    var factorial = 1.0
    for n in 1...8 {
      d = try CompGraph.gradient(of: d, wrt: x)
      if n > 1 { factorial *= Double(n - 1) }
      for p in [0.5, 1.5, 3.0] {
        let exact = (n % 2 == 1 ? 1.0 : -1.0) * factorial / Foundation.pow(p, Double(n))
        #expect(isClose(try scalar(d, ["x": p]), exact), "order \(n) at \(p)")
      }
    }
  }

  /// tanh⁽ⁿ⁾ as polynomials in t = tanh x.
  @Test func tanhDerivativesArePolynomialsInTanh() throws {
    let closedForms = SimplifyDerivativeTests.closedForms  // the same table, unsimplified path
    let g = GraphBuilder()
    let x = try g.variable("x")
    var d = tanh(x)
    for (n, closed) in closedForms.enumerated() {
      d = try CompGraph.gradient(of: d, wrt: x)
      for p in [-0.8, 0.1, 0.5, 1.7] {
        #expect(
          isClose(try scalar(d, ["x": p]), closed(Foundation.tanh(p)), tolerance: 1e-11),
          "order \(n + 1) at \(p)")
      }
    }
  }

  @Test func forwardModeAgreesWithReverseMode() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let grad = try CompGraph.gradient(of: f, wrt: [p, q])
    let one = g.constant(1.0)
    let fp = try jvp(of: f, tangents: [(p, one)])
    let fq = try jvp(of: f, tangents: [(q, one)])
    let at: [String: Double] = ["p": 2, "q": 3]
    #expect(isClose(try scalar(fp, at), try scalar(grad[0], at)))
    #expect(isClose(try scalar(fq, at), try scalar(grad[1], at)))
  }

  @Test func hessianAndHessianVectorProductOfSeed() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let h = try hessian(of: f, wrt: [p, q])
    let at: [String: Double] = ["p": 2, "q": 3]
    let exact = [
      [-0.51799830823853465, -0.0089991541192673153],
      [-0.0089991541192673153, -0.11561068817074477],
    ]
    for i in 0..<2 {
      for j in 0..<2 { #expect(isClose(try scalar(h[i][j], at), exact[i][j], tolerance: 1e-13)) }
    }
    let hv = try hessianVectorProduct(
      of: f, wrt: [p, q], direction: [g.constant(1.0), g.constant(-2.0)])
    #expect(isClose(try scalar(hv[0], at), exact[0][0] - 2 * exact[0][1], tolerance: 1e-13))
    #expect(isClose(try scalar(hv[1], at), exact[1][0] - 2 * exact[1][1], tolerance: 1e-13))
  }

  /// Sweep j builds only the entries on and below the diagonal; the entry
  /// above is its mirror's node.  f = p²q³ + e^(pr), by hand:
  /// H = [[2q³ + r²e^(pr), 6pq², (1 + pr)e^(pr)], [·, 6p²q, 0], [·, ·, p²e^(pr)]].
  @Test(arguments: [true, false])
  func hessianMirrorsItsLowerTriangle(simplifying: Bool) throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q"), r = try g.variable("r")
    let f = p * p * q * q * q + exp(p * r)
    let h = try hessian(of: f, wrt: [p, q, r], simplify: simplifying)
    let (pv, qv, rv) = (0.7, -1.3, 0.4)
    let e = Foundation.exp(pv * rv)
    let exact = [
      [2 * qv * qv * qv + rv * rv * e, 6 * pv * qv * qv, (1 + pv * rv) * e],
      [6 * pv * qv * qv, 6 * pv * pv * qv, 0],
      [(1 + pv * rv) * e, 0, pv * pv * e],
    ]
    let at: [String: Double] = ["p": pv, "q": qv, "r": rv]
    for i in 0..<3 {
      for j in 0..<3 {
        #expect(try h[i][j].node() == h[j][i].node(), "H[\(i)][\(j)]")
        #expect(isClose(try scalar(h[i][j], at), exact[i][j], tolerance: 1e-13), "H[\(i)][\(j)]")
      }
    }
  }

  @Test func thirdOrderCheckOfSeedAgainstFiniteDifferences() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let report = try checkGradients(
      of: f, at: ["p": Tensor(2), "q": Tensor(3)], order: 3, step: 1e-4)
    #expect(report.worstRelativeError < 1e-6, "\(report)")
  }

  @Test func gradientWithRespectToUnusedVariableIsZero() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let d = try CompGraph.gradient(of: exp(x), wrt: y)
    #expect(try scalar(d, ["x": 1, "y": 2]) == 0)
  }

  @Test func gradientOfTensorOutputIsAnError() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2])
    #expect(
      throws: GraphError.unsupported(
        "gradient needs a scalar output, but it has shape 2; take sum() of it first")
    ) {
      try CompGraph.gradient(of: exp(a), wrt: a)
    }
  }

  @Test func integerPowersOfNegativeBasesAreExact() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    #expect(try scalar(pow(x, 3), ["x": -2]) == -8)
    #expect(try scalar(pow(x, 0.5), ["x": -2]).isNaN)
    #expect(try scalar(ln(x), ["x": -1]).isNaN)
    let d = try CompGraph.gradient(of: pow(x, 3), wrt: x)
    #expect(try scalar(d, ["x": -2]) == 12)
  }
}

/// ARCHITECTURE.md invariant 6: derivative graphs extend their source.
@Suite struct DerivativeGraphShapeTests {
  @Test func derivativeReusesTheForwardNode() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let y = exp(x)
    let countBefore = g.count
    let dy = try CompGraph.gradient(of: y, wrt: x)
    // d eˣ = eˣ·1: the derivative is the forward node itself, nothing new.
    #expect(try dy.node() == y.node())
    #expect(g.count == countBefore + 1)  // only the seed constant 1
  }

  @Test func adjointNodesPointAtForwardNodesAndNoZerosAreBuilt() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), c = try g.variable("c")
    let f = sin(x) * exp(c) + tanh(c)  // the tanh(c) branch does not depend on x
    let before = g.count
    let dfdx = try CompGraph.gradient(of: f, wrt: x)
    for index in before..<g.count {
      let id = NodeID(index)
      if case .constant(let t) = g.op(id) {
        #expect(!t.scalars.allSatisfy { $0 == 0 }, "a zero was built")
      }
      #expect(g.op(id) != .tanh, "the inactive branch was differentiated")
    }
    // ∂f/∂x = cos(x)·eᶜ: it reuses the forward exp(c).
    let graph = try dfdx.graph()
    #expect(graph.ids.contains { graph.op($0) == .exp })
    #expect(
      isClose(try dfdx.evaluate(["x": 0.3, "c": 0.5]), Foundation.cos(0.3) * Foundation.exp(0.5)))
  }

  /// x·x sends x·ḡ to x twice: the sweep sends one product x·ḡ·2 (as the
  /// normal form collects it), not a sum of two.  A sum p + p sends its own
  /// adjoint on twice, and that is shared with its other input, so it stays
  /// a repeated term.
  @Test func aSquareSendsOneDoubledProduct() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let d = try CompGraph.gradient(of: sin(x * x * y), wrt: x).graph()
    let root = d.outputs[0]
    #expect(d.op(root) == .mul)
    #expect(d.inputs(root).contains { d.op($0) == .constant(Tensor(2)) })
    for px in [0.3, -1.7, 2.5] {
      let value = try d.evaluate(["x": Tensor(px), "y": Tensor(0.6)])[0].scalars[0]
      let u = Foundation.cos(px * px * 0.6)
      #expect(isClose(value, 2 * px * 0.6 * u))
    }

    let p = try g.variable("p"), q = try g.variable("q")
    let s = try CompGraph.gradient(of: exp(p + p + q), wrt: p).graph()
    #expect(s.op(s.outputs[0]) == .add)
    #expect(Set(s.inputs(s.outputs[0])).count == 1)  // e^(p+p+q) + e^(p+p+q)
    #expect(isClose(try s.evaluate(["p": 0.2, "q": 0.1])[0].scalars[0], 2 * Foundation.exp(0.5)))
  }
}
