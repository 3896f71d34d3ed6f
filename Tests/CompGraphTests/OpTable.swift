import Foundation
import Testing

@testable import CompGraph

/// One row per op kind, behind an exhaustive switch (ARCHITECTURE.md invariant 5): adding a
/// case to `Op` fails to build here until the new op has a domain, sample points and the
/// expressions its checks run on.
struct OpRow {
  /// Where the op (as `direct` uses it) is defined and smooth, in words.
  let domain: String
  /// Points (x, y) inside the domain, where derivatives to order 3 exist.
  let points: [(Double, Double)]
  /// The op applied to the scalar variables x and y (leaves: the leaf
  /// itself), one expression per parameter tried; `nil` for ops that only
  /// exist on tensors (`Program` compiles scalar graphs; `AxisTests` checks
  /// their values).
  let direct: ((Expr, Expr) -> [Expr])?
  /// An expression whose derivatives to order 3 exercise the op's rule;
  /// tensor ops get tensors built from x and y.
  let composite: (Expr, Expr) -> Expr
  /// Whether the expressions hold f32 values: their derivatives are checked
  /// against the same graph in f64 (`DTypeTests`), not finite differences,
  /// which f32 rounding swamps; and the C export, which writes f64 only,
  /// refuses them.
  var holdsF32 = false

  init(
    _ domain: String, _ points: [(Double, Double)], direct: @escaping (Expr, Expr) -> [Expr],
    composite: ((Expr, Expr) -> Expr)? = nil
  ) {
    self.domain = domain
    self.points = points
    self.direct = direct
    self.composite = composite ?? { x, y in sum(direct(x, y)) * (1 + y * x) }
  }

  /// A tensor-only op: checked through `composite` alone.
  init(_ domain: String, tensorOnly composite: @escaping (Expr, Expr) -> Expr) {
    self.domain = domain
    self.points = Self.interior
    self.direct = nil
    self.composite = composite
  }

  /// An op whose expressions hold f32 values (`holdsF32`), built from f64
  /// variables x and y.
  init(
    _ domain: String, _ points: [(Double, Double)], f32 composite: @escaping (Expr, Expr) -> Expr
  ) {
    self.domain = domain
    self.points = points
    self.direct = nil
    self.composite = composite
    self.holdsF32 = true
  }

  /// x·[1, 2, −1] + y·[½, −1, 2]: a vector with distinct entries at the
  /// interior points.
  static func vector(_ x: Expr, _ y: Expr) -> Expr {
    x * x.builder.constant(Tensor(shape: [3], scalars: [1, 2, -1]))
      + y * y.builder.constant(Tensor(shape: [3], scalars: [0.5, -1, 2]))
  }

  static let interior = [(0.3, 0.7), (-1.2, 0.4), (2.0, -1.5)]
  static let positive = [(0.3, 0.7), (1.7, 0.4), (2.0, 1.5)]
  static let unit = [(0.3, 0.7), (-0.6, 0.4), (0.8, -0.5)]

