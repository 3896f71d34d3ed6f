import Foundation

// Activations as library functions of the op set, with ONNX's meanings and attribute defaults
// (the names of its operators in each doc comment), so an imported model and a hand-written one
// build the same graph. Where a function has a kink, its derivative there is stated: it is the
// one-sided derivative of the branch the ONNX formula picks at the kink.

/// The Gaussian error linear unit (Hendrycks and Gimpel 2016), x·Φ(x) (ONNX `Gelu`, whose
/// `approximate` is `"none"` or `"tanh"`):
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

/// x where x ≥ 0, α·x below (ONNX `LeakyRelu`, α = 0.01 by default; `jax.nn.leaky_relu`):
///
///     leaky_relu(x) = where(x ≥ 0, x, α·x)        d/dx = 1 at 0
public func leakyRelu(_ x: Expr, alpha: Double = 0.01) -> Expr { prelu(x, x.constant(alpha)) }

/// x where x ≥ 0, slope·x below, `slope` broadcasting to `x` (ONNX `PRelu`, whose slope is
/// learned: a scalar, or one per channel of shape `[C, 1, 1]` for NCHW input):
///
///     prelu(x, s) = where(x ≥ 0, x, s·x)          ∂/∂x = 1 and ∂/∂s = 0 at x = 0
public func prelu(_ x: Expr, _ slope: Expr) -> Expr {
  select(greaterEqual(x, x.constant(0)), x, slope * x)
}

/// The exponential linear unit (ONNX `Elu`, α = 1 by default):
///
///     elu(x) = x for x ≥ 0,  α·(eˣ − 1) for x < 0   (d/dx = 1 and d²/dx² = 0 at 0)
///
/// `jax.nn.elu` takes the exponential branch at 0 instead (the same value; the derivatives α and
/// α there). The exponential is of min(x, 0), so a huge x gives no ∞ in the unused branch and
/// no NaN in its gradient.
public func elu(_ x: Expr, alpha: Double = 1) -> Expr {
  exponentialLinear(x, alpha: alpha, linear: greaterEqual(x, x.constant(0)))
}

/// The scaled exponential linear unit (Klambauer et al. 2017; ONNX `Selu`, whose defaults are
/// the float32 constants below; `jax.nn.selu` has the same constants in float64):
///
///     selu(x) = γ·x for x > 0,  γ·α·(eˣ − 1) for x ≤ 0   (d/dx = γ·α at 0)
///     α = 1.67326319217681884765625,  γ = 1.05070102214813232421875
public func selu(
  _ x: Expr, alpha: Double = 1.67326319217681884765625, gamma: Double = 1.05070102214813232421875
) -> Expr {
  gamma * exponentialLinear(x, alpha: alpha, linear: greater(x, x.constant(0)))
}

/// where(linear, x, α·expm1(min(x, 0))): `elu` and `selu` differ only in the side of 0 that is
/// linear.
private func exponentialLinear(_ x: Expr, alpha: Double, linear: Expr) -> Expr {
  select(linear, x, alpha * expm1(min(x, 0)))
}

/// x limited to [low, high] (ONNX `Clip`, whose bounds are optional inputs: `nil` is no bound;
/// `jnp.clip`):
///
///     clip(x) = min(max(x, low), high)      (high where low > high, as ONNX says)
///
/// d/dx is 1 on the closed interval [low, high] (at a bound too, as `torch.clamp`'s; `jnp.clip`
/// gives ½ there) and 0 outside it; a bound's derivative is 1 where it is the result.
public func clip(_ x: Expr, min low: Expr?, max high: Expr?) -> Expr {
  let floored = low.map { CompGraph.max(x, $0) } ?? x
  return high.map { CompGraph.min(floored, $0) } ?? floored
}

/// `clip(_:min:max:)` with constant bounds; an infinite bound is no bound.
public func clip(_ x: Expr, min low: Double = -.infinity, max high: Double = .infinity) -> Expr {
  clip(
    x, min: low == -.infinity ? nil : x.constant(low),
    max: high == .infinity ? nil : x.constant(high)
  )
}

/// A piecewise-linear sigmoid (ONNX `HardSigmoid`, α = 0.2 and β = 0.5 by default;
/// `jax.nn.hard_sigmoid` is α = 1/6):
///
///     hard_sigmoid(x) = max(0, min(1, α·x + β))      (d/dx = α at both kinks, as `clip`'s)
public func hardSigmoid(_ x: Expr, alpha: Double = 0.2, beta: Double = 0.5) -> Expr {
  clip(alpha * x + beta, min: 0, max: 1)
}

/// x / (1 + |x|) (ONNX `Softsign`, `jax.nn.soft_sign`), whose derivative is 1 / (1 + |x|)²;
/// NaN at ±∞, as both peers give.
public func softsign(_ x: Expr) -> Expr { x / (1 + abs(x)) }
