/// Where a training step's random numbers come from: a key (a seed) and a counter (the step
/// number), both scalar graph values holding integers, so that every step draws fresh numbers
/// from one compiled graph (`randomUniform`).
public struct Randomness {
  public let key: Expr
  public let counter: Expr

  public init(key: Expr, counter: Expr) {
    self.key = key
    self.counter = counter
  }

  /// Stream `i` of `n` independent ones: the counter c·n + i (exact while c·n < 2⁵³).
  public func stream(_ i: Int, of n: Int) -> Randomness {
    Randomness(key: key, counter: counter * Double(n) + Double(i))
  }

  /// Uniform numbers in [0, 1) of `shape` from this stream.
  public func uniform(_ shape: Shape) -> Expr {
    randomUniform(key: key, counter: counter, shape: shape)
  }
}

/// Inverted dropout (Srivastava et al. 2014): in training, each element is zeroed with
/// probability p and the others scaled by 1/(1 − p), so the expected value is unchanged;
/// at evaluation (no `Randomness`) the identity.
///
///     y = where(u ≥ p, x/(1 − p), 0),   u ~ U[0, 1) from `randomUniform`
public struct Dropout: Module {
  public let name: String
  public let rate: Double

  /// `rate` is p, in [0, 1).
  public init(_ name: String, rate: Double) {
    precondition(rate >= 0 && rate < 1, "Dropout: the rate is a probability in [0, 1)")
    self.name = name
    self.rate = rate
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { [] }

  /// `x` with dropout drawn from `randomness`, or `x` itself when it is `nil` or p = 0.
  public func callAsFunction(_ x: Expr, _ randomness: Randomness?) -> Expr {
    guard let randomness, rate > 0, let shape = x.shape else { return x }
    return scoped(x.builder) {
      let keep = greaterEqual(randomness.uniform(shape), x.constant(rate))
      return select(keep, x * (1 / (1 - rate)), x.constant(0))
    }
  }
}
