/// A spot where evaluating a graph, or one of its derivative graphs, can go
/// wrong somewhere in a domain: found by `Graph.risks(in:order:)`.
public struct Risk: Sendable, Equatable, CustomStringConvertible {
  /// What can go wrong at a node.
  public enum Kind: String, Sendable, CaseIterable {
    /// `ln u` with u ≤ 0 admitted (−∞ at 0, NaN below).
    case logOfNonPositive = "ln-of-non-positive"
    /// `√u` or `u^c` (c not an integer) with u < 0 admitted: NaN.
    case rootOfNegative = "root-of-negative"
    /// `√u` or `u^c` (0 < c < 1) with u = 0 admitted: the value is finite but
    /// its derivative is infinite there.
    case infiniteDerivative = "infinite-derivative"
    /// `u^c` with c < 0 (`1/u`, `u^-0.5`) and u = 0 admitted: ±∞.
    case divisionByZero = "division-by-zero"
    /// `eᵘ` with u > ln(greatest finite double) ≈ 709.78 admitted: +∞.
    case expOverflow = "exp-overflow"
    /// `cholesky` or `logdet` of a matrix that may not be positive definite: NaN, or an
    /// evaluation error from `Graph.evaluate`.
    case notPositiveDefinite = "not-positive-definite"
    /// `solve` or `inv` with a matrix that may be singular.
    case singularMatrix = "singular-matrix"

    /// What the line says: `ln of a number ≤ 0`.
    public var summary: String {
      switch self {
      case .logOfNonPositive: "ln of a number ≤ 0"
      case .rootOfNegative: "root of a negative number"
      case .infiniteDerivative: "infinite derivative (root at 0)"
      case .divisionByZero: "division by an interval containing 0"
      case .expOverflow: "exp overflows (argument above 709.78)"
      case .notPositiveDefinite: "factors a matrix that may not be positive definite"
      case .singularMatrix: "solves with a matrix that may be singular"
      }
    }
  }

  /// The values of one variable that trigger a risk.
  public struct Trigger: Sendable, Equatable {
    public let variable: String
    public let range: Interval
  }

  public let kind: Kind
  /// The risky subexpression, in infix (long ones cut with `…`).
  public let expression: String
  /// The lowest derivative order whose graph holds the node (0: the
  /// expression itself, 1: a first derivative, …).
  public let order: Int
  /// For each variable the node depends on, the sub-interval of its domain
  /// where the risk is admitted, to the bisection's resolution (empty when
  /// the graph is too large to refine them: then anywhere in the domain).
  public let triggers: [Trigger]

  /// `order 0: ln(x - 0.5): ln of a number ≤ 0, for x in [0, 0.5]`.
  public var description: String {
    let place = triggers.map { t in
      t.range.lower == t.range.upper
        ? "\(t.variable) = \(formatNumber(t.range.lower))" : "\(t.variable) in \(t.range)"
    }
    return "order \(order): \(expression): \(kind.summary)"
      + (place.isEmpty ? "" : ", for " + place.joined(separator: ", "))
  }
}
