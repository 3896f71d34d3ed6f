import CompGraph

/// The FiniteDifferenceError example: how well finite differences of
/// f = σ′ approximate its exact symbolic derivative f′ = σ″ at a point x,
/// for step sizes h:
///
///     forward:  (f(x + h) − f(x)) / h          error ≈ h·|f″|/2 + ε·|f|/h
///     central:  (f(x + h) − f(x − h)) / 2h     error ≈ h²·|f‴|/6 + ε·|f|/h
///
/// Truncation error falls with h, rounding error (ε = 2⁻⁵² relative error
/// in each value of f) rises as 1/h.  The best forward step is near √ε ≈ 10⁻⁸,
/// the best central step near ∛ε ≈ 10⁻⁵.
public struct FiniteDifferenceErrors: Sendable {
  public let steps: [Double]
  /// |forward difference − f′(x)| for each step.
  public let forward: [Double]
  /// |central difference − f′(x)| for each step.
  public let central: [Double]
  /// f(x) = σ′(x).
  public let value: Double
  /// The exact f′(x) = σ″(x).
  public let exact: Double

  /// Builds σ′ and σ″ with `gradient`, compiles them, and measures the
  /// errors at `x` for each step in `steps`.
  public init(at x: Double, steps: [Double]) throws {
    let builder = GraphBuilder()
    let v = try builder.variable("x")
    let tower = try derivatives(of: sigmoid(v), wrt: v, upTo: 2)
    let program = try Program(tower[1].graph(names: ["σ′", "σ″"], with: [tower[2]]))
    let f = { (at: Double) in try program.evaluate(point: [at])[0] }
    let atX = try program.evaluate(point: [x])
    let exact = atX[1]
    self.steps = steps
    self.value = atX[0]
    self.exact = exact
    forward = try steps.map { h in try abs((f(x + h) - f(x)) / h - exact) }
    central = try steps.map { h in try abs((f(x + h) - f(x - h)) / (2 * h) - exact) }
  }

  /// The step with the smallest error in `errors` (`nil` without steps).
  public func bestStep(_ errors: [Double]) -> Double? {
    errors.indices.min { errors[$0] < errors[$1] }.map { steps[$0] }
  }
}
