/// The standard recurrences of truncated power series (Griewank and Walther, *Evaluating
/// Derivatives*, ch. 13), each O(n²) for n + 1 coefficients. A series is `[Value?]`, c₀ first,
/// with `nil` for an exact zero; c₀ is never `nil` (it is the value at the point).
///
/// Most follow from an ODE the function satisfies, compared coefficient by coefficient with
/// k·yₖ = Σⱼ j·xⱼ·zₖ₋ⱼ for y′ = z·x′.
extension SeriesAlgebra {
  /// (x·y)ₖ = Σᵢ xᵢ·yₖ₋ᵢ.
  func product(_ x: [Value?], _ y: [Value?]) -> [Value?] {
    (0..<x.count).map { k in
      var s = emptySum()
      for i in 0...k { accumulate(&s, 1, x[i], y[k - i]) }
      return total(s)
    }
  }

  /// (x/y)ₖ = (xₖ − Σⱼ₌₁ᵏ yⱼ·qₖ₋ⱼ) / y₀, q₀ = `value` (x₀/y₀ when not given).
  func quotient(_ x: [Value?], _ y: [Value?], value q0: Value? = nil) -> [Value?] {
    var q: [Value?] = [q0 ?? divide(x[0]!, y[0]!)]
    for k in 1..<x.count {
      var s = emptySum()
      if let xk = x[k] { accumulate(&s, xk) }
      for j in 1...k { accumulate(&s, -1, y[j], q[k - j]) }
      q.append(total(s).map { divide($0, y[0]!) })
    }
    return q
  }

  /// y′ = z·x′ with z computed from y as it goes: yₖ = (1/k) Σⱼ₌₁ᵏ j·xⱼ·zₖ₋ⱼ, then
  /// zₖ = `next`(k, y) from y₀…yₖ. exp is z = y; tanh is z = 1 − y²; tan is z = 1 + y².
  func driven(
    _ x: [Value?], value y0: Value, z0: Value, next: (Int, [Value?]) -> Value?
  ) -> [Value?] {
    var y: [Value?] = [y0], z: [Value?] = [z0]
    for k in 1..<x.count {
      var s = emptySum()
      for j in 1...k { accumulate(&s, Double(j) / Double(k), x[j], z[k - j]) }
      y.append(total(s))
      z.append(next(k, y))
    }
    return y
  }

  /// eˣ: yₖ = (1/k) Σⱼ j·xⱼ·yₖ₋ⱼ, y₀ = e^x₀.
  func exponential(_ x: [Value?], value y0: Value) -> [Value?] {
    driven(x, value: y0, z0: y0) { k, y in y[k] }
  }

  /// (y²)ₖ, from y₀…yₖ, times `sign`: tanh′ = 1 − tanh², tan′ = 1 + tan².
  func squared(_ y: [Value?], _ k: Int, sign: Double) -> Value? {
    var s = emptySum()
    for i in 0...k { accumulate(&s, sign, y[i], y[k - i]) }
    return total(s)
  }

  /// ln u with u₀ given (x₀ for ln, 1 + x₀ for log1p) and uₖ = xₖ after:
  /// yₖ = (xₖ − (1/k) Σⱼ₌₁ᵏ⁻¹ j·yⱼ·uₖ₋ⱼ) / u₀, from u·y′ = u′.
  func logarithm(_ x: [Value?], value y0: Value, base u0: Value) -> [Value?] {
    var y: [Value?] = [y0]
    for k in 1..<x.count {
      var s = emptySum()
      if let xk = x[k] { accumulate(&s, xk) }
      for j in 1..<k { accumulate(&s, -Double(j) / Double(k), y[j], x[k - j]) }
      y.append(total(s).map { divide($0, u0) })
    }
    return y
  }

