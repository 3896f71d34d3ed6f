import CompGraph
import Foundation

/// Two ops defined outside the library, through its public API only (this file imports
/// `CompGraph` without `@testable`), as a user would: what `CustomOpTests` checks.
enum UserDefinedOps {
  /// sinc x = sin(x)/x, 1 at 0. Its rule sinc′ = (cos x − sinc x)/x is 0/0 at 0 and cancels
  /// near it, so within ½ of 0 the derivatives come from its Maclaurin series
  /// Σₖ (−1)ᵏ x²ᵏ/(2k + 1)!, to x²⁴ (the next term is below 10⁻³⁶ there).
  static let sinc: CustomOp = try! CustomOp(
    name: "sinc", arity: 1,
    kernel: { x in x[0] == 0 ? 1 : Foundation.sin(x[0]) / x[0] },
    derivative: { _, x, y in (cos(x[0]) - y) / x[0] },
    interval: { _ in Interval(-0.22, 1) },
    series: CustomOp.Series(at: 0, radius: 0.5, coefficients: maclaurinOfSinc(degree: 24)),
    spellings: [
      .python: "np.sinc($0 / np.pi)", .jax: "jnp.sinc($0 / jnp.pi)",
      .c: "($0 == 0 ? 1.0 : sin($0) / $0)", .latex: "\\operatorname{sinc}$0",
    ])

  /// The same function with the rule alone: wrong at and near 0 (the reason for the series).
  static let sincWithoutSeries: CustomOp = try! CustomOp(
    name: "sinc_rule_only", arity: 1,
    kernel: { x in x[0] == 0 ? 1 : Foundation.sin(x[0]) / x[0] },
    derivative: { _, x, y in
      select(equal(x[0], x[0].builder.constant(0)), 0 * y, (cos(x[0]) - y) / x[0])
    })

  /// (−1)ᵏ/(2k + 1)! at x²ᵏ, 0 at odd powers.
  static func maclaurinOfSinc(degree: Int) -> [Double] {
    var coefficients = [Double](repeating: 0, count: degree + 1)
    var term = 1.0
    for k in stride(from: 0, through: degree, by: 2) {
      coefficients[k] = term
      term /= -Double((k + 2) * (k + 3))
    }
    return coefficients
  }

  /// ln(eᵃ + eᵇ) = max(a, b) + ln(1 + e^−|a−b|), which neither overflows nor underflows; its
  /// partials are e^(a − y) and e^(b − y) (y the op itself: the softmax weights, in (0, 1]),
  /// written so that every order stays finite — JAX's `logaddexp` has such a custom JVP.
  static let logaddexp: CustomOp = try! CustomOp(
    name: "logaddexp", arity: 2,
    kernel: { x in Swift.max(x[0], x[1]) + Foundation.log1p(Foundation.exp(-Swift.abs(x[0] - x[1])))
    },
    derivative: { k, x, y in exp(x[k] - y) })
}
