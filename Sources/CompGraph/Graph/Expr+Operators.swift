import Foundation

/// Arithmetic on handles.  Subtraction, negation and division are sugar:
///
///     a − b = a + (−1)·b        −a = (−1)·a        a / b = a · b^(−1)
extension Expr {
  public static func + (a: Expr, b: Expr) -> Expr { apply(.add, [a, b]) }
  public static func + (a: Expr, b: Double) -> Expr { a + a.constant(b) }
  public static func + (a: Double, b: Expr) -> Expr { b.constant(a) + b }

  public static func * (a: Expr, b: Expr) -> Expr { apply(.mul, [a, b]) }
  public static func * (a: Expr, b: Double) -> Expr { a * a.constant(b) }
  public static func * (a: Double, b: Expr) -> Expr { b.constant(a) * b }

  public static prefix func - (a: Expr) -> Expr { a.constant(-1) * a }

  public static func - (a: Expr, b: Expr) -> Expr { a + -b }
  public static func - (a: Expr, b: Double) -> Expr { a + a.constant(-b) }
  public static func - (a: Double, b: Expr) -> Expr { b.constant(a) + -b }

  public static func / (a: Expr, b: Expr) -> Expr { a * pow(b, -1) }
  public static func / (a: Expr, b: Double) -> Expr { a * a.constant(1 / b) }
  public static func / (a: Double, b: Expr) -> Expr { b.constant(a) * pow(b, -1) }

  public static func += (a: inout Expr, b: Expr) { a = a + b }
  public static func *= (a: inout Expr, b: Expr) { a = a * b }
}

/// `x^c` for a constant exponent: exact for integer `c` and negative `x`.
public func pow(_ x: Expr, _ c: Double) -> Expr {
  c == 1 ? x : Expr.apply(.pow(c), [x])
}

/// `x^y` with a non-constant exponent, broadcasting: exact for integer `y`
/// (also for negative `x`: (−2)³ = −8), NaN for a fractional power of a
/// negative `x`.
public func pow(_ x: Expr, _ y: Expr) -> Expr { Expr.apply(.power, [x, y]) }

/// `c^y` for a constant base.
public func pow(_ c: Double, _ y: Expr) -> Expr { pow(y.constant(c), y) }

public func exp(_ x: Expr) -> Expr { Expr.apply(.exp, [x]) }
public func ln(_ x: Expr) -> Expr { Expr.apply(.ln, [x]) }
/// The natural logarithm (an alias of `ln`).
public func log(_ x: Expr) -> Expr { ln(x) }
public func sqrt(_ x: Expr) -> Expr { Expr.apply(.sqrt, [x]) }
public func sin(_ x: Expr) -> Expr { Expr.apply(.sin, [x]) }
public func cos(_ x: Expr) -> Expr { Expr.apply(.cos, [x]) }
public func tanh(_ x: Expr) -> Expr { Expr.apply(.tanh, [x]) }

/// σ(x) = 1 / (1 + e^(−x))
public func sigmoid(_ x: Expr) -> Expr { pow(1 + exp(-x), -1) }

/// softplus(x) = ln(1 + eˣ)
public func softplus(_ x: Expr) -> Expr { ln(1 + exp(x)) }

/// Σ terms as one n-ary sum node (a single term is itself).
public func sum(_ terms: [Expr]) -> Expr {
  precondition(!terms.isEmpty, "sum needs at least one term")
  return terms.count == 1 ? terms[0] : Expr.apply(.add, terms)
}

/// Π factors as one n-ary product node (a single factor is itself).
public func product(_ factors: [Expr]) -> Expr {
  precondition(!factors.isEmpty, "product needs at least one factor")
  return factors.count == 1 ? factors[0] : Expr.apply(.mul, factors)
}
