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
///     p ← p − η_t·( m̂ / (√v̂ + ε) + λ·p )
///
/// λ is AdamW's decoupled weight decay (0 for Adam; Loshchilov and Hutter 2019), applied to the
/// parameters `decaying` picks (optax's `mask`). β₁ᵗ and β₂ᵗ are state scalars multiplied by β
/// each step, so the step count never leaves the graph; with a `schedule`, so is t itself
/// (`optimizer.step`), and η_t is computed from it in the graph.
public struct Adam: Optimizer {
  public var learningRate: Double
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  public var weightDecay: Double
  public var decaying: WeightDecayFilter
  public var schedule: LearningRateSchedule?
  public init(
    learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
    weightDecay: Double = 0, decaying: WeightDecayFilter = .all,
    schedule: LearningRateSchedule? = nil
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decaying = decaying
    self.schedule = schedule
  }
  public var slots: [String] { ["m", "v"] }
  public var scalars: [(name: String, initial: Double)] {
    [("beta1_power", 1), ("beta2_power", 1)] + (schedule == nil ? [] : [("step", 0)])
  }
  public func nextScalars(_ scalars: [Expr]) -> [Expr] {
    [scalars[0] * beta1, scalars[1] * beta2] + scalars.dropFirst(2).map { $0 + 1 }
  }
  public func update(_ p: Expr, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) { update(p, decays: weightDecay != 0, gradient: g, slots: slots, scalars: scalars) }

  public func update(_ p: Expr, path: String, gradient g: Expr, slots: [Expr], scalars: [Expr])
    -> (parameter: Expr, slots: [Expr])
  {
    let decays = weightDecay != 0 && decaying.picks(path: path, shape: p.shape ?? [])
    return update(p, decays: decays, gradient: g, slots: slots, scalars: scalars)
  }

  func update(_ p: Expr, decays: Bool, gradient g: Expr, slots: [Expr], scalars: [Expr]) -> (
    parameter: Expr, slots: [Expr]
  ) {
    let m = beta1 * slots[0] + (1 - beta1) * g
    let v = beta2 * slots[1] + (1 - beta2) * (g * g)
    let mHat = m / (1 - scalars[0]), vHat = v / (1 - scalars[1])
    var step = mHat / (sqrt(vHat) + epsilon)
    if decays { step = step + weightDecay * p }
    let rate = schedule.map { $0.rate(peak: learningRate, at: scalars[2]) }
    return (rate.map { p - $0 * step } ?? p - learningRate * step, [m, v])
  }
}

/// Which parameters AdamW's weight decay applies to.
public enum WeightDecayFilter: Sendable {
  /// Every parameter (PyTorch's default).
  case all
  /// Parameters of rank 2 or more: weight matrices and embedding tables, not biases or
  /// LayerNorm's scale and shift (GPT-2's and nanoGPT's choice).
  case matrices
  /// The parameters whose path is listed.
  case paths(Set<String>)

  func picks(path: String, shape: Shape) -> Bool {
    switch self {
    case .all: true
    case .matrices: shape.count >= 2
    case .paths(let paths): paths.contains(path)
    }
  }
}

/// A learning rate that changes with the step t = 1, 2, … (counted in the graph), as a factor
/// of the optimizer's rate η.
public enum LearningRateSchedule: Sendable, Equatable {
  /// Linear warm-up from 0 to η over the first `warmup` steps, then cosine decay to `floor` at
  /// step `total`, and `floor` after it (optax's `warmup_cosine_decay_schedule` at count t):
  ///
  ///     η_t = η·t/W                                                    t ≤ W
  ///     η_t = floor + (η − floor)·½·(1 + cos(π·min(1, (t − W)/(T − W))))   t > W
  case warmupCosine(warmup: Int, total: Int, floor: Double)

  /// η_t for the step `t` (a scalar graph value), the peak η given.
  func rate(peak: Double, at t: Expr) -> Expr {
    switch self {
    case .warmupCosine(let warmup, let total, let floor):
      let decaySteps = Double(Swift.max(1, total - warmup))
      let progress = min((t - Double(warmup)) / decaySteps, t.constant(1))
      let cosine = floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
      guard warmup > 0 else { return cosine }
      return select(lessEqual(t, t.constant(Double(warmup))), t * (peak / Double(warmup)), cosine)
    }
  }
}

/// AdamW: Adam with decoupled weight decay λ (default 0.01), on the parameters `decaying`
/// picks (all by default; `.matrices` for transformers).
public func AdamW(
  learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
  weightDecay: Double = 0.01, decaying: WeightDecayFilter = .all,
  schedule: LearningRateSchedule? = nil
) -> Adam {
  Adam(
    learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
    weightDecay: weightDecay, decaying: decaying, schedule: schedule)
}
