import Foundation
import Testing

@testable import CompGraph

/// `scan`: values against the unrolled loop, derivatives of orders 1 to 3 against finite
/// differences and JAX's `lax.scan`, scans of scans, checkpointed against stored gradients,
/// and the errors a bad loop gives.
@Suite struct ScanTests {
  /// The cell's loop unrolled by hand: the same operations, so the same values.
  static func unrolledCell(_ h0: Expr, _ xs: [Expr], _ w: Expr) -> (Expr, [Expr]) {
    var h = h0
    var ys: [Expr] = []
    for x in xs {
      h = tanh(h * w + x)
      ys.append(h * h + w)
    }
    return (h, ys)
  }

  static let xsValue = Tensor(shape: [4, 2], scalars: [0.1, -0.3, 0.5, 0.2, -0.4, 0.7, 0.3, -0.1])
  static let point: [String: Tensor] = [
    "h0": Tensor(shape: [2], scalars: [0.2, -0.5]), "xs": xsValue, "w": Tensor(0.8),
  ]

  @Test func valuesAndGradientsMatchTheUnrolledLoop() throws {
    let g = GraphBuilder()
    let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [4, 2])
    let w = try g.variable("w")
    let r = try ScanFixtures.cellScan(h0, xs, w)
    let rows = (0..<4).map { reshape(slice(xs, axis: 0, start: $0, end: $0 + 1), [2]) }
    let (hT, ys) = Self.unrolledCell(h0, rows, w)
    let weights = OpRow.weights(w, [4, 2])
    let loss = (r.carries[0] * r.carries[0]).sum() + (r.outputs[0] * weights).sum()
    let unrolledY = ys.enumerated().map { k, y in
      (y * slice(weights, axis: 0, start: k, end: k + 1).sum(to: [2]))
    }
    let unrolledLoss =
      (hT * hT).sum() + unrolledY.dropFirst().reduce(unrolledY[0].sum()) { $0 + $1.sum() }
    let ours = try loss.graph(with: gradient(of: loss, wrt: [h0, xs, w])).evaluate(Self.point)
    let theirs = try unrolledLoss.graph(with: gradient(of: unrolledLoss, wrt: [h0, xs, w]))
      .evaluate(Self.point)
    for (a, b) in zip(ours, theirs) {
      #expect(a.shape == b.shape)
      for (u, v) in zip(a.scalars, b.scalars) { #expect(abs(u - v) <= 1e-14 * max(1, abs(v))) }
    }
    let stacked = try r.outputs[0].graph().evaluate(Self.point)[0]
    let each = try ys[0].graph(with: Array(ys.dropFirst())).evaluate(Self.point)
    #expect(stacked.scalars == each.flatMap(\.scalars))
  }

  /// ARCHITECTURE.md invariant 4 through a loop: derivatives of orders 1 to 3 of a loss over
  /// Lotka–Volterra's RK4 trajectory (two carries, four closed-over rates) and of the cell
  /// match finite differences.
  @Test func derivativesToOrderThreeMatchFiniteDifferences() throws {
    let g = GraphBuilder()
    let names = ["u0", "v0", "a", "b", "d", "g"]
    let v = try names.map { try g.variable($0) }
    let r = try ScanFixtures.lotkaVolterra(u0: v[0], v0: v[1], rates: Array(v[2...]), steps: 12)
    let loss = (pow(r.outputs[0] - 1, 2)).sum() + (pow(r.outputs[1] - 0.5, 2)).sum()
    let point = Dictionary(uniqueKeysWithValues: zip(names, [1.0, 0.8, 1.1, 0.6, 0.7, 0.9]))
    let report = try checkGradients(of: loss, at: point, order: 3)
    #expect(report.worstRelativeError < 1e-6, "\(report)")
    let h = GraphBuilder()
    let cell = ScanFixtures.cell(try h.variable("x"), try h.variable("y"))
    let cellReport = try checkGradients(of: cell, at: ["x": 0.3, "y": -0.7], order: 3)
    #expect(cellReport.worstRelativeError < 1e-6, "\(cellReport)")
  }

