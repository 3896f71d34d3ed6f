/// A sparse Laurent polynomial over *atoms* (node ids that lowering does not
/// look inside), with `Double` coefficients:
///
///     p = Σ cₘ · Π_a a^(eₘ,ₐ)        eₘ,ₐ ∈ ℤ
///
/// Terms are kept sorted by monomial, so every operation visits them in one
/// deterministic order (results never depend on hashing).
struct Polynomial {
  /// One power of an atom.
  struct Factor: Hashable, Comparable {
    var atom: Int32
    var exponent: Int32
    static func < (a: Factor, b: Factor) -> Bool { (a.atom, a.exponent) < (b.atom, b.exponent) }
  }

  /// A product of atom powers, sorted by atom, no zero exponents.
  struct Monomial: Hashable, Comparable {
    var factors: [Factor]

    static let one = Monomial(factors: [])

    static func < (a: Monomial, b: Monomial) -> Bool {
      a.factors.lexicographicallyPrecedes(b.factors)
    }

    static func * (a: Monomial, b: Monomial) -> Monomial {
      var out: [Factor] = []
      out.reserveCapacity(a.factors.count + b.factors.count)
      var i = 0
      var j = 0
      while i < a.factors.count || j < b.factors.count {
        if j == b.factors.count || (i < a.factors.count && a.factors[i].atom < b.factors[j].atom) {
          out.append(a.factors[i])
          i += 1
        } else if i == a.factors.count || b.factors[j].atom < a.factors[i].atom {
          out.append(b.factors[j])
          j += 1
        } else {
          let e = a.factors[i].exponent + b.factors[j].exponent
          if e != 0 { out.append(Factor(atom: a.factors[i].atom, exponent: e)) }
          i += 1
          j += 1
        }
      }
      return Monomial(factors: out)
    }

    func exponent(of atom: Int32) -> Int32 { factors.first { $0.atom == atom }?.exponent ?? 0 }
  }

  var terms: [(monomial: Monomial, coefficient: Double)]

  static let zero = Polynomial(terms: [])

  static func constant(_ c: Double) -> Polynomial {
    c == 0 ? .zero : Polynomial(terms: [(.one, c)])
  }

  static func atom(_ id: NodeID) -> Polynomial {
    Polynomial(terms: [(Monomial(factors: [Factor(atom: id.rawValue, exponent: 1)]), 1)])
  }

  /// Sorts and merges equal monomials, dropping zero coefficients.  The
  /// merge adds coefficients in their sorted (stable) order.
  private static func normalized(_ raw: [(monomial: Monomial, coefficient: Double)]) -> Polynomial {
    let sorted = raw.enumerated().sorted { a, b in
      a.element.monomial != b.element.monomial
        ? a.element.monomial < b.element.monomial : a.offset < b.offset
    }
    var out: [(monomial: Monomial, coefficient: Double)] = []
    for (_, term) in sorted {
      if let last = out.last, last.monomial == term.monomial {
        out[out.count - 1].coefficient += term.coefficient
      } else {
        out.append(term)
      }
    }
    return Polynomial(terms: out.filter { $0.coefficient != 0 })
  }

  static func + (p: Polynomial, q: Polynomial) -> Polynomial { normalized(p.terms + q.terms) }

  static func * (p: Polynomial, q: Polynomial) -> Polynomial {
    var raw: [(monomial: Monomial, coefficient: Double)] = []
    raw.reserveCapacity(p.terms.count * q.terms.count)
    for a in p.terms {
      for b in q.terms { raw.append((a.monomial * b.monomial, a.coefficient * b.coefficient)) }
    }
    return normalized(raw)
  }

  /// pᵏ for an integer k; negative k only for a single term.  `nil` when
  /// that is impossible or the result would exceed `limit` terms.
  func power(_ k: Int, limit: Int) -> Polynomial? {
    if terms.count == 1 {
      let (m, c) = terms[0]
      let factors = m.factors.map { Factor(atom: $0.atom, exponent: $0.exponent * Int32(k)) }
      return Polynomial(terms: [(Monomial(factors: factors), powExact(c, Double(k)))])
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
