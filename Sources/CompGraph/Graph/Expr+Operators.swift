import Foundation

/// Arithmetic on handles.  Subtraction, negation and division are sugar:
///
///     a − b = a + (−1)·b        −a = (−1)·a        a / b = a · b^(−1)
extension Expr {
  public static func + (a: Expr, b: Expr) -> Expr { apply(.add, a, b) }
  public static func + (a: Expr, b: Double) -> Expr { a + a.constant(b) }
  public static func + (a: Double, b: Expr) -> Expr { b.constant(a) + b }

  public static func * (a: Expr, b: Expr) -> Expr { apply(.mul, a, b) }
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
  c == 1 ? x : Expr.apply(.pow(c), x)
}

/// `x^y` with a non-constant exponent, broadcasting: exact for integer `y`
/// (also for negative `x`: (−2)³ = −8), NaN for a fractional power of a
/// negative `x`.
public func pow(_ x: Expr, _ y: Expr) -> Expr { Expr.apply(.power, [x, y]) }

/// `c^y` for a constant base.
public func pow(_ c: Double, _ y: Expr) -> Expr { pow(y.constant(c), y) }

public func exp(_ x: Expr) -> Expr { Expr.apply(.exp, x) }
public func ln(_ x: Expr) -> Expr { Expr.apply(.ln, x) }
/// The natural logarithm (an alias of `ln`).
public func log(_ x: Expr) -> Expr { ln(x) }
public func sqrt(_ x: Expr) -> Expr { Expr.apply(.sqrt, x) }
public func sin(_ x: Expr) -> Expr { Expr.apply(.sin, x) }
public func cos(_ x: Expr) -> Expr { Expr.apply(.cos, x) }
public func tanh(_ x: Expr) -> Expr { Expr.apply(.tanh, x) }

/// |x|; its derivative is sign x (0 at x = 0).
public func abs(_ x: Expr) -> Expr { Expr.apply(.abs, [x]) }
/// sign x ∈ {−1, 0, 1}; derivative 0.
public func sign(_ x: Expr) -> Expr { Expr.apply(.sign, [x]) }
/// max(a, b) elementwise with broadcasting; at a tie the gradient goes to `a`.
public func max(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.maximum, [a, b]) }
public func max(_ a: Expr, _ b: Double) -> Expr { max(a, a.constant(b)) }
/// min(a, b) elementwise with broadcasting; at a tie the gradient goes to `a`.
public func min(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.minimum, [a, b]) }
public func min(_ a: Expr, _ b: Double) -> Expr { min(a, a.constant(b)) }
/// relu x = max(x, 0); its derivative is 1 for x > 0 and 0 for x ≤ 0.
public func relu(_ x: Expr) -> Expr { max(x.constant(0), x) }
/// 1 where a < b, else 0 (a mask: derivative 0).
public func less(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.less, [a, b]) }
/// 1 where a ≤ b, else 0.
public func lessEqual(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.lessEqual, [a, b]) }
/// 1 where a > b, else 0.
public func greater(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.greater, [a, b]) }
/// 1 where a ≥ b, else 0.
public func greaterEqual(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.greaterEqual, [a, b]) }
/// 1 where a = b, else 0.
public func equal(_ a: Expr, _ b: Expr) -> Expr { Expr.apply(.equal, [a, b]) }
/// where(c, a, b): `a` where c ≠ 0, else `b` (the language's `where`).  The
/// gradient of each branch is the same selection of the incoming gradient.
public func select(_ c: Expr, _ a: Expr, _ b: Expr) -> Expr { Expr.apply(.select, [c, a, b]) }
public func tan(_ x: Expr) -> Expr { Expr.apply(.tan, [x]) }
public func atan(_ x: Expr) -> Expr { Expr.apply(.atan, [x]) }
public func asin(_ x: Expr) -> Expr { Expr.apply(.asin, [x]) }
public func acos(_ x: Expr) -> Expr { Expr.apply(.acos, [x]) }
public func sinh(_ x: Expr) -> Expr { Expr.apply(.sinh, [x]) }
public func cosh(_ x: Expr) -> Expr { Expr.apply(.cosh, [x]) }
/// erf x = 2/√π ∫₀ˣ e^(−t²) dt.
public func erf(_ x: Expr) -> Expr { Expr.apply(.erf, [x]) }
/// ln(1 + x), accurate for small x.
public func log1p(_ x: Expr) -> Expr { Expr.apply(.log1p, [x]) }
/// eˣ − 1, accurate for small x.
public func expm1(_ x: Expr) -> Expr { Expr.apply(.expm1, [x]) }
/// x converted to element type `dtype`: rounded to nearest (ties to even) from f64 to f32,
/// exact from f32 to f64, x itself when it has that type already.  Its derivative converts the
/// gradient back: ∂cast(x)/∂x · ḡ = cast(ḡ, dtype of x).
public func cast(_ x: Expr, _ dtype: DType) -> Expr { Expr.apply(.cast(dtype), x) }

/// ∛x, real for negative x (∛−8 = −2); its derivative is infinite at 0.
public func cbrt(_ x: Expr) -> Expr { Expr.apply(.cbrt, [x]) }
/// atan2(y, x): the angle of the point (x, y), in (−π, π].
public func atan2(_ y: Expr, _ x: Expr) -> Expr { Expr.apply(.atan2, [y, x]) }
/// log₂ x = ln x / ln 2.
public func log2(_ x: Expr) -> Expr { ln(x) * (1 / Foundation.log(2.0)) }
/// log₁₀ x = ln x / ln 10.
public func log10(_ x: Expr) -> Expr { ln(x) * (1 / Foundation.log(10.0)) }
/// log_b x = ln x / ln b.
public func log(_ x: Expr, base b: Expr) -> Expr { ln(x) / ln(b) }

/// σ(x) = 1 / (1 + e^(−x))
public func sigmoid(_ x: Expr) -> Expr { pow(1 + exp(-x), -1) }

/// softplus(x) = ln(1 + eˣ)
public func softplus(_ x: Expr) -> Expr { ln(1 + exp(x)) }

/// Σ of every element of `x`, a scalar: `sum(A)` as the expression language
/// reads it (the same as `x.sum()`).
public func sum(_ x: Expr) -> Expr { x.sum() }

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