  /// A reverse scan runs its steps from the last row, as a forward scan of the reversed rows.
  @Test func reverseScanIsTheForwardScanOfTheReversedRows() throws {
    let g = GraphBuilder()
    let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [4, 2])
    let w = try g.variable("w")
    let backward = try ScanFixtures.cellScan(h0, xs, w, reverse: true)
    let flipped = Tensor(
      shape: [4, 2],
      scalars: (0..<4).reversed().flatMap { Self.xsValue.scalars[(2 * $0)..<(2 * $0 + 2)] })
    var point = Self.point
    let a = try backward.carries[0].graph(with: [backward.outputs[0]]).evaluate(point)
    point["xs"] = flipped
    let forward = try ScanFixtures.cellScan(h0, xs, w)
    let b = try forward.carries[0].graph(with: [forward.outputs[0]]).evaluate(point)
    #expect(a[0].scalars == b[0].scalars)
    let rows = (0..<4).reversed().flatMap { b[1].scalars[(2 * $0)..<(2 * $0 + 2)] }
    #expect(a[1].scalars == rows)
    let loss = (backward.outputs[0] * OpRow.weights(w, [4, 2])).sum() + backward.carries[0].sum()
    let report = try checkGradients(of: loss, at: Self.point, order: 2)
    #expect(report.worstRelativeError < 1e-6, "\(report)")
  }

  /// Checkpointed gradients (every k, with and without a remainder, and √T) equal the stored
  /// ones to 1e-14, for forward and reverse scans, and so do their second derivatives.
  @Test(arguments: [ScanCheckpoint.every(3), .every(4), .every(1), .sqrt])
  func checkpointedGradientsEqualStoredOnes(_ checkpoint: ScanCheckpoint) throws {
    for reverse in [false, true] {
      let g = GraphBuilder()
      let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [10, 2])
      let w = try g.variable("w")
      func loss(_ c: ScanCheckpoint) throws -> Expr {
        let r = try ScanFixtures.cellScan(h0, xs, w, checkpoint: c, reverse: reverse)
        return r.carries[0].sum() * 0.5 + (r.outputs[0] * OpRow.weights(w, [10, 2])).sum()
      }
      let stored = try loss(.all), checkpointed = try loss(checkpoint)
      let point: [String: Tensor] = [
        "h0": Tensor(shape: [2], scalars: [0.2, -0.5]),
        "xs": Tensor(shape: [10, 2], scalars: (0..<20).map { sin(Double($0)) * 0.6 }),
        "w": Tensor(0.7),
      ]
      let first = try gradient(of: stored, wrt: [h0, xs, w])
      let firstC = try gradient(of: checkpointed, wrt: [h0, xs, w])
      let second = try gradient(of: first[2], wrt: [h0, xs, w])
      let secondC = try gradient(of: firstC[2], wrt: [h0, xs, w])
      let a = try stored.graph(with: first + second).evaluate(point)
      let b = try checkpointed.graph(with: firstC + secondC).evaluate(point)
      for (k, (u, v)) in zip(a, b).enumerated() {
        let worst = zip(u.scalars, v.scalars).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst <= 1e-14, "\(checkpoint) reverse \(reverse) output \(k): \(worst)")
      }
    }
  }

  /// A scan whose body holds a scan: values against the unrolled double loop, derivatives
  /// against finite differences, and both bodies listed by `Graph.bodies`.
  @Test func scanOfScan() throws {
    let g = GraphBuilder()
    let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [3, 4, 2])
    let w = try g.variable("w")
    let outer = try scan(
      "outer", carries: [h0], over: [xs], closingOver: [w], carryNames: ["h"],
      sliceNames: ["block"], closedNames: ["w"]
    ) { c, rows, p in
      let inner = try ScanFixtures.cellScan(c[0], rows[0], p[0])
      return ([inner.carries[0] * 0.9], [inner.outputs[0].sum()])
    }
    let loss = outer.carries[0].sum() + (outer.outputs[0] * OpRow.weights(w, [3])).sum()
    let point: [String: Tensor] = [
      "h0": Tensor(shape: [2], scalars: [0.2, -0.5]),
      "xs": Tensor(shape: [3, 4, 2], scalars: (0..<24).map { cos(Double($0)) * 0.5 }),
      "w": Tensor(0.7),
    ]
    // Unrolled: 3 blocks of 4 rows.
    var h = h0
    var total = w.constant(0)
    for b in 0..<3 {
      let rows = (0..<4).map { t in
        reshape(slice(slice(xs, axis: 0, start: b, end: b + 1), axis: 1, start: t, end: t + 1), [2])
      }
      let (hT, ys) = Self.unrolledCell(h, rows, w)
      total = total + ys.dropFirst().reduce(ys[0].sum()) { $0 + $1.sum() } * (1 + 0.5 * Double(b))
      h = hT * 0.9
    }
    let unrolled = h.sum() + total
    let a = try loss.graph(with: gradient(of: loss, wrt: [h0, xs, w])).evaluate(point)
    let b = try unrolled.graph(with: gradient(of: unrolled, wrt: [h0, xs, w])).evaluate(point)
    for (u, v) in zip(a, b) {
      for (p, q) in zip(u.scalars, v.scalars) { #expect(abs(p - q) <= 1e-13 * max(1, abs(q))) }
    }
    let report = try checkGradients(of: loss, at: point, order: 3)
    #expect(report.worstRelativeError < 1e-6, "\(report)")
    #expect(try loss.graph().bodies.map(\.name) == ["outer", "cell"])
  }

  /// The graph of a loop and of its gradient do not grow with the trip count.
  @Test func graphSizeDoesNotDependOnTheTripCount() throws {
    func sizes(_ steps: Int) throws -> (Int, Int) {
      let g = GraphBuilder()
      let v = try ["u0", "v0", "a", "b", "d", "g"].map { try g.variable($0) }
      let r = try ScanFixtures.lotkaVolterra(
        u0: v[0], v0: v[1], rates: Array(v[2...]), steps: steps)
      let loss = pow(r.outputs[0] - 1, 2).sum()
      let graph = try loss.graph(with: gradient(of: loss, wrt: v))
      return (graph.nodeCount, graph.bodies.map(\.graph.nodeCount).reduce(0, +))
    }
    let small = try sizes(10), large = try sizes(10_000)
    #expect(small == large)
  }

  @Test func fixedTripCountAndListing() throws {
    let g = GraphBuilder()
    let x0 = try g.variable("x0")
    let r = try scan("double", carries: [x0], length: 5, carryNames: ["x"]) { c, _, _ in
      ([c[0] * 2], [])
    }
    #expect(try r.carries[0].evaluate(["x0": 1.5]) == 48)
    let listing = try r.carries[0].graph().listing
    #expect(listing.contains("scan[double,5] x0"), "\(listing)")
  }

  @Test func badLoopsAreErrors() throws {
    let g = GraphBuilder()
    let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [4, 2])
    let short = try g.variable("short", [3, 2])
    #expect(
      throws: GraphError.shapeMismatch(
        op: "scan grow", shapes: [[2], [4]],
        reason: "differ: carry 0 ('c0') must keep its shape from step to step")
    ) {
      try scan("grow", carries: [h0], over: [xs]) { c, r, _ in
        ([concatenated(c[0], r[0])], [])
      }
    }
    #expect(throws: GraphError.self) {
      try scan("two", carries: [h0], over: [xs, short]) { c, _, _ in (c, []) }
    }
    #expect(
      throws: GraphError.unsupported(
        "scan none: give `length` (the trip count) when there are no sequences")
    ) {
      try scan("none", carries: [h0]) { c, _, _ in (c, []) }
    }
    let f = try g.variable("f", [2], dtype: .f32)
    #expect(throws: GraphError.self) {
      try scan("single", carries: [f], length: 3) { c, _, _ in (c, []) }
    }
    // A body that mixes in a handle of the outer graph.
    #expect(throws: GraphError.self) {
      try scan("leak", carries: [h0], length: 3) { c, _, _ in ([c[0] + h0], []) }
    }
  }

  /// [a, b] of two vectors (a pad of each and their sum).
  func concatenated(_ a: Expr, _ b: Expr) -> Expr {
    let (n, m) = (a.shape?[0] ?? 0, b.shape?[0] ?? 0)
    return pad(a, axis: 0, before: 0, after: m) + pad(b, axis: 0, before: n, after: 0)
  }
}

