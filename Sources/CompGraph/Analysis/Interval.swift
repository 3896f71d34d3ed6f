import Foundation

/// A closed range of real numbers `[lower, upper]`, endpoints possibly ±∞:
/// the values a node can take, at the points of a domain where it is defined.
/// It is empty (`lower > upper`) when the node is defined nowhere there.
///
/// Arithmetic rounds outward, so an interval holds the exact real result:
/// sums and products are rounded in the right direction exactly (the error of
/// `a + b` and `a·b` is computed with TwoSum and a fused multiply-add), and
/// an elementary function's endpoints are widened by one ulp except where the
/// function is exact (`e⁰ = 1`, `ln 1 = 0`, `sin 0 = 0`).  Products follow the
/// interval convention `0·∞ = 0` (a bound, not a value).
public struct Interval: Sendable, Hashable, CustomStringConvertible {
  public var lower: Double
  public var upper: Double

  /// `[lower, upper]`; a NaN endpoint (∞ − ∞ on the way) widens to ∓∞.
  public init(_ lower: Double, _ upper: Double) {
    self.lower = lower.isNaN ? -.infinity : lower
    self.upper = upper.isNaN ? .infinity : upper
  }

  /// The one point `[v, v]`.
  public init(_ value: Double) { self.init(value, value) }

  public static let empty = Interval(.infinity, -.infinity)
  public static let whole = Interval(-.infinity, .infinity)

  public var isEmpty: Bool { lower > upper }
  public var width: Double { upper - lower }

  public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

  /// The smallest interval holding both.
  public func hull(_ other: Interval) -> Interval {
    if isEmpty { return other }
    if other.isEmpty { return self }
    return Interval(Swift.min(lower, other.lower), Swift.max(upper, other.upper))
  }

  /// The common part (empty when they do not meet).
  public func intersection(_ other: Interval) -> Interval {
    let result = Interval(Swift.max(lower, other.lower), Swift.min(upper, other.upper))
    return result.isEmpty ? .empty : result
  }

  /// `[0, 1]`, `[-inf, 2.5]`, `empty`.
  public var description: String {
    isEmpty ? "empty" : "[\(formatNumber(lower)), \(formatNumber(upper))]"
  }

  // MARK: Arithmetic

  /// [a, b] + [c, d] = [a + c, b + d], rounded outward.
  public static func + (x: Interval, y: Interval) -> Interval {
    if x.isEmpty || y.isEmpty { return .empty }
    return Interval(sumDown(x.lower, y.lower), sumUp(x.upper, y.upper))
  }

  /// [a, b]·[c, d] = [min, max] of the four endpoint products, rounded outward.
  public static func * (x: Interval, y: Interval) -> Interval {
    if x.isEmpty || y.isEmpty { return .empty }
    let ends = [(x.lower, y.lower), (x.lower, y.upper), (x.upper, y.lower), (x.upper, y.upper)]
    return Interval(
      ends.map { productDown($0, $1) }.min()!, ends.map { productUp($0, $1) }.max()!)
  }

  /// n·[a, b] for a count n ≥ 0: the range of a sum of n values from [a, b].
  public func repeated(_ n: Int) -> Interval {
    if isEmpty { return .empty }
    if n == 0 { return Interval(0) }
    return self * Interval(Double(n))
  }

  /// The image of xᶜ over the part of the interval where it is defined (all
  /// reals for integer c; x ≥ 0 otherwise, with 0ᶜ = ∞ for c < 0).  An
  /// integer power is monotone in x (odd) or |x| (even), so it is its
  /// endpoints' powers (products, rounded exactly, up to the 64th): x² of
  /// [−1, 1] is [0, 1], not the [−1, 1] of x·x.
  public func power(_ c: Double) -> Interval {
    if isEmpty { return .empty }
    if c == 0 { return Interval(1) }
    guard c.isInteger else {
      let x = intersection(Interval(0, .infinity))
      if x.isEmpty { return .empty }
      let ends = (Foundation.pow(x.lower, c), Foundation.pow(x.upper, c))
      // Increasing for c > 0 (0ᶜ = 0 is exact), decreasing for c < 0 (0ᶜ = ∞).
      return c > 0
        ? .rounded(ends.0, ends.1, exactLower: x.lower == 0) : .rounded(ends.1, ends.0)
    }
    let n = Swift.abs(c)
    let even = n.truncatingRemainder(dividingBy: 2) == 0
    // xⁿ is increasing in x for odd n, and in |x| for even n.
    let base =
      !even || lower >= 0
      ? self
      : upper <= 0 ? Interval(-upper, -lower) : Interval(0, Swift.max(-lower, upper))
    func end(_ x: Double) -> Interval {
      n <= 64
        ? (0..<Int(n)).reduce(Interval(1)) { p, _ in p * Interval(x) }
        : Interval.rounded(Foundation.pow(x, n), Foundation.pow(x, n))
    }
    let positive = Interval(end(base.lower).lower, end(base.upper).upper)
    return c > 0 ? positive : positive.reciprocal(evenPower: even)
  }

  /// The image of xʸ for intervals of bases and exponents: for x ≥ 0 it is
  /// monotone in each, so the hull of the corners' powers; a base interval
  /// reaching below 0 admits any value (negative bases, integer exponents).
  public func power(_ y: Interval) -> Interval {
    if isEmpty || y.isEmpty { return .empty }
    guard lower >= 0 else { return .whole }
    let corners = [lower, upper].flatMap { x in [y.lower, y.upper].map { Foundation.pow(x, $0) } }
    return .rounded(corners.min()!, corners.max()!)
  }

