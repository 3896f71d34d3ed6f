import CompGraph

/// The TaylorSeries example: the Taylor polynomials of f about a,
///
///     Tₙ(x) = Σₖ₌₀ⁿ cₖ·(x − a)ᵏ,   cₖ = f⁽ᵏ⁾(a) / k!,
///
/// with every f⁽ᵏ⁾ built symbolically (`derivatives(of:wrt:upTo:)`) and
/// evaluated once at a.
public struct TaylorSeries: Sendable {
  /// The point of expansion a.
  public let center: Double
  /// c₀ … cₙ.
  public let coefficients: [Double]
  /// The operation count of each f⁽ᵏ⁾.
  public let operationCounts: [Int]

  /// The coefficients up to `degree` of `f(x)` about `center`.
  public init(of f: (Expr) -> Expr, at center: Double, degree: Int) throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x")
    let tower = try derivatives(of: f(x), wrt: x, upTo: degree)
    let graph = try tower[0].graph(
      names: tower.indices.map { "d\($0)" }, with: Array(tower.dropFirst()))
    let values = try Program(graph).evaluate(["x": center])
    var factorial = 1.0
    coefficients = values.enumerated().map { k, value in
      if k > 0 { factorial *= Double(k) }
      return value / factorial
    }
    operationCounts = graph.outputs.indices.map {
      graph.with(outputs: [graph.outputs[$0]], names: ["d\($0)"]).operationCount
    }
    self.center = center
  }

  /// Tₙ(x) by Horner's rule (n ≤ the degree the series was built to).
  public func polynomial(degree n: Int, at x: Double) -> Double {
    coefficients[...min(n, coefficients.count - 1)].reversed().reduce(0) { $0 * (x - center) + $1 }
  }
}
