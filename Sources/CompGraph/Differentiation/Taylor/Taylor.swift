import Foundation

/// The truncated Taylor series of a function along a line through a point:
/// f(x + t·v) = Σₖ cₖ tᵏ + O(tⁿ⁺¹), as `taylor(of:wrt:at:order:)` gives it.
public struct Jet: Sendable, Equatable {
  /// c₀ … cₙ: cₖ = (1/k!)·dᵏ/dtᵏ f(x + t·v) at t = 0.
  public let coefficients: [Double]

  public init(coefficients: [Double]) { self.coefficients = coefficients }

  /// The derivatives along the line, dᵏ/dtᵏ f(x + t·v) = k!·cₖ (f⁽ᵏ⁾(x) for one variable and
  /// v = 1). k! is carried in double-double arithmetic, so each is cₖ·k! rounded about once;
  /// past k = 170, k! overflows a double and a derivative may be ±∞ where cₖ is finite.
  public var derivatives: [Double] {
    var factorial = (hi: 1.0, lo: 0.0)
    return coefficients.enumerated().map { k, c in
      if k > 1 { factorial = timesExact(factorial, Double(k)) }
      return c * factorial.hi + c * factorial.lo
    }
  }
}

/// (hi + lo)·m in double-double arithmetic (`fma` recovers the product's rounding error).
private func timesExact(_ x: (hi: Double, lo: Double), _ m: Double) -> (hi: Double, lo: Double) {
  let p = x.hi * m
  let e = (x.hi * m - p).isNaN ? 0 : fma(x.hi, m, -p) + x.lo * m
  let hi = p + e
  return (hi, e - (hi - p))
}

/// The Taylor series of a scalar `f` in the scalar variable `x` at `point`, to `order`: the
/// coefficients cₖ = f⁽ᵏ⁾(x₀)/k! (`Jet.derivatives` gives f⁽ᵏ⁾(x₀)), every other variable held
/// at its value. Truncated power series are propagated through each op by the standard
/// recurrences (exp, ln, sin and cos together, tanh, √, xᶜ, division, erf, atan, …), O(n²)
/// per op for n = `order`, as JAX's `jet` does; compare `derivative(of:wrt:order:)`, the
/// symbolic tower, whose graph grows with each order.
///
///     let jet = try taylor(of: tanh(x), wrt: x, at: ["x": 0.3], order: 50)
///     jet.derivatives[10]   // tanh⁽¹⁰⁾(0.3) = −36306.46960130…
public func taylor(of f: Expr, wrt x: Expr, at point: [String: Double], order: Int) throws -> Jet {
  try taylor(
    of: f, along: [scalarVariableName(x, in: f, "taylor(of:wrt:at:order:)"): 1],
    at: point, order: order)
}

/// The Taylor series of a scalar `f` along the line t ↦ point + t·direction (the direction
/// given per variable, 0 for the others): cₖ = (1/k!)·Dᵏf(x)[v, …, v].
public func taylor(
  of f: Expr, along direction: [String: Double], at point: [String: Double], order: Int
) throws -> Jet {
  try f.graph().jet(along: direction, at: point, order: order)
}

/// The graph transform: c₀ … cₙ of `f` in the variable `x` as nodes of `f`'s arena, computing
/// the coefficients at whatever point the variables are bound to (c₀ is `f` itself). `f` and
/// `x` may have any shape (x moves along all ones); each cₖ has `f`'s shape.
public func taylor(of f: Expr, wrt x: Expr, order: Int) throws -> [Expr] {
  let id = try x.node()
  guard case .variable(let name) = x.builder.op(id) else {
    throw GraphError.unsupported("taylor: x must be a variable")
  }
  let ones = Expr(
    x.builder, x.builder.constantNode(Tensor(repeating: 1, shape: x.builder.shape(id))))
  return try taylor(of: f, along: [name: ones], order: order)
}

