import Foundation
import Testing

@testable import CompGraph

/// Taylor mode (`taylor(of:wrt:at:order:)`, `Graph.taylor(along:at:order:)`, the graph
/// transform and `mixedPartial`): every op's series against the symbolic tower, high orders
/// against mpmath, edge points, tensors and errors.
@Suite struct TaylorTests {
  /// The coefficients of t ↦ f(x₀ + t, y₀ + t/2), c₀ … c_order, from the symbolic tower in t
  /// (each derivative divided by k!).
  static func towerCoefficients(
    _ f: (Expr, Expr) -> Expr, at point: (Double, Double), order: Int
  ) throws -> [Double] {
    let g = GraphBuilder()
    let t = try g.variable("t")
    let h = f(point.0 + t, point.1 + 0.5 * t)
    let tower = try g.derivativeTower(of: [h.node()], wrt: [t.node()], order: order)
    let values = try g.graph(outputs: tower.partials.map(\.node)).evaluate(["t": 0.0])
    var factorial = 1.0
    return values.enumerated().map { k, v in
      if k > 1 { factorial *= Double(k) }
      return v.scalars[0] / factorial
    }
  }

  /// Every op of the set (the per-op table, `OpTable.swift`): the directional series of the
  /// row's expression along (1, ½), by the numeric fast path and by the graph transform, equals
  /// the symbolic tower's to order 6 at the row's points. A custom op, the matrix functions and
  /// scan have no series rule and are refused by name.
  @Test(arguments: Op.Kind.allCases)
  func everyOpMatchesTheSymbolicTower(_ kind: Op.Kind) throws {
    let row = OpRow.row(kind)
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f = row.composite(x, y)
    let order = 6
    let direction = ["x": Tensor(1), "y": Tensor(0.5)]
    if kind == .custom || kind.category == .linearAlgebra || kind.category == .loop {
      #expect(throws: GraphError.self) {
        try f.graph().taylor(along: direction, at: ["x": Tensor(0.3), "y": Tensor(0.7)], order: 3)
      }
      return
    }
    let transform = try taylor(
      of: f, along: ["x": g.constant(1), "y": g.constant(0.5)], order: order)
    let transformGraph = try transform[0].graph(with: Array(transform.dropFirst()))
    for (px, py) in row.points {
      let want = try Self.towerCoefficients(row.composite, at: (px, py), order: order)
      let point = ["x": Tensor(px), "y": Tensor(py)]
      let fast = try f.graph().taylor(along: direction, at: point, order: order)[0]
      let built = try transformGraph.evaluate(point)
      let tolerance = row.holdsF32 ? 1e-4 : 1e-10
      let scale = want.map(Swift.abs).max() ?? 1
      for k in 0...order {
        for (path, got) in [("numeric", fast[k].scalars[0]), ("graph", built[k].scalars[0])] {
          #expect(
            Swift.abs(got - want[k]) <= tolerance * Swift.max(Swift.abs(want[k]), scale * 1e-3),
            "\(kind) at (\(px), \(py)), c\(k) by the \(path) path: \(got), the tower gives \(want[k])"
          )
        }
      }
    }
  }

  /// The functions and points checked against mpmath at 50 digits.
  static let mpmathCases: [(expression: String, mpmath: String, point: Double)] = [
    ("tanh(x)", "lambda x: tanh(x)", 0.3),
    ("exp(sin(x)) * ln(1 + x^2)", "lambda x: exp(sin(x))*log(1+x**2)", 0.3),
    ("erf(x)", "lambda x: erf(x)", 0.8),
    ("atan(x)", "lambda x: atan(x)", -1.5),
    ("asin(x)", "lambda x: asin(x)", 0.4),
    ("sqrt(x) * cos(x)", "lambda x: sqrt(x)*cos(x)", 2.0),
    ("x^2.5 / (1 + x)", "lambda x: x**2.5/(1+x)", 1.3),
    ("atan2(x, 1 + x^2)", "lambda x: atan2(x, 1+x**2)", 0.7),
    ("tan(x) + sinh(x) * cosh(x)", "lambda x: tan(x) + sinh(x)*cosh(x)", 0.5),
    ("expm1(x) * log1p(x) - cbrt(x)", "lambda x: expm1(x)*log1p(x) - cbrt(x)", 0.9),
    ("pow(x, x)", "lambda x: x**x", 1.7),
  ]

  static func parsed(_ expression: String) throws -> Graph {
    try parseProgram(expression, declarations: [:], into: GraphBuilder()).graph()
  }

  /// The highest order checked against mpmath, and the relative error allowed per coefficient
  /// (the README's and the DocC article's figure).
  static let mpmathOrder = 40
  static let mpmathTolerance = 1e-13

  /// Taylor coefficients to order 40 against mpmath's at 50 digits (`Tests/Python/mpmath_taylor.py`),
  /// each within 1e-13 of it, relative.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func coefficientsMatchMpmath() throws {
    let request = Self.mpmathCases.map {
      ["function": $0.mpmath, "point": $0.point, "order": Self.mpmathOrder] as [String: Any]
    }
    let reply = try PythonPeer.run(
      "mpmath_taylor.py",
      input: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
    let exact = try #require(
      try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [[Double]])
    for (c, want) in zip(Self.mpmathCases, exact) {
      let jet = try Self.parsed(c.expression).taylor(
        along: ["x": Tensor(1)], at: ["x": Tensor(c.point)], order: Self.mpmathOrder)[0]
      for (k, (got, exactly)) in zip(jet.map { $0.scalars[0] }, want).enumerated() {
        #expect(
          Swift.abs(got - exactly) <= Self.mpmathTolerance * Swift.abs(exactly),
          "\(c.mpmath) at \(c.point), c\(k): \(got), mpmath \(exactly), relative error \(Swift.abs(got - exactly) / Swift.abs(exactly))"
        )
      }
    }
  }

  /// W14's functions at orders 10, 20, 50 and 100 against exact series arithmetic at 80 digits
  /// (the references in BENCHMARKS.md): n!·cₙ within 1e-13 relative.
  @Test func w14DerivativesMatchTheReferences() throws {
    let references: [(String, [Double])] = [
      (
        "tanh(x)",
        [-36306.469601302218, -186136829308596.17, 4.8140860849511392e53, 9.9361312252414772e136]
      ),
      (
        "exp(sin(x)) * ln(1 + x^2)",
        [-17049.30293067355, 13903657488177484.0, 9.7325174286157641e61, 2.3716225229376996e154]
      ),
    ]
    for (f, want) in references {
      let graph = try Self.parsed(f)
      let c = try graph.taylor(along: ["x": Tensor(1)], at: ["x": Tensor(0.3)], order: 100)[0]
      let derivatives = Jet(coefficients: c.map { $0.scalars[0] }).derivatives
      for (n, exactly) in zip([10, 20, 50, 100], want) {
        #expect(
          Swift.abs(derivatives[n] - exactly) <= 1e-13 * Swift.abs(exactly),
          "order \(n): \(derivatives[n]), exactly \(exactly)")
      }
    }
  }

  /// Edge points: x² and x³ at 0 (exact, by repeated squaring, where the power recurrence would
  /// divide by x₀ = 0), √x at 0 (an infinite slope), |x| at 0 (abs′(0) = 0), tanh at ±1000 (no
  /// NaN from 1 − tanh²), eˣ at −1000, ln at a tiny x, 1/x at −0.
  @Test func edgePoints() throws {
    func jet(_ f: (Expr) -> Expr, at x0: Double, order: Int = 4) throws -> [Double] {
      let g = GraphBuilder()
      let x = try g.variable("x")
      return try taylor(of: f(x), wrt: x, at: ["x": x0], order: order).coefficients
    }
    #expect(try jet({ $0 * $0 }, at: 0) == [0, 0, 1, 0, 0])
    #expect(try jet({ pow($0, 3) }, at: 0) == [0, 0, 0, 1, 0])
    #expect(try jet({ pow($0, 2) + 1 }, at: -0.0) == [1, 0, 1, 0, 0])
    let root = try jet({ sqrt($0) }, at: 0, order: 2)
    #expect(root[0] == 0 && root[1] == .infinity)
    #expect(try jet({ abs($0) }, at: 0, order: 2) == [0, 0, 0])
    #expect(try jet({ abs($0) }, at: -2, order: 2) == [2, -1, 0])
    for x0 in [1000.0, -1000] {
      let t = try jet({ tanh($0) }, at: x0)
      #expect(
        t[0] == (x0 > 0 ? 1 : -1) && t.dropFirst().allSatisfy { $0 == 0 }, "tanh at \(x0): \(t)")
    }
    let e = try jet({ exp($0) }, at: -1000)
    #expect(e.allSatisfy { $0 == 0 })
    let tiny = try jet({ ln($0) }, at: 1e-300, order: 3)
    #expect(Swift.abs(tiny[0] - Foundation.log(1e-300)) < 1e-12 * 700)
    #expect(Swift.abs(tiny[1] / 1e300 - 1) < 1e-15 && tiny[2] == -.infinity)
    let reciprocal = try jet({ 1 / $0 }, at: -0.0, order: 1)
    #expect(reciprocal[0] == -.infinity)
  }

  /// The derivatives k!·cₖ of eˣ at 0 are 1 to order 170, within a few rounding errors: k! is
  /// carried in double-double arithmetic.
  @Test func derivativesScaleByTheFactorialAccurately() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let d = try taylor(of: exp(x), wrt: x, at: ["x": 0], order: 170).derivatives
    for (k, v) in d.enumerated() { #expect(Swift.abs(v - 1) < 2e-14, "k = \(k): \(v)") }
  }

  /// The graph transform keeps f itself as c₀, computes the series at any point the variables
  /// are bound to, and holds only ops of the set (so it differentiates and simplifies too).
  @Test func theTransformIsAGraphOfThePoint() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f = sin(x * y) + exp(x) / (1 + y * y)
    let c = try taylor(of: f, wrt: x, order: 8)
    #expect(try c[0].node() == f.node())
    let graph = try c[0].graph(with: Array(c.dropFirst()))
    for (px, py) in [(0.3, -1.2), (2.0, 0.5)] {
      let want = try Self.towerCoefficients(
        { x, _ in sin(x * py) + exp(x) / (1 + py * py) }, at: (px, 0), order: 8)
      let got = try graph.evaluate(["x": px, "y": py])
      for k in 0...8 {
        #expect(Swift.abs(got[k].scalars[0] - want[k]) <= 1e-12 * Swift.max(1, Swift.abs(want[k])))
      }
    }
  }

  /// Tensor graphs: Σᵢ exp(aᵢ·x) has cₖ = Σᵢ aᵢᵏ e^(aᵢx₀)/k!; an einsum of two operands that
  /// both move, a max along an axis, slices and pads follow the tower.
  @Test func tensorGraphs() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let a = [0.5, -1.0, 2.0]
    let v = g.constant(Tensor(shape: [3], scalars: a))
    let f = sum(exp(v * x))
    let c = try f.graph().taylor(along: ["x": Tensor(1)], at: ["x": Tensor(0.4)], order: 6)[0]
    var factorial = 1.0
    for k in 0...6 {
      if k > 1 { factorial *= Double(k) }
      let want =
        a.map { Foundation.pow($0, Double(k)) * Foundation.exp($0 * 0.4) }.reduce(0, +) / factorial
      #expect(Swift.abs(c[k].scalars[0] - want) <= 1e-13 * Swift.abs(want))
    }
    let composite: (Expr, Expr) -> Expr = { x, _ in
      let v = x.builder.constant(Tensor(shape: [3], scalars: a))
      let u = sin(v * x), w = exp(v * x * x)
      let m = amax(
        pad(slice(u * w, axis: 0, start: 1, end: 3), axis: 0, before: 1, after: 0), axis: 0)
      return einsum("i,i->", u, w) + m * einsum("i,j->", u, u * x)
    }
    let want = try Self.towerCoefficients(composite, at: (0.7, 0), order: 5)
    let h = GraphBuilder()
    let hx = try h.variable("x"), hy = try h.variable("y")
    let got = try composite(hx, hy).graph().taylor(
      along: ["x": Tensor(1)], at: ["x": Tensor(0.7), "y": Tensor(0)], order: 5)[0]
    for k in 0...5 {
      #expect(
        Swift.abs(got[k].scalars[0] - want[k]) <= 1e-11 * Swift.max(1, Swift.abs(want[k])), "c\(k)")
    }
    // A tensor output gets tensor coefficients.
    let vector = try (exp(v * x)).graph().taylor(
      along: ["x": Tensor(1)], at: ["x": Tensor(0)], order: 2)[0]
    #expect(vector[2].shape == [3] && vector[2].scalars == a.map { $0 * $0 / 2 })
  }

  /// Mixed partials by polarization equal the symbolic tower's: ∂³f/∂x²∂y, ∂⁴f/∂x∂y∂z²,
  /// ∂²f/∂x∂y.
  @Test func mixedPartialsByPolarizationMatchTheTower() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y"), z = try g.variable("z")
    let f = sin(x * y) * exp(z) + pow(x, 3) * y * y * tanh(z) + ln(1 + x * x * z * z)
    let point = ["x": 0.4, "y": -0.9, "z": 1.3]
    for wrt in [[x, x, y], [x, y, z, z], [x, y], [z, z, z]] {
      let ids = try [x, y, z].map { try $0.node() }
      let indices = try wrt.map { e in try ids.firstIndex(of: e.node())! }
      let tower = try g.derivativeTower(of: [f.node()], wrt: ids, partials: [indices])
      let want = try g.graph(outputs: [tower.node(indices)!]).evaluate(point)[0].scalars[0]
      let got = try mixedPartial(of: f, wrt: wrt, at: point)
      #expect(
        Swift.abs(got - want) <= 1e-11 * Swift.max(1, Swift.abs(want)),
        "\(indices): \(got), tower \(want)")
    }
  }

  /// Bad input gets an error that says what is wrong.
  @Test func errors() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let graph = try (x * y).graph()
    #expect(throws: GraphError.unboundVariable("y")) {
      try graph.taylor(along: ["x": Tensor(1)], at: ["x": Tensor(1)], order: 2)
    }
    let noSuch = #expect(throws: GraphError.self) {
      try graph.taylor(along: ["z": Tensor(1)], at: ["x": Tensor(1), "y": Tensor(1)], order: 2)
    }
    #expect("\(noSuch!)".contains("no variable 'z'"))
    let negative = #expect(throws: GraphError.self) {
      try taylor(of: x * y, wrt: x, at: ["x": 1, "y": 1], order: -1)
    }
    #expect("\(negative!)".contains("order must be ≥ 0"))
    let sinc = #expect(throws: GraphError.self) {
      try taylor(of: UserDefinedOps.sinc(x), wrt: x, at: ["x": 1], order: 2)
    }
    #expect("\(sinc!)".contains("custom op 'sinc'"))
  }
}
