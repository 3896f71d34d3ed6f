import Foundation

/// The one table of where each op is risky, read by `Graph.risks(in:order:)`:
/// given intervals holding its inputs' values, the risks the op admits.
extension Op {
  func risks(of x: [Interval]) -> [Risk.Kind] {
    switch self {
    case .variable, .constant, .add, .mul, .sin, .cos, .tanh, .einsum, .sumTo, .broadcastTo:
      return []
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
