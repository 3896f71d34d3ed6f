import Foundation

/// The arithmetic a truncated power series is computed in: the recurrences of Taylor mode
/// (`SeriesRecurrences.swift`, `TaylorRules.swift`) are written once over it, and run on
/// numbers (`NumericSeries`, the fast path at a point) or on graph nodes (`GraphSeries`,
/// the graph transform whose outputs are the coefficients at any point).
///
/// A coefficient is a `Value` or `nil`, an exact zero: a variable's series x₀ + t·v has `nil`
/// from c₂ on, and the recurrences skip those terms instead of multiplying by 0 (in a graph,
/// no zero node is built; ARCHITECTURE.md invariant 6).
protocol SeriesAlgebra {
  associatedtype Value
  /// A running sum of terms (a number, or the terms of one n-ary sum node).
  associatedtype Sum

  /// c as a value.
  func constant(_ c: Double) -> Value
  func add(_ a: Value, _ b: Value) -> Value
  func multiply(_ a: Value, _ b: Value) -> Value
  /// c·a.
  func scale(_ c: Double, _ a: Value) -> Value
  /// a / b.
  func divide(_ a: Value, _ b: Value) -> Value
  /// The op applied to values: a series' c₀, a mask from the c₀ of a condition, and a linear
  /// op (sum_to, broadcast_to, reshape, slice, pad, einsum in one operand) applied to one
  /// coefficient.
  func apply(_ op: Op, _ x: [Value], shape: Shape) -> Value
  /// The value as a number when it is one known before evaluation (a constant node).
  func number(_ v: Value) -> Double?
  /// Each coefficient broadcast to `shape` (a coefficient of a broadcasting op that came from
  /// one operand has that operand's shape).
  func conformed(_ series: [Value?], to shape: Shape) -> [Value?]
  /// The derivative of max along `axis` in the direction `tangent`: the tangent's elements at
  /// the maxima of `x` (shared equally among ties, as `localDerivative` does), `y` = max x.
  func maxTangent(_ x: Value, _ y: Value, _ tangent: Value, axis: Int) -> Value

  func emptySum() -> Sum
  func accumulate(_ sum: inout Sum, _ term: Value)
  /// The sum, or `nil` when no term was added.
  func total(_ sum: Sum) -> Value?
}

extension SeriesAlgebra {
  /// a − b.
  func subtract(_ a: Value, _ b: Value) -> Value { add(a, scale(-1, b)) }

  /// Adds c·a·b to `sum` (nothing when a or b is an exact zero).
  func accumulate(_ sum: inout Sum, _ c: Double, _ a: Value?, _ b: Value?) {
    guard let a, let b else { return }
    accumulate(&sum, c == 1 ? multiply(a, b) : scale(c, multiply(a, b)))
  }
}

/// Series of numbers: one element of a graph whose nodes are all single numbers.
struct NumericSeries: SeriesAlgebra {
  func constant(_ c: Double) -> Double { c }
  func add(_ a: Double, _ b: Double) -> Double { a + b }
  func multiply(_ a: Double, _ b: Double) -> Double { a * b }
  func scale(_ c: Double, _ a: Double) -> Double { c * a }
  func divide(_ a: Double, _ b: Double) -> Double { a / b }

  /// Every node has one element here, so a layout op is the identity and an einsum the
  /// product of its operands.
  func apply(_ op: Op, _ x: [Double], shape: Shape) -> Double {
    switch op.structure {
    case .einsum: return x.reduce(1, *)
    case .sumTo, .broadcastTo, .reshape, .reduceMax, .slice, .pad: return x[0]
    case .oneHot, .patches, .unpatches, nil: return op.apply(x.map { Tensor($0) }, shape: shape).scalars[0]
    case .matrix: preconditionFailure("graphs with matrix functions take the graph path")
    case .scan: preconditionFailure("a scan's node is a vector: its graph takes the graph path")
    }
  }

  func number(_ v: Double) -> Double? { v }
  func conformed(_ series: [Double?], to shape: Shape) -> [Double?] { series }
  func maxTangent(_ x: Double, _ y: Double, _ tangent: Double, axis: Int) -> Double { tangent }

  func emptySum() -> (Double, Bool) { (0, false) }
  func accumulate(_ sum: inout (Double, Bool), _ term: Double) { sum = (sum.0 + term, true) }
  func total(_ sum: (Double, Bool)) -> Double? { sum.1 ? sum.0 : nil }
}

/// Series of graph nodes: each coefficient is a node computing it from the expansion point
/// (the graph's variables) and the direction.
struct GraphSeries: SeriesAlgebra {
  let builder: GraphBuilder

  func constant(_ c: Double) -> Expr { Expr(builder, builder.constantNode(c)) }
  func add(_ a: Expr, _ b: Expr) -> Expr { a + b }
  func multiply(_ a: Expr, _ b: Expr) -> Expr { a * b }
  func scale(_ c: Double, _ a: Expr) -> Expr { c * a }
  func divide(_ a: Expr, _ b: Expr) -> Expr { a / b }
  func apply(_ op: Op, _ x: [Expr], shape: Shape) -> Expr { Expr.apply(op, x) }

  func number(_ v: Expr) -> Double? { (try? v.node()).flatMap(builder.scalarConstant) }

  func conformed(_ series: [Expr?], to shape: Shape) -> [Expr?] {
    series.map { $0.map { $0.shape == shape ? $0 : $0.broadcast(to: shape) } }
  }

  func maxTangent(_ x: Expr, _ y: Expr, _ tangent: Expr, axis: Int) -> Expr {
    CompGraph.sum(argmaxWeights(x, y, axis: axis) * tangent, axis: axis)
  }

  func emptySum() -> [Expr] { [] }
  func accumulate(_ sum: inout [Expr], _ term: Expr) { sum.append(term) }
  func total(_ sum: [Expr]) -> Expr? { sum.isEmpty ? nil : CompGraph.sum(sum) }
}