  static func row(_ kind: Op.Kind) -> OpRow {
    switch kind {
    case .variable: OpRow("all x", interior, direct: { x, _ in [x] })
    case .constant:
      OpRow("all x", interior, direct: { x, _ in [x.constant(2.5) * x] })
    case .add: OpRow("all x, y", interior, direct: { x, y in [x + y, x + y + x] })
    case .mul: OpRow("all x, y", interior, direct: { x, y in [x * y, x * y * x] })
    case .pow:
      OpRow(
        "x > 0 for fractional c, all x for integer c", positive,
        direct: { x, _ in [0, 1, 2, 3, -1, -2, 0.5, -0.5, 7, -1.5].map { pow(x, $0) } })
    case .power:
      OpRow("x > 0 (x < 0 for integer y)", positive, direct: { x, y in [pow(x, y)] })
    case .exp: OpRow("all x", interior, direct: { x, _ in [exp(x)] })
    case .ln: OpRow("x > 0", positive, direct: { x, _ in [ln(x)] })
    case .sqrt: OpRow("x > 0", positive, direct: { x, _ in [sqrt(x)] })
    case .sin: OpRow("all x", interior, direct: { x, _ in [sin(x)] })
    case .cos: OpRow("all x", interior, direct: { x, _ in [cos(x)] })
    case .tanh: OpRow("all x", interior, direct: { x, _ in [tanh(x)] })
    case .abs: OpRow("x ≠ 0", interior, direct: { x, _ in [abs(x)] })
    case .sign: OpRow("x ≠ 0", interior, direct: { x, _ in [sign(x)] })
    case .maximum:
      OpRow("x ≠ y", interior, direct: { x, y in [max(x, y), max(y, x), relu(x)] })
    case .minimum: OpRow("x ≠ y", interior, direct: { x, y in [min(x, y), min(y, x)] })
    case .less: OpRow("x ≠ y", interior, direct: { x, y in [less(x, y)] })
    case .lessEqual: OpRow("x ≠ y", interior, direct: { x, y in [lessEqual(x, y)] })
    case .greater: OpRow("x ≠ y", interior, direct: { x, y in [greater(x, y)] })
    case .greaterEqual: OpRow("x ≠ y", interior, direct: { x, y in [greaterEqual(x, y)] })
    case .equal: OpRow("x ≠ y", interior, direct: { x, y in [equal(x, y)] })
    case .select:
      OpRow(
        "all x, y", interior, direct: { x, y in [select(x, x, y), select(y, x * x, y)] },
        composite: { x, y in select(greater(x, y), x * x * y, sin(x) * y) + select(x, y, x) })
    case .tan: OpRow("|x| < π/2", unit, direct: { x, _ in [tan(x)] })
    case .atan: OpRow("all x", interior, direct: { x, _ in [atan(x)] })
    case .asin: OpRow("|x| < 1", unit, direct: { x, _ in [asin(x)] })
    case .acos: OpRow("|x| < 1", unit, direct: { x, _ in [acos(x)] })
    case .sinh: OpRow("all x", interior, direct: { x, _ in [sinh(x)] })
    case .cosh: OpRow("all x", interior, direct: { x, _ in [cosh(x)] })
    case .erf: OpRow("all x", interior, direct: { x, _ in [erf(x)] })
    case .log1p: OpRow("x > −1", unit, direct: { x, _ in [log1p(x)] })
    case .expm1: OpRow("all x", interior, direct: { x, _ in [expm1(x)] })
    case .cbrt: OpRow("x ≠ 0", interior, direct: { x, _ in [cbrt(x)] })
    case .atan2: OpRow("(x, y) ≠ (0, 0)", interior, direct: { x, y in [atan2(x, y)] })
    case .einsum:
      OpRow(
        "all x, y", interior, direct: { x, y in [einsum(",->", x, y)] },
        composite: { x, y in
          let a =
            x.broadcast(to: [3]) * x.builder.constant(Tensor(shape: [3], scalars: [1, -2, 3]))
          return einsum("i,i->", a * a, y.broadcast(to: [3]) * a)
        })
    case .sumTo:
      OpRow(
        "all x", interior, direct: { x, _ in [x.sum(to: [])] },
        composite: { x, y in
          let a =
            x.broadcast(to: [2, 3]) * x.builder.constant(Tensor(shape: [3], scalars: [1, -2, 3]))
          return (a * a * y).sum(to: [2, 1]).sum(to: [])
        })
    case .broadcastTo:
      OpRow(
        "all x", interior, direct: { x, _ in [x.broadcast(to: [])] },
        composite: { x, y in (x.broadcast(to: [2]) * y).sum() * x })
    case .reshape:
      OpRow(
        "all x", interior, direct: { x, _ in [reshape(x, [])] },
        composite: { x, y in
          let m = reshape(vector(x, y), [3, 1]) * reshape(vector(y, x), [1, 3])
          return (reshape(m, [9]) * reshape(m, [9])).sum()
        })
    case .reduceMax:
      OpRow("no tied maxima", tensorOnly: { x, y in amax(vector(x, y), axis: 0) * (1 + x * y) })
    case .slice:
      OpRow(
        "all x, y",
        tensorOnly: { x, y in pow(slice(vector(x, y), axis: 0, start: 1, end: 3), 3).sum() })
    case .pad:
      OpRow(
        "all x, y",
        tensorOnly: { x, y in
          let weights = x.builder.constant(Tensor(shape: [6], scalars: [1, -2, 3, 4, -5, 6]))
          return (pow(pad(vector(x, y), axis: 0, before: 1, after: 2), 2) * weights).sum()
        })
    case .custom:
      OpRow("all x", interior, direct: { x, _ in [UserDefinedOps.sinc(x)] })
    case .oneHot:
      OpRow(
        "integer indices",
        tensorOnly: { x, y in
          let indices = x.builder.constant(Tensor(shape: [2], scalars: [2, 0])) + x * 0
          return (oneHot(indices, 3) * vector(x, y).broadcast(to: [2, 3]) * y).sum()
        })
    case .patches:  // the taps of 3 windows of 2 over x·v, one zero of padding before it
      OpRow(
        "all x, y",
        tensorOnly: { x, y in
          (pow(patches(vector(x, y), kernel: [2], pads: [1, 0]), 3) * weights(x, [2, 3])).sum()
        })
    case .unpatches:  // overlapping windows of 2 summed onto 4 positions
      OpRow(
        "all x, y",
        tensorOnly: { x, y in
          let columns = vector(x, y).broadcast(to: [2, 3]) * weights(y, [2, 3])
          return (pow(unpatches(columns, size: [4], kernel: [2]), 3) * weights(x, [4])).sum()
        })
    case .cast:
      OpRow(
        "all x", interior,
        f32: { x, y in cast(sin(cast(x, .f32)) * cast(y, .f32) + x, .f32) * y })
    case .solve:
      OpRow(
        "regular A",
        tensorOnly: { x, y in
          let b = matrix(
            x, y, [1, -1, 2, 0.5, 0, 3], [0, 1, 0, 0, 1, -1], [2, 0, 1, 1, 0, 0], [2, 3])
          return (solve(regular(x, y), b) * weights(x, [2, 3])).sum()
        })
    case .inverse:
      OpRow("regular A", tensorOnly: { x, y in (inv(regular(x, y)) * weights(x, [2, 2])).sum() })
    case .determinant:
      OpRow("all x, y", tensorOnly: { x, y in det(regular(x, y)) * (1 + x * y) })
    case .cholesky:  // of a matrix that is not symmetric: the factor of its symmetric part
      OpRow(
        "½(A + Aᵀ) positive definite",
        tensorOnly: { x, y in (cholesky(positiveDefinite(x, y)) * weights(x, [2, 2])).sum() })
    case .triangularSolve:
      OpRow(
        "a regular triangle",
        tensorOnly: { x, y in
          let l = matrix(x, y, [2, 5, -1, 3], [1, 0, 1, 0.5], [0.5, 2, 0, -1], [2, 2])
          let b = matrix(
            x, y, [1, 2, -1, 0.5, 1, 0], [0, 1, 2, -1, 0, 1], [1, 0, 0, 2, 1, 1], [2, 3])
          var total = x.constant(0)
          for (lower, transpose) in [(true, false), (true, true), (false, false), (false, true)] {
            total =
              total
              + (triangularSolve(l, b, lower: lower, transpose: transpose) * weights(x, [2, 3]))
              .sum()
          }
          return total
        })
    case .logdet:
      OpRow(
        "½(A + Aᵀ) positive definite",
        tensorOnly: { x, y in logdet(positiveDefinite(x, y)) * (1 + y) })
    case .scan:
      OpRow("all x, y", tensorOnly: { x, y in ScanFixtures.cell(x, y) })
    }
  }