  /// |x| of the interval: [min |x|, max |x|].
  public var magnitude: Interval {
    if isEmpty { return .empty }
    if lower >= 0 { return self }
    if upper <= 0 { return Interval(-upper, -lower) }
    return Interval(0, Swift.max(-lower, upper))
  }

  /// The image under a nonincreasing function (as `increasing`, reversed).
  public func decreasing(_ f: (Double) -> Double, exactAt exact: Double? = nil) -> Interval {
    if isEmpty { return .empty }
    return .rounded(f(upper), f(lower), exactLower: upper == exact, exactUpper: lower == exact)
  }

  /// 1/x of the interval; `evenPower` says it is x = yⁿ with n even, so x ≥ 0
  /// and the pole at 0 only reaches +∞ (otherwise 1/±0 = ±∞ both).
  private func reciprocal(evenPower: Bool) -> Interval {
    if lower > 0 || upper < 0 { return .rounded(1 / upper, 1 / lower) }
    if evenPower { return Interval(upper == 0 ? .infinity : (1 / upper).nextDown, .infinity) }
    return .whole
  }

  /// The interval holding its values converted to `dtype`: each end rounded
  /// outward to a value of that type (past f32's largest, to ±∞).
  public func rounded(to dtype: DType) -> Interval {
    guard dtype == .f32, !isEmpty else { return self }
    let low = Float(lower)
    let high = Float(upper)
    return Interval(
      Double(Double(low) > lower ? low.nextDown : low),
      Double(Double(high) < upper ? high.nextUp : high))
  }

  /// The image under a nondecreasing function, widened by an ulp at each end
  /// unless `f` is exact there (`exactAt`: the input where it is).
  public func increasing(_ f: (Double) -> Double, exactAt exact: Double? = nil) -> Interval {
    if isEmpty { return .empty }
    return .rounded(f(lower), f(upper), exactLower: lower == exact, exactUpper: upper == exact)
  }

  /// `[lower, upper]` widened by an ulp at each finite end that is not exact.
  static func rounded(
    _ lower: Double, _ upper: Double, exactLower: Bool = false, exactUpper: Bool = false
  ) -> Interval {
    Interval(
      exactLower || !lower.isFinite ? lower : lower.nextDown,
      exactUpper || !upper.isFinite ? upper : upper.nextUp)
  }

  /// The image of a 2π-periodic function with values in [−1, 1] (sin, cos)
  /// that rises from a trough to its crest: the endpoints' values, widened
  /// to ±1 where a crest or trough lies between.  `exactAt` as in `increasing`.
  func periodic(
    _ f: (Double) -> Double, crest: Double, trough: Double, exactAt exact: Double? = nil
  ) -> Interval {
    if isEmpty { return .empty }
    guard lower.isFinite, upper.isFinite, width < 2 * Double.pi, Swift.abs(lower) < 1e15 else {
      return Interval(-1, 1)
    }
    // Whether crest + 2kπ lies in [lower, upper] for some k (erring towards yes).
    let slack = 1e-12 * Swift.max(1, Swift.abs(lower), Swift.abs(upper))
    func reaches(_ point: Double) -> Bool {
      let k = ((lower - slack - point) / (2 * Double.pi)).rounded(.up)
      return point + 2 * Double.pi * k <= upper + slack
    }
    let ends = [lower, upper].map { x in
      Interval.rounded(f(x), f(x), exactLower: x == exact, exactUpper: x == exact)
    }
    let image = ends[0].hull(ends[1])
    return Interval(
      reaches(trough) ? -1 : Swift.max(-1, image.lower),
      reaches(crest) ? 1 : Swift.min(1, image.upper))
  }
}

// MARK: Directed rounding

/// a + b rounded down / up: the exact error of the rounded sum (TwoSum) says
/// which side of the true sum it fell on; an overflow of finite terms is
/// bounded by the largest finite number.
private func sumDown(_ a: Double, _ b: Double) -> Double {
  let s = a + b
  if s == .infinity && a.isFinite && b.isFinite { return .greatestFiniteMagnitude }
  return sumError(a, b, s) < 0 ? s.nextDown : s
}

private func sumUp(_ a: Double, _ b: Double) -> Double {
  let s = a + b
  if s == -.infinity && a.isFinite && b.isFinite { return -.greatestFiniteMagnitude }
  return sumError(a, b, s) > 0 ? s.nextUp : s
}

/// (a + b) − fl(a + b), exactly (Knuth's TwoSum); 0 when the sum is not finite.
private func sumError(_ a: Double, _ b: Double, _ s: Double) -> Double {
  guard s.isFinite else { return 0 }
  let bb = s - a
  return (a - (s - bb)) + (b - bb)
}

/// a·b rounded down / up, with 0·∞ = 0: a fused multiply-add gives the
/// exact error of the rounded product (near the subnormal range, where it
/// may not, the product is widened anyway).
private func productDown(_ a: Double, _ b: Double) -> Double {
  if a == 0 || b == 0 { return 0 }
  let p = a * b
  if p.isInfinite { return p > 0 && a.isFinite && b.isFinite ? .greatestFiniteMagnitude : p }
  if Swift.abs(p) < 0x1p-960 { return p.nextDown }
  return fma(a, b, -p) < 0 ? p.nextDown : p
}

private func productUp(_ a: Double, _ b: Double) -> Double {
  if a == 0 || b == 0 { return 0 }
  let p = a * b
  if p.isInfinite { return p < 0 && a.isFinite && b.isFinite ? -.greatestFiniteMagnitude : p }
  if Swift.abs(p) < 0x1p-960 { return p.nextUp }
  return fma(a, b, -p) > 0 ? p.nextUp : p
}
