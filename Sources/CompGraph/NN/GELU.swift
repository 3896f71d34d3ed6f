import Foundation

/// The Gaussian error linear unit (Hendrycks and Gimpel 2016), x·Φ(x):
///
///     exact:        ½·x·(1 + erf(x/√2))
///     approximate:  ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))   (GPT-2's, `jax.nn.gelu`'s default)
public func gelu(_ x: Expr, approximate: Bool = false) -> Expr {
  if approximate {
    let c = (2 / Double.pi).squareRoot()
    return 0.5 * x * (1 + tanh(c * (x + 0.044715 * pow(x, 3))))
  }
  return 0.5 * x * (1 + erf(x * (1 / 2.0.squareRoot())))
}