  /// sin and cos (or sinh and cosh) together: sₖ = (1/k) Σ j·xⱼ·cₖ₋ⱼ,
  /// cₖ = ∓(1/k) Σ j·xⱼ·sₖ₋ⱼ (− for the circular pair, + for the hyperbolic).
  func sineCosine(_ x: [Value?], sine s0: Value, cosine c0: Value, hyperbolic: Bool)
    -> (sine: [Value?], cosine: [Value?])
  {
    var s: [Value?] = [s0], c: [Value?] = [c0]
    let sign: Double = hyperbolic ? 1 : -1
    for k in 1..<x.count {
      var sk = emptySum(), ck = emptySum()
      for j in 1...k {
        let w = Double(j) / Double(k)
        accumulate(&sk, w, x[j], c[k - j])
        accumulate(&ck, sign * w, x[j], s[k - j])
      }
      s.append(total(sk))
      c.append(total(ck))
    }
    return (s, c)
  }

  /// √x: yₖ = (xₖ − Σⱼ₌₁ᵏ⁻¹ yⱼ·yₖ₋ⱼ) / (2y₀), from y² = x.
  func squareRoot(_ x: [Value?], value y0: Value) -> [Value?] {
    var y: [Value?] = [y0]
    let twice = scale(2, y0)
    for k in 1..<x.count {
      var s = emptySum()
      if let xk = x[k] { accumulate(&s, xk) }
      for j in 1..<k { accumulate(&s, -1, y[j], y[k - j]) }
      y.append(total(s).map { divide($0, twice) })
    }
    return y
  }

  /// xᶜ for a constant c: a non-negative integer by repeated squaring (exact where x₀ = 0,
  /// x² at 0 included), −1 and ½ by their own recurrences, any other c by
  /// yₖ = (1/(k·x₀)) Σⱼ₌₀ᵏ⁻¹ (c·(k − j) − j)·xₖ₋ⱼ·yⱼ, from x·y′ = c·y·x′.
  func power(_ x: [Value?], _ c: Double, value y0: Value) -> [Value?] {
    if c == 0 { return [y0] + Array(repeating: nil, count: x.count - 1) }
    if c == -1 {
      return quotient([constant(1)] + Array(repeating: nil, count: x.count - 1), x, value: y0)
    }
    if c == 0.5 { return squareRoot(x, value: y0) }
    if c > 0, c <= 1024, c == c.rounded() {
      var result: [Value?]? = nil, base = x, e = Int(c)
      while e > 0 {
        if e & 1 == 1 { result = result.map { product($0, base) } ?? base }
        e >>= 1
        if e > 0 { base = product(base, base) }
      }
      var y = result!
      y[0] = y0  // the op's own value (also the node itself in a graph)
      return y
    }
    var y: [Value?] = [y0]
    for k in 1..<x.count {
      var s = emptySum()
      for j in 0..<k {
        let w = (c * Double(k - j) - Double(j)) / Double(k)
        if w != 0 { accumulate(&s, w, x[k - j], y[j]) }
      }
      y.append(total(s).map { divide($0, x[0]!) })
    }
    return y
  }

  /// x′: (x′)ᵢ = (i + 1)·xᵢ₊₁, n coefficients from n + 1.
  func derivative(_ x: [Value?]) -> [Value?] {
    (1..<x.count).map { i in x[i].map { scale(Double(i), $0) } }
  }

  /// y from y′ = d and y₀: yₖ = dₖ₋₁ / k.
  func integral(_ d: [Value?], value y0: Value) -> [Value?] {
    [y0] + d.enumerated().map { i, di in di.map { scale(1 / Double(i + 1), $0) } }
  }

  /// The coefficients of x truncated to `count`, c₀ replaced by `value`.
  func truncated(_ x: [Value?], _ count: Int, value: Value? = nil) -> [Value?] {
    var y = Array(x.prefix(count))
    if let value { y[0] = value }
    return y
  }

  /// Σ of series coefficient by coefficient.
  func sum(_ xs: [[Value?]]) -> [Value?] {
    (0..<xs[0].count).map { k in
      var s = emptySum()
      for x in xs { if let c = x[k] { accumulate(&s, c) } }
      return total(s)
    }
  }

  /// c·x coefficient by coefficient.
  func scaled(_ c: Double, _ x: [Value?]) -> [Value?] { x.map { $0.map { scale(c, $0) } } }
}