/// Values and derivatives of orders 1 to 3 against `jax.lax.scan` (the tower of
/// `Graph.derivatives` against nested `jax.jacfwd` of `jax.jacrev`).
@Suite struct ScanJAXTests {
  @Test(.enabled(if: PythonPeer.shouldRun))
  func derivativesToOrderThreeMatchJAX() throws {
    let g = GraphBuilder()
    let names = ["u0", "v0", "a", "b", "d", "g"]
    let v = try names.map { try g.variable($0) }
    let r = try ScanFixtures.lotkaVolterra(u0: v[0], v0: v[1], rates: Array(v[2...]), steps: 15)
    let loss = (pow(r.outputs[0] - 1, 2)).sum() + (pow(r.outputs[1] - 0.5, 2)).sum()
    let point = Dictionary(
      uniqueKeysWithValues: zip(names, [1.0, 0.8, 1.1, 0.6, 0.7, 0.9].map { Tensor($0) }))
    let c = LinearAlgebraTests.Case(
      text: "Lotka–Volterra", jax: ScanFixtures.lotkaVolterraJAX(steps: 15),
      variables: names.map { ($0, []) }, order: 3, point: point)
    let h = GraphBuilder()
    let hv = try ["h0", "xs", "w"].map { name in
      try h.variable(name, ScanTests.point[name]!.shape)
    }
    let cell = try ScanFixtures.cellScan(hv[0], hv[1], hv[2])
    let cellLoss =
      (cell.carries[0] * cell.carries[0]).sum()
      + (cell.outputs[0] * OpRow.weights(hv[2], [4, 2])).sum()
    let cellCase = LinearAlgebraTests.Case(
      text: "cell",
      jax: "(lambda r: jnp.sum(r[0]**2) + jnp.sum(r[1]*(1 + 0.5*jnp.arange(8.0).reshape(4, 2))))"
        + "(lax.scan(lambda h, x: (lambda n: (n, n*n + w))(jnp.tanh(h*w + x)), h0, xs))",
      variables: [("h0", [2]), ("xs", [4, 2]), ("w", [])], order: 2, point: ScanTests.point)
    let theirs = try LinearAlgebraTests.jax([c, cellCase])
    for (graph, (case_, reference)) in zip(
      [try loss.graph(), try cellLoss.graph()], zip([c, cellCase], theirs))
    {
      let tower = try graph.derivatives(
        wrt: case_.variables.map(\.name), order: case_.order, simplifying: true)
      let ours = try tower.graph.evaluate(case_.point)
      try #require(ours.count == reference.count)
      for (k, (mine, expected)) in zip(ours, reference).enumerated() {
        let scale = expected.map(abs).max().map { max(1, $0) } ?? 1
        let worst = zip(mine.scalars, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(
          mine.scalars.count == expected.count && worst <= 1e-10 * scale,
          "\(case_.text): output \(k) (\(tower.graph.outputNames[k])) differs from JAX by \(worst)")
      }
    }
  }
}

extension ScanTests {
  /// The exports that do not write loops yet refuse a scan by name.
  @Test func exportsRefuseAScanByName() throws {
    let g = GraphBuilder()
    let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [4, 2])
    let w = try g.variable("w")
    let graph = try ScanFixtures.cellScan(h0, xs, w).carries[0].sum().graph()
    let message = "scan 'cell' is not written as"
    for (export, attempt) in [
      ("C export", { _ = try graph.cCode(name: "f") }),
      ("ONNX export", { _ = try graph.onnxModel() }),
      ("jax export", { _ = try graph.text(.jax) }),
    ] as [(String, () throws -> Void)] {
      do {
        try attempt()
        Issue.record("\(export) wrote a scan")
      } catch let error as GraphError {
        #expect("\(error)".contains("\(export): \(message)"), "\(error)")
      }
    }
  }
}