/// The graph transform along a direction given per variable as nodes (0 for the others):
/// c₀ … cₙ of t ↦ f(x + t·v) as nodes of `f`'s arena.
public func taylor(of f: Expr, along direction: [String: Expr], order: Int) throws -> [Expr] {
  let builder = f.builder
  let root = try f.node()
  try checkOrder(order)
  for (name, v) in direction {
    guard let variable = builder.existingVariable(name) else {
      throw GraphError.unsupported("taylor: the graph has no variable '\(name)'")
    }
    guard v.builder === builder, let shape = v.shape, shape == builder.shape(variable) else {
      throw GraphError.shapeMismatch(
        op: "taylor", shapes: [builder.shape(variable), v.shape ?? []],
        reason: "differ: the direction along '\(name)' must have its variable's shape")
    }
  }
  let algebra = GraphSeries(builder: builder)
  let series = try algebra.propagate(
    [root], in: builder, order: order,
    leaf: { id, op in
      var c: [Expr?] = [Expr(builder, id)] + Array(repeating: nil, count: order)
      if case .variable(let name) = op, order > 0 { c[1] = direction[name] }
      return c
    },
    value: { id, _, _, _ in Expr(builder, id) })[0]
  let zero = Expr(builder, builder.constantNode(Tensor(repeating: 0, shape: builder.shape(root))))
  return try series.map { c in
    let e = c ?? zero
    _ = try e.node()
    return e
  }
}

/// ∂ᵈf/∂x₁…∂x_d at `point` for scalar variables (repeats allowed: [x, x, y] is ∂³f/∂x²∂y), from
/// univariate Taylor series by polarization (Griewank, Utke and Walther 2000): with variable i
/// repeated mᵢ times, Σ over 0 ≤ aᵢ ≤ mᵢ, a ≠ 0, of (−1)^(d − |a|)·Πᵢ C(mᵢ, aᵢ)·c_d(Σᵢ aᵢ·eᵢ),
/// where c_d(u) is the d-th coefficient along u: Πᵢ(mᵢ + 1) − 1 series. One variable is
/// d!·c_d directly.
public func mixedPartial(of f: Expr, wrt xs: [Expr], at point: [String: Double]) throws -> Double {
  let names = try xs.map { try scalarVariableName($0, in: f, "mixedPartial(of:wrt:at:)") }
  let d = names.count
  guard d > 0 else { return try taylor(of: f, along: [:], at: point, order: 0).coefficients[0] }
  var distinct: [String] = []
  for name in names where !distinct.contains(name) { distinct.append(name) }
  let multiplicity = distinct.map { name in names.filter { $0 == name }.count }
  if distinct.count == 1 {
    return try taylor(of: f, along: [distinct[0]: 1], at: point, order: d).derivatives[d]
  }
  let graph = try f.graph()
  var total = 0.0
  var a = [Int](repeating: 0, count: distinct.count)
  // Every count vector a, as an odometer over 0…mᵢ.
  while true {
    var i = 0
    while i < a.count && a[i] == multiplicity[i] {
      a[i] = 0
      i += 1
    }
    if i == a.count { break }
    a[i] += 1
    var weight = Double((d - a.reduce(0, +)) % 2 == 0 ? 1 : -1)
    for (ai, mi) in zip(a, multiplicity) { weight *= binomial(mi, ai) }
    let direction = Dictionary(uniqueKeysWithValues: zip(distinct, a.map(Double.init)))
    total += weight * (try graph.jet(along: direction, at: point, order: d).coefficients[d])
  }
  return total
}

