import Foundation

/// How each op maps the truncated power series of its inputs to its own: the Taylor-mode
/// table (ARCHITECTURE.md invariant 5), one exhaustive switch, so an op added to the set does
/// not build until it has its rule. `x[i]` is input i's series, c₀ first; `y0` is the op's
/// value at the point (c₀ of the result); each rule returns as many coefficients as it is given.
extension SeriesAlgebra {
  func taylorRule(_ op: Op, _ x: [[Value?]], value y0: Value, shape: Shape) throws -> [Value?] {
    let n = x[0].count
    if n == 1, op.kind != .custom { return [y0] }
    let x0 = x.map { $0[0]! }
    let constantSeries: [Value?] = [y0] + Array(repeating: nil, count: n - 1)
    switch op {
    case .variable, .constant: preconditionFailure("leaves are seeded, not propagated")
    case .add: return sum(x)
    case .mul: return x.dropFirst().reduce(x[0], product)
    case .pow(let c): return power(x[0], c, value: y0)
    case .power:
      // xᶜ by its own recurrence when the exponent is a known constant (exact for integer c and
      // x < 0); otherwise e^(y·ln x).
      if x[1].dropFirst().allSatisfy({ $0 == nil }), let c = number(x0[1]) {
        return power(x[0], c, value: y0)
      }
      let lnx = logarithm(x[0], value: apply(.ln, [x0[0]], shape: shape), base: x0[0])
      return exponential(product(x[1], lnx), value: y0)
    case .exp: return exponential(x[0], value: y0)
    case .expm1:  // (eˣ − 1)ₖ = (eˣ)ₖ for k ≥ 1
      return truncated(exponential(x[0], value: apply(.exp, x0, shape: shape)), n, value: y0)
    case .ln: return logarithm(x[0], value: y0, base: x0[0])
    case .log1p: return logarithm(x[0], value: y0, base: add(constant(1), x0[0]))
    case .sqrt: return squareRoot(x[0], value: y0)
    case .cbrt: return power(x[0], 1.0 / 3, value: y0)
    case .sin:
      return sineCosine(
        x[0], sine: y0, cosine: apply(.cos, x0, shape: shape), hyperbolic: false
      ).sine
    case .cos:
      return sineCosine(
        x[0], sine: apply(.sin, x0, shape: shape), cosine: y0, hyperbolic: false
      ).cosine
    case .sinh:
      return sineCosine(
        x[0], sine: y0, cosine: apply(.cosh, x0, shape: shape), hyperbolic: true
      ).sine
    case .cosh:
      return sineCosine(
        x[0], sine: apply(.sinh, x0, shape: shape), cosine: y0, hyperbolic: true
      ).cosine
    case .tanh:
      // tanh′ = 1 − tanh², with z₀ = 1/cosh²x₀, which does not cancel where tanh x₀ ≈ ±1.
      let z0 = apply(.pow(-2), [apply(.cosh, x0, shape: shape)], shape: shape)
      return driven(x[0], value: y0, z0: z0) { k, y in squared(y, k, sign: -1) }
    case .tan:  // tan′ = 1 + tan²
      return driven(x[0], value: y0, z0: add(constant(1), multiply(y0, y0))) { k, y in
        squared(y, k, sign: 1)
      }
    case .atan:  // atan′ = x′/(1 + x²)
      let u = truncated(product(x[0], x[0]), n - 1, value: add(constant(1), multiply(x0[0], x0[0])))
      return integral(quotient(derivative(x[0]), u), value: y0)
    case .asin, .acos:  // asin′ = −acos′ = x′·(1 − x²)^(−½)
      let u0 = subtract(constant(1), multiply(x0[0], x0[0]))
      let u = truncated(scaled(-1, product(x[0], x[0])), n - 1, value: u0)
      let g = power(u, -0.5, value: apply(.pow(-0.5), [u0], shape: shape))
      let d = product(g, derivative(x[0]))
      return integral(op == .asin ? d : scaled(-1, d), value: y0)
    case .erf:  // erf′ = 2/√π·e^(−x²)·x′
      let square = truncated(scaled(-1, product(x[0], x[0])), n - 1)
      let e = exponential(square, value: apply(.exp, [square[0]!], shape: shape))
      return integral(scaled(2 / Double.pi.squareRoot(), product(e, derivative(x[0]))), value: y0)
    case .atan2:  // atan2(u, v)′ = (v·u′ − u·v′)/(u² + v²)
      let (u, v) = (truncated(x[0], n - 1), truncated(x[1], n - 1))
      let numerator = sum([product(v, derivative(x[0])), scaled(-1, product(u, derivative(x[1])))])
      return integral(quotient(numerator, sum([product(u, u), product(v, v)])), value: y0)
    case .abs:  // |x| = sign(x₀)·x near a point where x₀ ≠ 0 (0 at x₀ = 0, as abs′(0) = 0)
      let s = apply(.sign, x0, shape: shape)
      return [y0] + x[0].dropFirst().map { $0.map { multiply(s, $0) } }
    case .sign, .less, .lessEqual, .greater, .greaterEqual, .equal, .oneHot:
      return constantSeries  // piecewise constant
    case .maximum:  // the side max takes at the point (ties to a)
      return chosen(apply(.greaterEqual, x0, shape: shape), x[0], x[1], value: y0, shape: shape)
    case .minimum:
      return chosen(apply(.lessEqual, x0, shape: shape), x[0], x[1], value: y0, shape: shape)
    case .select: return chosen(x0[0], x[1], x[2], value: y0, shape: shape)
    case .einsum: return multilinear(op, x, value: y0, shape: shape)
    case .sumTo, .broadcastTo, .reshape, .slice, .pad, .cast, .patches, .unpatches:
      // linear: each coefficient
      return [y0] + x[0].dropFirst().map { $0.map { apply(op, [$0], shape: shape) } }
    case .reduceMax(let axis):  // the maxima's own coefficients (shared among ties)
      return [y0] + x[0].dropFirst().map { $0.map { maxTangent(x0[0], y0, $0, axis: axis) } }
    case .scan(let spec):
      throw GraphError.unsupported(
        "taylor: scan '\(spec.body.name)' has no series rule yet; use derivative(of:wrt:order:), "
          + "whose derivatives of a scan are scans")
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet:
      throw GraphError.unsupported(
        "taylor: the matrix function '\(op.info.name)' has no series rule yet; use "
          + "derivative(of:wrt:order:) for it")
    case .custom(let custom):
      throw GraphError.unsupported(
        "taylor: the custom op '\(custom.name)' has no series rule; Taylor mode propagates the "
          + "built-in ops only (use derivative(of:wrt:order:) for it)")
    }
  }