  /// c₀ + x·c₁ + y·c₂ + x·y·c₁c₂ (elementwise products of the constants): a tensor of `shape`
  /// whose entries are distinct polynomials in x and y.
  static func matrix(
    _ x: Expr, _ y: Expr, _ c0: [Double], _ c1: [Double], _ c2: [Double], _ shape: Shape
  ) -> Expr {
    let g = x.builder
    let c12 = zip(c1, c2).map(*)
    return g.constant(Tensor(shape: shape, scalars: c0))
      + x * g.constant(Tensor(shape: shape, scalars: c1))
      + y * g.constant(Tensor(shape: shape, scalars: c2))
      + x * y * g.constant(Tensor(shape: shape, scalars: c12))
  }

  /// A 2×2 matrix regular at the interior points (its determinant stays away from 0).
  static func regular(_ x: Expr, _ y: Expr) -> Expr {
    matrix(x, y, [4, 1, -1, 3], [1, 0.5, 0, -0.5], [0, 1, 0.5, 1], [2, 2])
  }

  /// A 2×2 matrix, not symmetric, whose symmetric part is positive definite at the interior
  /// points.
  static func positiveDefinite(_ x: Expr, _ y: Expr) -> Expr {
    matrix(x, y, [6, 1, 0.5, 5], [0.5, 0.5, -0.5, 0.2], [0.3, 0, 0.5, 0.5], [2, 2])
  }

