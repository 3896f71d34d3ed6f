/// A parsed operand: a handle, and its value when it is made of number
/// literals only (`2`, `-1`, `(1/2)`), so that `x^(1/2)` and `x^-2` become the
/// constant-exponent power.  Literal arithmetic is still built as nodes
/// (`2*3` stays a product; folding it is the simplifier's job).
struct Operand {
  let expr: Expr
  let value: Double?

  init(_ expr: Expr, value: Double? = nil) {
    self.expr = expr
    self.value = value
  }

  /// A number literal: a scalar constant node.
  static func number(_ value: Double, in builder: GraphBuilder) -> Operand {
    Operand(builder.constant(value), value: value)
  }

  /// The value when this operand is a single constant node (a number,
  /// possibly negated): then the operators read it as Swift reads a literal,
  /// so `x - 2` is `x + (-2)` and `x / 2` is `x · 0.5`, as `x - 2.0` and
  /// `x / 2.0` build in Swift.
  private var number: Double? {
    guard let id = try? expr.node(), case .constant = expr.builder.op(id) else { return nil }
    return value
  }

  /// `-a`; the negation of a number is the negative number.
  func negated() -> Operand {
    if let number { return .number(-number, in: expr.builder) }
    return Operand(-expr, value: value.map { -$0 })
  }

  /// `self op rhs`.
  func applying(_ op: BinaryOperator, _ rhs: Operand) -> Operand {
    switch op {
    case .add:
      return Operand(expr + rhs.expr, value: combine(rhs, +))
    case .subtract:
      let difference = rhs.number.map { expr - $0 } ?? expr - rhs.expr
      return Operand(difference, value: combine(rhs, -))
    case .multiply:
      return Operand(expr * rhs.expr, value: combine(rhs, *))
    case .divide:
      let quotient = rhs.number.map { expr / $0 } ?? expr / rhs.expr
      return Operand(quotient, value: combine(rhs, /))
    case .power:
      return raised(to: rhs)
    case .compare(let comparison):
      return Operand(Expr.apply(comparison.op, [expr, rhs.expr]))
    }
  }

  /// `self ^ exponent`: `pow(x, c)` (the constant-exponent op) when the
  /// exponent is literal, else the `power` op `x^y`.
  func raised(to exponent: Operand) -> Operand {
    let value = combine(exponent, powExact)
    if let c = exponent.value { return Operand(pow(expr, c), value: value) }
    return Operand(pow(expr, exponent.expr))
  }

  private func combine(_ rhs: Operand, _ f: (Double, Double) -> Double) -> Double? {
    guard let a = value, let b = rhs.value else { return nil }
    return f(a, b)
  }
}
