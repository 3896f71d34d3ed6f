import Foundation
import Testing

@testable import CompGraph

/// The interval table (`Op.image`) encloses what the evaluator computes, op
/// by op, and the interval arithmetic under it rounds outward.
@Suite struct IntervalTests {
  /// One op to check, with the shapes of its inputs, and which inputs are
  /// one node (so a product of a node with itself is a square).
  struct Case: CustomTestStringConvertible, Sendable {
    let op: Op
    var shapes: [Shape] = [[]]
    var nodes: [Int] = [0]
    var testDescription: String { "\(op.info.name) \(op.info.symbol) of \(shapes), nodes \(nodes)" }
  }

  static let cases: [Case] = [
    Case(op: .add, shapes: [[], []], nodes: [0, 1]),
    Case(op: .add, shapes: [[], [], []], nodes: [0, 1, 2]),
    Case(op: .mul, shapes: [[], []], nodes: [0, 1]),
    Case(op: .mul, shapes: [[], []], nodes: [0, 0]),
    Case(op: .mul, shapes: [[], [], []], nodes: [0, 1, 0]),
    Case(op: .pow(2)), Case(op: .pow(3)), Case(op: .pow(-1)), Case(op: .pow(-2)),
    Case(op: .pow(0.5)), Case(op: .pow(-0.5)), Case(op: .pow(1.5)), Case(op: .pow(0)),
    Case(op: .pow(70)), Case(op: .pow(-71)),
    Case(op: .exp), Case(op: .ln), Case(op: .sqrt), Case(op: .sin), Case(op: .cos),
    Case(op: .tanh),
    Case(op: .power, shapes: [[], []], nodes: [0, 1]),
    Case(op: .abs), Case(op: .sign),
    Case(op: .maximum, shapes: [[], []], nodes: [0, 1]),
    Case(op: .minimum, shapes: [[], []], nodes: [0, 1]),
    Case(op: .less, shapes: [[], []], nodes: [0, 1]),
    Case(op: .lessEqual, shapes: [[], []], nodes: [0, 1]),
    Case(op: .greater, shapes: [[], []], nodes: [0, 1]),
    Case(op: .greaterEqual, shapes: [[], []], nodes: [0, 1]),
    Case(op: .equal, shapes: [[], []], nodes: [0, 0]),
    Case(op: .select, shapes: [[], [], []], nodes: [0, 1, 2]),
    Case(op: .tan), Case(op: .atan), Case(op: .asin), Case(op: .acos), Case(op: .sinh),
    Case(op: .cosh), Case(op: .erf), Case(op: .log1p), Case(op: .expm1), Case(op: .cbrt),
    Case(op: .reshape([3, 2]), shapes: [[2, 3]]), Case(op: .reduceMax(axis: 1), shapes: [[2, 3]]),
    Case(op: .slice(axis: 0, start: 1, end: 3), shapes: [[4]]),
    Case(op: .pad(axis: 1, before: 1, after: 2), shapes: [[2, 2]]),
    Case(op: .oneHot(3), shapes: [[2]]),
    Case(
      op: .patches(
        Window(
          axis: 1, size: [4], kernel: [2], strides: [2], padsBegin: [1], padsEnd: [0],
          dilations: [1])), shapes: [[2, 4]]),
    Case(
      op: .unpatches(
        Window(
          axis: 0, size: [4], kernel: [3], strides: [1], padsBegin: [1], padsEnd: [1],
          dilations: [1])), shapes: [[3, 4]]),
    Case(op: .cast(.f32)), Case(op: .cast(.f64)),
    Case(
      op: .einsum(EinsumSpec(operands: [[0, 1], [1, 2]], output: [0, 2])),
      shapes: [[2, 3], [3, 2]],
      nodes: [0, 1]),
    Case(
      op: .einsum(EinsumSpec(operands: [[0], [0]], output: [])), shapes: [[3], [3]], nodes: [0, 0]),
    Case(op: .sumTo([]), shapes: [[4]]),
    Case(op: .sumTo([3]), shapes: [[2, 3]]),
    Case(op: .broadcastTo([2, 3]), shapes: [[3]]),
    Case(op: .custom(UserDefinedOps.sinc)),
    Case(op: .atan2, shapes: [[], []], nodes: [0, 1]),
    Case(op: .solve, shapes: [[2, 2], [2, 3]], nodes: [0, 1]),
    Case(op: .inverse, shapes: [[3, 3]]),
    Case(op: .determinant, shapes: [[2, 3, 3]]), Case(op: .cholesky, shapes: [[3, 3]]),
    Case(
      op: .triangularSolve(lower: true, transpose: false), shapes: [[2, 2], [2, 1]], nodes: [0, 1]),
    Case(op: .logdet, shapes: [[2, 2]]),
    Case(op: ScanFixtures.cellOp, shapes: [[2], [3, 2], []], nodes: [0, 1, 2]),
  ]

