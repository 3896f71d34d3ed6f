import Foundation

/// Branch-free elementary functions that the compiler vectorises when they
/// are applied along a batch (no libm calls in the loop).  Accurate to a few
/// ulp; NaN propagates, overflow gives ∞.
enum VectorMath {
  private static let log2e = 1.4426950408889634
  private static let ln2Hi = 6.93147180369123816490e-01
  private static let ln2Lo = 1.90821492927058770002e-10
  private static let shifter = 6755399441055744.0  // 1.5·2⁵², rounds to an integer in the low bits

  /// eʳ − 1 for |r| ≤ ln2/2, Taylor to r¹³ in Horner form (error < 2e-17).
  @inline(__always)
  private static func expm1Reduced(_ r: Double) -> Double {
    var p = 1.0 / 6227020800
    p = p * r + 1.0 / 479001600
    p = p * r + 1.0 / 39916800
    p = p * r + 1.0 / 3628800
    p = p * r + 1.0 / 362880
    p = p * r + 1.0 / 40320
    p = p * r + 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    return (p * r + 1) * r
  }

  /// x = k·ln2 + r with |r| ≤ ln2/2; returns (2ᵏ, eʳ − 1).
  @inline(__always)
  private static func reduce(_ x: Double) -> (scale: Double, em: Double) {
    let clamped = x > 709.0 ? 709.0 : (x < -745.0 ? -745.0 : x)
    let kd = clamped * log2e + shifter
    let k = Int64(bitPattern: kd.bitPattern) &- Int64(bitPattern: shifter.bitPattern)
    let kf = kd - shifter
    let r = (clamped - kf * ln2Hi) - kf * ln2Lo
    // 2ᵏ built from two halves so k down to −1075 stays representable.
    let half = k >> 1
    let s1 = Double(bitPattern: UInt64(bitPattern: (half &+ 1023) << 52))
    let s2 = Double(bitPattern: UInt64(bitPattern: ((k &- half) &+ 1023) << 52))
    return (s1 * s2, expm1Reduced(r))
  }

  /// eˣ
  @inline(__always)
  static func exp(_ x: Double) -> Double {
    let (s, em) = reduce(x)
    let y = s * em + s
    return x > 709.78 ? .infinity : (x.isNaN ? x : y)
  }

  /// tanh x = sign(x) · e/(e + 2) with e = eᐩ²ˡˣˡ − 1 (no cancellation near 0).
  @inline(__always)
  static func tanh(_ x: Double) -> Double {
    let a = Swift.min(abs(x) * 2, 40.0)
    let (s, em) = reduce(a)
    let e = s * em + (s - 1)
    let t = e / (e + 2)
    return x.isNaN ? x : (x < 0 ? -t : t)
  }
}