/// `scan` in the expression language: `let hT, ys = scan step(h, x) { … } over xs from h0`.
@Suite struct ScanParseTests {
  static let cell = """
    var h0: 2, xs: 4x2, w
    let hT, ys = scan cell(h, x) {
      let n = tanh(h * w + x)   # w is read from the program: a closed-over value
      n, n * n + w
    } over xs from h0
    out f = sum(hT * hT) + sum(ys * [[1, 1.5], [2, 2.5], [3, 3.5], [4, 4.5]])
    """

  /// The parsed loop is the loop the Swift API builds: the same values and gradient.
  @Test func aParsedScanIsTheSwiftOne() throws {
    let parsed = try parseProgram(Self.cell, into: GraphBuilder()).graph()
    let g = GraphBuilder()
    let h0 = try g.variable("h0", [2]), xs = try g.variable("xs", [4, 2])
    let w = try g.variable("w")
    let r = try ScanFixtures.cellScan(h0, xs, w)
    let f = (r.carries[0] * r.carries[0]).sum() + (r.outputs[0] * OpRow.weights(w, [4, 2])).sum()
    let a = try parsed.gradient(wrt: ["h0", "xs", "w"]).evaluate(ScanTests.point)
    let b = try f.graph().gradient(wrt: ["h0", "xs", "w"]).evaluate(ScanTests.point)
    for (u, v) in zip(a, b) { #expect(u.scalars == v.scalars) }
    #expect(parsed.bodies.map(\.parameters) == [["h", "x", "w"]])
  }

  /// Two carries over a fixed trip count, a nested scan, and the options.
  @Test func tripCountsNestingAndOptions() throws {
    let source = """
      var u0, v0, a
      let uT, vT, us = scan step(u, v) {
        let s, ys = scan inner(p) {
          p * a, p
        } for 3 from u
        s + v * 0.1, v - 0.1 * u, sum(ys)
      } for 4 from u0, v0 checkpoint 2
      out f = uT + vT + sum(us)
      """
    let graph = try parseProgram(source, into: GraphBuilder()).graph()
    // By hand: u ← u·a³ + 0.1·v, v ← v − 0.1·u; us_t = u + u·a + u·a².
    var (u, v, total) = (0.5, -0.3, 0.0)
    let a = 1.1
    for _ in 0..<4 {
      total += u + u * a + u * a * a
      (u, v) = (u * a * a * a + v * 0.1, v - 0.1 * u)
    }
    let value = try graph.evaluate(["u0": 0.5, "v0": -0.3, "a": a])[0].scalars[0]
    #expect(abs(value - (u + v + total)) <= 1e-14)
    #expect(graph.bodies.map(\.name) == ["step", "inner"])
    let reversed = try parseProgram(
      "var xs: 3\nlet s, ys = scan acc(c, x) {\n c * 2 + x, c\n} over xs from 0 reverse\nout f = s",
      into: GraphBuilder()
    ).graph()
    #expect(
      try reversed.evaluate(["xs": Tensor(shape: [3], scalars: [1, 2, 3])])[0].scalars == [17])
  }

