import Foundation

/// The one table of where each op is risky, read by `Graph.risks(in:order:)`:
/// given intervals holding its inputs' values, the risks the op admits.
extension Op {
  func risks(of x: [Interval]) -> [Risk.Kind] {
    switch self {
    case .variable, .constant, .add, .mul, .sin, .cos, .tanh, .einsum, .sumTo, .broadcastTo, .abs,
      .sign, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .select, .atan,
      .erf, .reshape, .reduceMax, .slice, .pad, .oneHot, .custom, .cast, .patches, .unpatches:
      return []
    // A loop's risks are its body's, which `Graph.risks` does not enter: none of its own.
    case .scan: return []
    case .asin, .acos:  // outside [−1, 1] is NaN; the derivative's (1 − x²)^(−½) is flagged
      return []
    // Entry bounds cannot show that a matrix is regular or positive definite: always admitted.
    case .cholesky, .logdet: return [.notPositiveDefinite]
    case .solve, .inverse: return [.singularMatrix]
    // det is defined everywhere (its derivative's inverse is flagged); a triangular solve's
    // factor comes from `cholesky`, flagged where it is built.
    case .determinant, .triangularSolve: return []
    case .power:
      var kinds: [Risk.Kind] = []
      let integerExponent = x[1].lower == x[1].upper && x[1].lower.isInteger
      if !integerExponent && x[0].lower < 0 { kinds.append(.rootOfNegative) }  // (−1)^½
      if x[1].lower < 0 && x[0].contains(0) { kinds.append(.divisionByZero) }  // 0^−1
      return kinds
    case .tan:  // poles at π/2 + kπ
      let pole = Double.pi / 2 + Double.pi * ((x[0].lower - Double.pi / 2) / Double.pi).rounded(.up)
      return !x[0].isEmpty && (pole <= x[0].upper || !x[0].lower.isFinite) ? [.divisionByZero] : []
    case .atan2:  // its derivatives divide by u² + v², 0 at the origin
      return x[0].contains(0) && x[1].contains(0) ? [.divisionByZero] : []
    case .cbrt:  // d∛u = du / (3∛u²) = ∞ at 0
      return x[0].contains(0) ? [.infiniteDerivative] : []
    case .log1p:  // ln(1 + x) with 1 + x ≤ 0
      return x[0].lower <= -1 ? [.logOfNonPositive] : []
    case .expm1:
      return x[0].upper > Foundation.log(Double.greatestFiniteMagnitude) ? [.expOverflow] : []
    case .sinh, .cosh:  // e^|x|/2 overflows past ln(2·greatest)
      let limit = Foundation.log(Double.greatestFiniteMagnitude) + Foundation.log(2.0)
      return Swift.max(-x[0].lower, x[0].upper) > limit ? [.expOverflow] : []
    case .pow(let c):
      var kinds: [Risk.Kind] = []
      if !c.isInteger && x[0].lower < 0 { kinds.append(.rootOfNegative) }  // (−1)^½
      if c < 0 && x[0].contains(0) { kinds.append(.divisionByZero) }  // 0^−1
      if 0 < c && c < 1 && x[0].contains(0) { kinds.append(.infiniteDerivative) }  // c·0^(c−1)
      return kinds
    case .exp:  // e^709.79 = ∞
      return x[0].upper > Foundation.log(Double.greatestFiniteMagnitude) ? [.expOverflow] : []
    case .ln:  // ln 0 = −∞, ln(−1) = NaN
      return x[0].lower <= 0 ? [.logOfNonPositive] : []
    case .sqrt:  // √−1 = NaN; d√u = du / (2√u) = ∞ at 0
      return (x[0].lower < 0 ? [.rootOfNegative] : [])
        + (x[0].contains(0) ? [.infiniteDerivative] : [])
    }
  }
}