  /// where(mask, a, b) coefficient by coefficient, the mask taken at the point.
  private func chosen(_ mask: Value, _ a: [Value?], _ b: [Value?], value y0: Value, shape: Shape)
    -> [Value?]
  {
    [y0]
      + zip(a.dropFirst(), b.dropFirst()).map { ak, bk in
        guard ak != nil || bk != nil else { return nil }
        return apply(.select, [mask, ak ?? constant(0), bk ?? constant(0)], shape: shape)
      }
  }

  /// An einsum of m operands is linear in each: yₖ = Σ over i₁ + … + iₘ = k of the einsum of
  /// the operands' coefficients x¹ᵢ₁ … xᵐᵢₘ.
  private func multilinear(_ op: Op, _ x: [[Value?]], value y0: Value, shape: Shape) -> [Value?] {
    let n = x[0].count
    var sums = (0..<n).map { _ in emptySum() }
    // Every choice of one non-zero coefficient per operand whose orders add up to < n, by an
    // explicit stack of (operand, order so far, coefficients chosen).
    var stack: [(Int, Int, [Value])] = [(0, 0, [])]
    while let (operand, order, chosen) = stack.popLast() {
      if operand == x.count {
        if order > 0 { accumulate(&sums[order], apply(op, chosen, shape: shape)) }
        continue
      }
      for i in 0..<(n - order) {
        if let c = x[operand][i] { stack.append((operand + 1, order + i, chosen + [c])) }
      }
    }
    return [y0] + sums.dropFirst().map(total)
  }
}