  /// The inputs to sample for an op: its domain and beyond, where it
  /// overflows or is undefined.
  static func inputRange(_ op: Op) -> Interval {
    switch op {
    case .variable, .constant: Interval(0)
    case .add, .mul, .tanh, .einsum, .sumTo, .broadcastTo, .abs, .sign, .maximum, .minimum, .less,
      .lessEqual, .greater, .greaterEqual, .equal, .select, .atan, .erf, .reshape, .reduceMax,
      .slice, .pad, .atan2, .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet,
      .scan, .patches, .unpatches:
      Interval(-5, 5)
    case .oneHot: Interval(-1, 4)  // indices in and out of range
    case .cast: Interval(-1e39, 1e39)  // past f32's largest, 3.4e38
    case .pow, .power: Interval(-3, 3)
    case .tan: Interval(-3, 3)  // across the poles at ±π/2
    case .asin, .acos, .log1p: Interval(-2, 2)
    case .cbrt: Interval(-30, 30)
    case .sinh, .cosh, .expm1: Interval(-800, 800)
    case .sin, .cos, .custom: Interval(-10, 10)
    case .exp: Interval(-800, 800)
    case .ln, .sqrt: Interval(-1, 4)
    }
  }

  @Test(arguments: cases) func imageHoldsEveryValueTheEvaluatorComputes(_ c: Case) throws {
    var rng = SplitMix64(seed: 9)
    let range = Self.inputRange(c.op)
    func point(in r: Interval) -> Double {
      switch Int.random(in: 0..<6, using: &rng) {
      case 0: r.lower
      case 1: r.upper
      case 2 where r.contains(0): 0
      default: Double.random(in: r.lower...r.upper, using: &rng)
      }
    }
    let nodeCount = (c.nodes.max() ?? 0) + 1
    for _ in 0..<300 {
      // Random input intervals: a point, or a piece of the range.
      let intervals = (0..<nodeCount).map { _ -> Interval in
        let a = point(in: range), b = point(in: range)
        return Bool.random(using: &rng) ? Interval(a) : Interval(min(a, b), max(a, b))
      }
      let x = c.nodes.map { intervals[$0] }
      let image = c.op.image(of: x, inputs: c.nodes.map(NodeID.init), shapes: c.shapes)
      for _ in 0..<20 {
        let values = (0..<nodeCount).map { node in
          c.shapes[c.nodes.firstIndex(of: node)!].elementCount
        }.enumerated().map { node, count in (0..<count).map { _ in point(in: intervals[node]) } }
        let inputs = zip(c.nodes, c.shapes).map { Tensor(shape: $1, scalars: values[$0]) }
        let shape = try c.op.outputShape(c.shapes)
        // The image holds the exact values; the evaluator's are a few
        // roundings (ulps) from them.
        for y in c.op.apply(inputs, shape: shape).scalars where !y.isNaN {
          let ulps = 4e-16 * abs(y)
          #expect(
            (image + Interval(-ulps, ulps)).contains(y),
            "\(c.op.info.name) of \(x) = \(y), outside \(image)")
        }
      }
    }
  }

  @Test func sumsAndProductsRoundOutward() {
    let sum = Interval(0.1) + Interval(0.2)  // 0.1 + 0.2 is not 0.30000000000000004
    #expect(sum.lower < sum.upper)
    #expect(sum.contains(0.1 + 0.2))
    #expect(Interval(0.5) + Interval(0.25) == Interval(0.75))  // exact stays a point
    let product = Interval(0.1) * Interval(3)
    #expect(product.lower < product.upper)
    #expect(Interval(-2, 3) * Interval(4, 5) == Interval(-10, 15))
    #expect(Interval(0, 1) * Interval(1, .infinity) == Interval(0, .infinity))  // 0·∞ = 0
  }

  @Test func powersKeepTheirSign() {
    #expect(Interval(-1, 2).power(2) == Interval(0, 4))
    #expect(Interval(-3, -2).power(2) == Interval(4, 9))
    #expect(Interval(-2, 1).power(3) == Interval(-8, 1))
    #expect(Interval(-1, 2).power(-2) == Interval(0.25.nextDown, .infinity))
    #expect(Interval(-1, 2).power(-1) == .whole)
    #expect(Interval(0, 4).power(-1) == .whole)  // 1/−0 = −∞
    #expect(Interval(-4, -1).power(0.5).isEmpty)
    #expect(Interval(-4, 4).power(0.5).lower == 0)
  }

  @Test func sineFindsItsCrestsAndTroughs() {
    func image(_ op: Op, _ x: Interval) -> Interval {
      op.image(of: [x], inputs: [NodeID(0)], shapes: [[]])
    }
    #expect(image(.sin, Interval(0, 2)).upper == 1)
    #expect(image(.sin, Interval(0, 1)).lower == 0)  // sin 0 = 0 exactly
    #expect(image(.cos, Interval(3, 4)).lower == -1)
    #expect(image(.cos, Interval(-1e20, 1)) == Interval(-1, 1))
    #expect(image(.cos, Interval(0.5, 1)).upper < 1)
  }
}
