/// A sparse Laurent polynomial over at most eight *atoms* (the nodes lowering
/// does not look inside, numbered 0…7 per region), with `Double` coefficients:
///
///     p = Σ cₘ · Π_a a^(eₘ,ₐ)        eₘ,ₐ ∈ ℤ
///
/// A monomial is its exponent vector (a SIMD value: no allocation).  Terms
/// are kept sorted by monomial, so every operation visits them in one
/// deterministic order (results never depend on hashing).
struct Polynomial {
  typealias Monomial = SIMD8<Int32>

  /// The most atoms a polynomial may have.
  static let maxAtoms = 8
  /// Exponents stay within ±`maxExponent` (beyond, expansion gives up).
  static let maxExponent: Int32 = 1 << 20

  var terms: [(monomial: Monomial, coefficient: Double)]

  static let zero = Polynomial(terms: [])

  static func constant(_ c: Double) -> Polynomial {
    c == 0 ? .zero : Polynomial(terms: [(.zero, c)])
  }

  static func atom(_ slot: Int) -> Polynomial {
    var m = Monomial.zero
    m[slot] = 1
    return Polynomial(terms: [(m, 1)])
  }

  /// Merges two sorted term lists, adding the coefficients of equal
  /// monomials (left first) and dropping zeros.
  private static func merge(
    _ p: [(monomial: Monomial, coefficient: Double)],
    _ q: [(monomial: Monomial, coefficient: Double)]
  ) -> [(monomial: Monomial, coefficient: Double)] {
    var out: [(monomial: Monomial, coefficient: Double)] = []
    out.reserveCapacity(p.count + q.count)
    var i = 0
    var j = 0
    while i < p.count && j < q.count {
      if p[i].monomial == q[j].monomial {
        let c = p[i].coefficient + q[j].coefficient
        if c != 0 { out.append((p[i].monomial, c)) }
        i += 1
        j += 1
      } else if precedes(p[i].monomial, q[j].monomial) {
        out.append(p[i])
        i += 1
      } else {
        out.append(q[j])
        j += 1
      }
    }
    out.append(contentsOf: p[i...])
    out.append(contentsOf: q[j...])
    return out
  }

  /// Lexicographic order of exponent vectors.
  static func precedes(_ a: Monomial, _ b: Monomial) -> Bool {
    for lane in 0..<maxAtoms where a[lane] != b[lane] { return a[lane] < b[lane] }
    return false
  }

  static func + (p: Polynomial, q: Polynomial) -> Polynomial {
    if p.terms.isEmpty { return q }
    if q.terms.isEmpty { return p }
    return Polynomial(terms: merge(p.terms, q.terms))
  }

  /// Each row a·q of the product is sorted (adding a vector keeps the
  /// order), so the rows are merged one by one (two buffers, swapped).
  static func * (p: Polynomial, q: Polynomial) -> Polynomial {
    if p.terms.count < q.terms.count { return q * p }
    guard let first = q.terms.first else { return .zero }
    if q.terms.count == 1 && first.monomial == .zero {
      if first.coefficient == 1 { return p }
      return Polynomial(
        terms: p.terms.map { ($0.monomial, $0.coefficient * first.coefficient) }.filter {
          $0.1 != 0
        })
    }
    var out: [(monomial: Monomial, coefficient: Double)] = []
    var next: [(monomial: Monomial, coefficient: Double)] = []
    out.reserveCapacity(p.terms.count * q.terms.count)
    next.reserveCapacity(p.terms.count * q.terms.count)
    for b in q.terms {
      // Merge out with the row p·b into next.
      next.removeAll(keepingCapacity: true)
      var i = 0
      var j = 0
      let row = p.terms
      while i < out.count || j < row.count {
        if j == row.count {
          next.append(out[i])
          i += 1
          continue
        }
        let m = row[j].monomial &+ b.monomial
        let c = row[j].coefficient * b.coefficient
        if i == out.count || precedes(m, out[i].monomial) {
          if c != 0 { next.append((m, c)) }
          j += 1
        } else if out[i].monomial == m {
          let sum = out[i].coefficient + c
          if sum != 0 { next.append((m, sum)) }
          i += 1
          j += 1
        } else {
          next.append(out[i])
          i += 1
        }
      }
      swap(&out, &next)
    }
    return Polynomial(terms: out)
  }

  /// ∂p/∂a for the atom in `slot`:  ∂(c·aᵉ·m)/∂a = c·e·aᵉ⁻¹·m.  Lowering
  /// one lane of every remaining term keeps them sorted.
  func partial(_ slot: Int) -> Polynomial {
    var unit = Monomial.zero
    unit[slot] = 1
    return Polynomial(
      terms: terms.compactMap { t in
        t.monomial[slot] == 0
          ? nil : (t.monomial &- unit, t.coefficient * Double(t.monomial[slot]))
      })
  }

  /// The same polynomial with atom i renumbered `slots[i]` (a one-to-one
  /// map), its terms sorted again.
  func relabeled(_ slots: [Int]) -> Polynomial {
    Polynomial(
      terms: terms.map { t in
        var m = Monomial.zero
        for (old, new) in slots.enumerated() { m[new] = t.monomial[old] }
        return (m, t.coefficient)
      }.sorted { Self.precedes($0.monomial, $1.monomial) })
  }

  /// Whether every exponent is within bounds (checked after each step, so
  /// the wrapping arithmetic above never wraps in practice).
  var isBounded: Bool {
    terms.allSatisfy { t in
      (0..<Self.maxAtoms).allSatisfy { abs(t.monomial[$0]) <= Self.maxExponent }
    }
  }

  /// pᵏ for an integer k; negative k only for a single term.  `nil` when
  /// that is impossible or the result would exceed `limit` terms.
  func power(_ k: Int, limit: Int) -> Polynomial? {
    if terms.count == 1 {
      let (m, c) = terms[0]
      return Polynomial(terms: [(m &* Int32(k), powExact(c, Double(k)))])
    }
    // p has several terms: pᵏ has at least k + 1.
    guard k >= 0, k < limit else { return nil }
    var result = Polynomial.constant(1)
    for _ in 0..<k {
      result = result * self
      if result.terms.count > limit { return nil }
    }
    return result
  }
}
