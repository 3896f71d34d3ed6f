/// The usual optimizers, each the textbook update (PyTorch's conventions)
/// written as graph nodes.  η is the learning rate.

/// p ← p − η·g.
public struct SGD: Optimizer {
  public var learningRate: Double
  public init(learningRate: Double) { self.learningRate = learningRate }
  public var slots: [String] { [] }
  public func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) { (p - learningRate * g, []) }
}

/// Heavy ball: v ← μ·v + g, p ← p − η·v; with `nesterov`,
/// p ← p − η·(g + μ·v) using the new v.
public struct Momentum: Optimizer {
  public var learningRate: Double
  public var momentum: Double
  public var nesterov: Bool
  public init(learningRate: Double, momentum: Double = 0.9, nesterov: Bool = false) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
  }
  public var slots: [String] { ["v"] }
  public func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) {
    let v = momentum * slots[0] + g
    let step = nesterov ? g + momentum * v : v
    return (p - learningRate * step, [v])
  }
}

/// G ← G + g², p ← p − η·g / (√G + ε).
public struct Adagrad: Optimizer {
  public var learningRate: Double
  public var epsilon: Double
  public init(learningRate: Double, epsilon: Double = 1e-10) {
    self.learningRate = learningRate
    self.epsilon = epsilon
  }
  public var slots: [String] { ["G"] }
  public func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) {
    let G = slots[0] + g * g
    return (p - learningRate * g / (sqrt(G) + epsilon), [G])
  }
}

/// s ← ρ·s + (1 − ρ)·g², p ← p − η·g / (√s + ε).
public struct RMSProp: Optimizer {
  public var learningRate: Double
  public var decay: Double
  public var epsilon: Double
  public init(learningRate: Double, decay: Double = 0.99, epsilon: Double = 1e-8) {
    self.learningRate = learningRate
    self.decay = decay
    self.epsilon = epsilon
  }
  public var slots: [String] { ["s"] }
  public func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) {
    let s = decay * slots[0] + (1 - decay) * (g * g)
    return (p - learningRate * g / (sqrt(s) + epsilon), [s])
  }
}

/// Adam with bias correction, at step t:
///
///     m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
///     m̂ = m / (1 − β₁ᵗ)            v̂ = v / (1 − β₂ᵗ)
///     p ← p − η·( m̂ / (√v̂ + ε) + λ·p )
///
/// λ is AdamW's decoupled weight decay (0 for Adam).  β₁ᵗ and β₂ᵗ are state
/// scalars multiplied by β each step, so the step count never leaves the graph.
public struct Adam: Optimizer {
  public var learningRate: Double
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  public var weightDecay: Double
  public init(
    learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
    weightDecay: Double = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }
  public var slots: [String] { ["m", "v"] }
  public var scalars: [(name: String, initial: Double)] {
    [("beta1_power", 1), ("beta2_power", 1)]
  }
  public func nextScalars(_ scalars: [Expr]) -> [Expr] { [scalars[0] * beta1, scalars[1] * beta2] }
  public func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) {
    let m = beta1 * slots[0] + (1 - beta1) * g
    let v = beta2 * slots[1] + (1 - beta2) * (g * g)
    let mHat = m / (1 - scalars[0]), vHat = v / (1 - scalars[1])
    var step = mHat / (sqrt(vHat) + epsilon)
    if weightDecay != 0 { step = step + weightDecay * p }
    return (p - learningRate * step, [m, v])
  }
}

/// AdamW: Adam with decoupled weight decay λ (default 0.01).
public func AdamW(
  learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
  weightDecay: Double = 0.01
) -> Adam {
  Adam(
    learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
    weightDecay: weightDecay)
}