  @Test(arguments: [
    (
      "let a, b = scan s(c) {\n c\n} for 2 from 1", "scan s gives 1 values"
    ),
    ("let a = scan s(c, x) {\n c\n} for 2 from 1", "scan s has 2 parameters"),
    ("let a = scan s(c) {\n c + 1", "'}' closing the body of scan s opened at 1:19"),
    ("var q\nlet a = scan s(c) {\n c + zz\n} for 2 from q", "unknown name 'zz'"),
    ("let a = scan s(c) {\n c\n} from 1", "'over' and the sequences, or 'for'"),
    ("let a, b = 3", "only a scan binds several names"),
  ])
  func badScansAreParseErrors(source: String, message: String) throws {
    do {
      _ = try parseProgram(source, into: GraphBuilder()).graph()
      Issue.record("\(source) parsed")
    } catch let error as ParseError {
      #expect("\(error)".contains(message), "\(error)")
    }
  }
}

extension ScanParseTests {
  /// The listing shows each body once, after the graph, with its parameters and results.
  @Test func listingShowsTheBodyOnce() throws {
    let source = """
      var xs: 5x2, h0: 2, w
      let hT, ys = scan cell(h, x) {
        let n = tanh(h * w + x)
        n, sum(n * n)
      } over xs from h0
      out f = sum(hT) + sum(ys)
      """
    let listing = try parseProgram(source, into: GraphBuilder()).graph().listing
    #expect(
      listing.hasSuffix(
        """
        where cell = { lambda h:f64[2] x:f64[2] w:f64[] ; let
            %3:f64[2] = mul h w
            %4:f64[2] = add x %3
            %5:f64[2] = tanh %4
            %6:f64[2] = mul %5 %5
            %7:f64[] = sum_to[] %6
          in (h′=%5, y0=%7) }

        """), "\(listing)")
    #expect(listing.contains("%3:f64[7] = scan[cell,5] h0 xs w\n"))
  }
}
