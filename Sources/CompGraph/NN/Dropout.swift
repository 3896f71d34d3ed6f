/// Where a training step's random numbers come from: a key (a seed) and a counter (the step
/// number), both scalar graph values holding integers, so that every step draws fresh numbers
/// from one compiled graph (`randomUniform`).
public struct Randomness {
  public let key: Expr
  public let counter: Expr
  /// The stream's counter is `counter`·scale + offset, computed in the type of the numbers drawn
  /// (so an f32 graph's counter arithmetic is f32: see `uniform`).
  let scale: Double
  let offset: Double

  public init(key: Expr, counter: Expr) {
    self.init(key: key, counter: counter, scale: 1, offset: 0)
  }

  init(key: Expr, counter: Expr, scale: Double, offset: Double) {
    self.key = key
    self.counter = counter
    self.scale = scale
    self.offset = offset
  }

  /// Stream `i` of `n` independent ones: the counter c·n + i (exact while c·n < 2⁵³, or 2²⁴
  /// for f32 numbers).
  public func stream(_ i: Int, of n: Int) -> Randomness {
    Randomness(
      key: key, counter: counter, scale: scale * Double(n), offset: offset * Double(n) + Double(i))
  }

  /// Uniform numbers in [0, 1) of `shape` and `dtype` from this stream (`randomUniform`; f32
  /// ones are the f64 stream's truncated to floats, and the key and counter are cast to f32
  /// first, so that no f64 operation enters an f32 graph).
  public func uniform(_ shape: Shape, dtype: DType = .f64) -> Expr {
    let key = dtype == .f32 ? cast(key, .f32) : key
    var counter = dtype == .f32 ? cast(counter, .f32) : counter
    if scale != 1 || offset != 0 { counter = counter * scale + offset }
    return randomUniform(key: key, counter: counter, shape: shape, dtype: dtype)
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
      let keep = greaterEqual(randomness.uniform(shape, dtype: x.dtype ?? .f64), x.constant(rate))
      return select(keep, x * (1 / (1 - rate)), x.constant(0))
    }
  }
}
