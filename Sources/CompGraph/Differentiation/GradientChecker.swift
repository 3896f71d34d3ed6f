import Foundation

/// The result of `checkGradients`: for each order k, the worst relative error
/// between the k-th directional derivative built by `gradient` and a central
/// finite difference of the (k−1)-th.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
  /// `errors[k-1]` is the worst relative error at order k.
  public let errors: [Double]
  public var worstRelativeError: Double { errors.max() ?? 0 }
  public var description: String {
    errors.enumerated().map { "order \($0.offset + 1): worst relative error \($0.element)" }
      .joined(separator: "\n")
  }
}

/// Checks derivatives of any order against finite differences, like JAX's
/// `check_grads(f, args, order:)`.  For random directions v,
///
///     D⁰ = f,   Dᵏ = Σ_x ⟨∂Dᵏ⁻¹/∂x, v_x⟩      (built with `gradient`)
///     Dᵏ(p) ≈ (Dᵏ⁻¹(p + h·v) − Dᵏ⁻¹(p − h·v)) / 2h
///
/// and the worst |Dᵏ − FD| / max(1, |Dᵏ|) over the directions is reported.
/// `f` must be a scalar; every variable of `f` must be bound in `point`.
public func checkGradients(
  of f: Expr, at point: [String: Double], order: Int = 2, directions: Int = 3,
  step h: Double = 1e-5, seed: UInt64 = 42
) throws -> GradientCheckReport {
  try checkGradients(
    of: f, at: point.mapValues(Tensor.init), order: order, directions: directions, step: h,
    seed: seed)
}

/// `checkGradients` at a point of tensors (any shapes).
public func checkGradients(
  of f: Expr, at point: [String: Tensor], order: Int = 2, directions: Int = 3,
  step h: Double = 1e-5, seed: UInt64 = 42
) throws -> GradientCheckReport {
  let builder = f.builder
  let variables = try f.graph().variables
  let handles = try variables.map { try builder.variable($0.name, $0.shape) }
  var rng = SplitMix64(seed: seed)
  var errors = [Double](repeating: 0, count: order)
  for _ in 0..<directions {
    let v = variables.map { variable in
      Tensor(
        shape: variable.shape,
        scalars: (0..<variable.shape.elementCount).map { _ in rng.nextUnit() * 2 - 1 })
    }
    var lower = f
    for k in 1...order {
      let grads = try gradient(of: lower, wrt: handles)
      let terms = zip(grads, v).map { g, dir in (g * builder.constant(dir)).sum() }
      let upper = terms.dropFirst().reduce(terms[0], +)
      func shifted(_ sign: Double) -> [String: Tensor] {
        var p = point
        for (variable, dir) in zip(variables, v) {
          guard let base = p[variable.name] else { continue }
          p[variable.name] = Tensor(
            shape: base.shape, scalars: zip(base.scalars, dir.scalars).map { $0 + sign * h * $1 })
        }
        return p
      }
      let exact = try upper.evaluate(point).scalars[0]
      let plus = try lower.evaluate(shifted(1)).scalars[0]
      let minus = try lower.evaluate(shifted(-1)).scalars[0]
      let estimate = (plus - minus) / (2 * h)
      errors[k - 1] = max(errors[k - 1], abs(exact - estimate) / max(1, abs(exact)))
      lower = upper
    }
  }
  return GradientCheckReport(errors: errors)
}

/// A small deterministic generator (SplitMix64), so checks are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  /// Where the stream stands: `SplitMix64(seed: rng.state)` continues it
  /// with the same numbers (a saved training run resumes its stream so).
  public private(set) var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [0, 1).
  public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