  /// Distinct weights for a tensor of `shape`, so that a sum of its entries sees each.
  static func weights(_ x: Expr, _ shape: Shape) -> Expr {
    x.builder.constant(
      Tensor(shape: shape, scalars: (0..<shape.elementCount).map { 1 + 0.5 * Double($0) }))
  }
}

/// The per-op checks, run for every `Op.Kind`.
@Suite struct OpTableTests {
  /// Values the compiled program must get exactly as the reference evaluator
  /// does: signed zeros, infinities, NaN, huge magnitudes and interior points.
  static let edges: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1e300, -1e300, 0.5, -2.5, 3]

  /// ARCHITECTURE.md invariant 4: every op's derivative is written with ops of the set, so
  /// derivatives of derivatives (to order 3) exist and match finite differences.
  @Test(arguments: Op.Kind.allCases)
  func derivativesToOrderThreeMatchFiniteDifferences(_ kind: Op.Kind) throws {
    let row = OpRow.row(kind)
    guard !row.holdsF32 else { return }  // against f64 in `DTypeTests`
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f = row.composite(x, y)
    for (px, py) in row.points {
      let report = try checkGradients(of: f, at: ["x": Tensor(px), "y": Tensor(py)], order: 3)
      #expect(
        report.worstRelativeError < 1e-6, "\(kind) on \(row.domain), at (\(px), \(py)): \(report)")
    }
    _ = try checked([f] + CompGraph.gradient(of: f, wrt: [x, y]))
  }

  @Test(arguments: Op.Kind.allCases)
  func programMatchesTheReferenceEvaluatorAtEdges(_ kind: Op.Kind) throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    guard let direct = OpRow.row(kind).direct else { return }  // tensor-only: no Program
    let outputs = direct(x, y)
    let graph = try outputs[0].graph(
      names: outputs.indices.map { "y\($0)" }, with: Array(outputs.dropFirst()))
    let program = try Program(graph)
    let pairs = Self.edges.flatMap { a in Self.edges.map { b in (a, b) } }
    let columns = program.inputNames.map { name in pairs.map { name == "x" ? $0.0 : $0.1 } }
    let batch = try program.evaluate(batch: columns, count: pairs.count)
    for (i, (a, b)) in pairs.enumerated() {
      let point: [String: Double] = ["x": a, "y": b]
      let reference = try graph.evaluate(point).map { $0.scalars[0] }
      let compiled = try program.evaluate(point)
      for k in reference.indices {
        #expect(
          Self.same(compiled[k], reference[k]),
          "\(kind) output \(k) at x=\(a), y=\(b): point \(compiled[k]), reference \(reference[k])")
        let lane = batch[k][k * pairs.count + i]
        #expect(
          Self.same(lane, reference[k]),
          "\(kind) output \(k) at x=\(a), y=\(b): batch \(lane), reference \(reference[k])")
      }
    }
  }

  /// Equal as numbers (NaN equals NaN, signs of zero and infinity count), to
  /// 2e-15 relative for the vectorised kernels' exp, ln and tanh.
  static func same(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a == 0 && b == 0 { return a.sign == b.sign }
    if !a.isFinite || !b.isFinite { return a == b }
    return abs(a - b) <= 2e-15 * abs(b)
  }
}

extension OpTableTests {
  /// Every table keyed by kind derives from `Op.Kind`: names are distinct,
  /// and each kind called by name parses to its op.
  @Test func kindsHaveDistinctNamesAndCallableOnesParse() throws {
    let names = Op.Kind.allCases.map(\.name)
    #expect(Set(names).count == names.count)
    for kind in Op.Kind.allCases {
      guard let op = kind.callable else { continue }
      #expect(op.kind == kind)
      let arguments = (0..<op.info.arity.minimum).map { "x\($0)" }.joined(separator: ", ")
      // Matrix functions take 2×2 matrices.
      let declarations: [String: Shape] =
        kind.category == .linearAlgebra ? ["x0": [2, 2], "x1": [2, 2]] : [:]
      let graph = try parseProgram(
        "\(kind.name)(\(arguments))", declarations: declarations, into: GraphBuilder()
      ).graph()
      #expect(graph.op(graph.outputs[0]) == op, "\(kind.name)")
    }
  }
}