private func binomial(_ n: Int, _ k: Int) -> Double {
  (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
}

private func checkOrder(_ order: Int) throws {
  guard order >= 0 else {
    throw GraphError.unsupported("taylor: the order must be ≥ 0, got \(order)")
  }
}

/// The name of the scalar variable `x`, of `f`'s arena.
private func scalarVariableName(_ x: Expr, in f: Expr, _ function: String) throws -> String {
  let id = try x.node()
  guard x.builder === f.builder else {
    throw GraphError.unsupported("\(function): f and x belong to different builders")
  }
  guard case .variable(let name) = x.builder.op(id), x.builder.shape(id).isEmpty else {
    throw GraphError.unsupported("\(function): x must be a scalar variable")
  }
  return name
}

extension Graph {
  /// The series of the first output, a scalar, along t ↦ point + t·direction (per scalar
  /// variable; 0 for the variables it does not name): the fast path of
  /// `taylor(of:along:at:order:)` for a graph built once and expanded at many points.
  public func jet(along direction: [String: Double], at point: [String: Double], order: Int)
    throws -> Jet
  {
    guard shape(outputs[0]).elementCount == 1 else {
      throw GraphError.unsupported(
        "taylor: f must be a scalar, but it has shape \(shape(outputs[0]).shapeDescription); "
          + "Graph.taylor(along:at:order:) gives the series of every element")
    }
    if isNumeric {
      _ = try variableShapes(checking: direction.keys)
      return try Jet(coefficients: numericTaylor(along: direction, at: point, order: order)[0])
    }
    let series = try taylor(
      along: direction.mapValues { Tensor($0) }, at: point.mapValues { Tensor($0) }, order: order)
    return Jet(coefficients: series[0].map { $0.scalars[0] })
  }

  /// c₀ … cₙ of every output along t ↦ point + t·direction (the direction per variable, of its
  /// shape; 0 for the variables it does not name), each cₖ a tensor of its output's shape.
  /// A graph whose nodes are all single numbers runs the recurrences on numbers (the fast
  /// path); any other builds the coefficients' graph (`taylor(of:along:order:)`) and evaluates
  /// it. Throws for an unbound variable, a direction of the wrong shape and a custom op.
  public func taylor(along direction: [String: Tensor], at point: [String: Tensor], order: Int)
    throws -> [[Tensor]]
  {
    let shapes = try variableShapes(checking: direction.keys)
    for (name, v) in direction {
      let shape = shapes[name]!
      guard v.shape == shape || (v.scalars.count == 1 && shape.elementCount == 1) else {
        throw GraphError.shapeMismatch(
          op: "taylor", shapes: [shape, v.shape],
          reason: "differ: the direction along '\(name)' must have its variable's shape")
      }
    }
    if isNumeric {
      for (name, value) in point where value.scalars.count != 1 && shapes[name] != nil {
        throw GraphError.boundShapeMismatch(
          variable: name, declared: shapes[name]!, given: value.shape)
      }
      return try numericTaylor(
        along: direction.mapValues { $0.scalars[0] }, at: point.mapValues { $0.scalars[0] },
        order: order
      ).map { output in output.map { Tensor($0) } }
    }
    let builder = GraphBuilder(self)
    let coefficients = try outputs.map { y in
      try CompGraph.taylor(
        of: builder.expr(y),
        along: Dictionary(
          uniqueKeysWithValues: direction.map { name, v in
            (
              name,
              builder.expr(builder.constantNode(Tensor(shape: shapes[name]!, scalars: v.scalars)))
            )
          }), order: order)
    }
    let all = builder.graph(outputs: try coefficients.flatMap { try $0.map { try $0.node() } })
    let values = try all.evaluate(point)
    return outputs.indices.map { Array(values[($0 * (order + 1))..<(($0 + 1) * (order + 1))]) }
  }

  /// The variables' shapes by name; throws for a direction along a name that is not a variable.
  private func variableShapes(checking names: some Collection<String>) throws -> [String: Shape] {
    let shapes = Dictionary(variables.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
    for name in names where shapes[name] == nil {
      let known = variables.map { "'\($0.name)'" }.joined(separator: ", ")
      throw GraphError.unsupported(
        "taylor: the graph has no variable '\(name)'"
          + (known.isEmpty ? "" : " (its variables are \(known))"))
    }
    return shapes
  }

  /// The recurrences on numbers, for a graph of single numbers (a point binding a variable
  /// to anything but one number is refused by `evaluate`'s error).
  private func numericTaylor(
    along direction: [String: Double], at point: [String: Double], order: Int
  )
    throws -> [[Double]]
  {
    try checkOrder(order)
    let algebra = NumericSeries()
    let series = try algebra.propagate(
      outputs, in: self, order: order,
      leaf: { id, op in
        var c: [Double?] = Array(repeating: nil, count: order + 1)
        switch op {
        case .variable(let name):
          guard let value = point[name] else { throw GraphError.unboundVariable(name) }
          c[0] = value
          if order > 0, let v = direction[name], v != 0 { c[1] = v }
        case let op:
          guard case .constant(let t) = op else {
            preconditionFailure("a leaf is a variable or a constant")
          }
          c[0] = t.scalars[0]
        }
        return c
      },
      value: { _, op, x, shape in algebra.apply(op, x, shape: shape) })
    return series.map { $0.map { $0 ?? 0 } }
  }

  /// Whether every node is one f64 number and no matrix function: the graphs the numeric path
  /// takes.
  private var isNumeric: Bool {
    (0..<nodeCount).allSatisfy {
      nodes.shapes[$0].elementCount == 1 && nodes.types[$0].dtype == .f64
        && nodes.ops[$0].matrixFunction == nil
    }
  }
}
