/// How an op's output y changes with its input x_k — the one table that both
/// reverse mode (pullbacks) and forward mode (tangents) read.
enum LocalDerivative {
  /// y does not change with x_k (x⁰, a comparison, a mask): nothing flows,
  /// and no zero is built.
  case zero
  /// y is x_k where `mask` ≠ 0 (`passes`) or where it is 0 (not `passes`),
  /// and does not depend on x_k elsewhere: the same selection of the
  /// incoming gradient, ḡ ↦ where(mask, ḡ, 0) (or where(mask, 0, ḡ)), so an
  /// infinite or NaN gradient on the other side does not leak through.
  case select(mask: Expr, passes: Bool)
  /// y depends on x_k elementwise (after broadcasting) with ∂y/∂x_k = factor:
  /// pullback ḡ ↦ ḡ·factor, tangent ṫ ↦ factor·ṫ.
  case scale(Expr)
  /// y is linear in x_k, y = L(x_k): tangent ṫ ↦ L(ṫ), pullback ḡ ↦ Lᵀ(ḡ).
  /// `apply` takes the tangent's trailing batch shape B too: a tangent of
  /// shape shape(x_k) + B is B tangents side by side, and L applies to each,
  /// giving shape(y) + B (B = [] for one tangent).
  case linear(apply: (_ tangent: Expr, _ batch: Shape) -> Expr, transpose: (Expr) -> Expr)
}

/// One line per op, written with ordinary graph ops (so gradients of
/// gradients just work).  `x` are the op's inputs, `y` its own forward node,
/// reused where the derivative mentions it (d eˣ = eˣ dx).
func localDerivative(_ op: Op, _ k: Int, _ x: [Expr], _ y: Expr) -> LocalDerivative {
  switch op {
  case .variable, .constant: preconditionFailure("leaves have no derivative rule")
  case .add: .scale(y.constant(1))  // ∂(Σ xᵢ)/∂x_k = 1
  case .mul: .scale(product(x, without: k))  // ∂(Π xᵢ)/∂x_k = Π_{i≠k} xᵢ
  case .pow(0): .zero  // x⁰ = 1 (also at x = 0, where c·xᶜ⁻¹ would be 0·∞)
  case .pow(let c): .scale(c * pow(x[0], c - 1))  // d xᶜ = c·xᶜ⁻¹ dx
  case .power where k == 0: .scale(x[1] * pow(x[0], x[1] - 1))  // ∂xʸ/∂x = y·xʸ⁻¹
  case .power:  // ∂xʸ/∂y = xʸ·ln x where x ≠ 0; 0 at x = 0 (0ʸ is constant in y there)
    .scale(select(equal(x[0], y.constant(0)), y.constant(0), y * ln(x[0])))
  case .exp: .scale(y)  // d eˣ = eˣ dx
  case .ln: .scale(pow(x[0], -1))  // d ln x = x⁻¹ dx
  case .sqrt: .scale(0.5 * pow(y, -1))  // d √x = ½ (√x)⁻¹ dx
  case .sin: .scale(cos(x[0]))  // d sin x = cos x dx
  case .cos: .scale(-sin(x[0]))  // d cos x = −sin x dx
  case .tanh: .scale(1 - pow(y, 2))  // d tanh x = (1 − tanh²x) dx
  case .abs: .scale(sign(x[0]))  // d|x| = sign x dx (0 at x = 0)
  case .sign, .less, .lessEqual, .greater, .greaterEqual, .equal: .zero  // piecewise constant
  // max(a, b) = where(a ≥ b, a, b): ties send the gradient to a.
  case .maximum: .select(mask: greaterEqual(x[0], x[1]), passes: k == 0)
  // min(a, b) = where(a ≤ b, a, b): ties send the gradient to a.
  case .minimum: .select(mask: lessEqual(x[0], x[1]), passes: k == 0)
  case .select where k == 0: .zero  // the condition only selects
  case .select: .select(mask: x[0], passes: k == 1)
  case .tan: .scale(1 + pow(y, 2))  // d tan x = (1 + tan²x) dx
  case .atan: .scale(pow(1 + pow(x[0], 2), -1))  // d atan x = (1 + x²)⁻¹ dx
  case .asin: .scale(pow(1 - pow(x[0], 2), -0.5))  // d asin x = (1 − x²)^(−½) dx
  case .acos: .scale(-pow(1 - pow(x[0], 2), -0.5))  // d acos x = −(1 − x²)^(−½) dx
  case .sinh: .scale(cosh(x[0]))  // d sinh x = cosh x dx
  case .cosh: .scale(sinh(x[0]))  // d cosh x = sinh x dx
  case .erf: .scale(2 / Double.pi.squareRoot() * exp(-pow(x[0], 2)))  // d erf x = 2/√π e^(−x²) dx
  case .log1p: .scale(pow(1 + x[0], -1))  // d ln(1 + x) = (1 + x)⁻¹ dx
  case .expm1: .scale(exp(x[0]))  // d(eˣ − 1) = eˣ dx (y + 1 would cancel to 0 for x ≪ 0)
  case .cbrt: .scale(pow(y, -2) / 3)  // d∛x = ⅓ (∛x)⁻² dx
  // ∂atan2(u, v)/∂u = v/(u² + v²), ∂atan2(u, v)/∂v = −u/(u² + v²)
  case .atan2: .scale((k == 0 ? x[1] : -x[0]) * pow(x[0] * x[0] + x[1] * x[1], -1))
  case .einsum(let spec):  // linear in each operand
    .linear(
      apply: { t, batch in spec.replacingOperand(k, of: x, with: t, batch: batch.count) },
      transpose: { g in spec.pullback(k, x, g) })
  case .sumTo(let s):  // Σ↓ and ⇑ are each other's transpose
    .linear(apply: { $0.sum(to: s + $1) }, transpose: { $0.broadcast(to: x[0].shape ?? []) })
  case .broadcastTo(let s):
    .linear(apply: { $0.broadcast(to: s + $1) }, transpose: { $0.sum(to: x[0].shape ?? []) })
  case .reshape(let s):  // reshapes there and back
    .linear(apply: { reshape($0, s + $1) }, transpose: { reshape($0, x[0].shape ?? []) })
  case .reduceMax(let axis):  // the gradient is shared equally by the tied maxima
    .linear(
      apply: { t, batch in
        sum(trailing(argmaxWeights(x[0], y, axis: axis), batch) * t, axis: axis)
      },
      transpose: { g in
        let kept = keepingAxis(y, g, axis: axis)
        return argmaxWeights(x[0], y, axis: axis) * kept.broadcast(to: x[0].shape ?? [])
      })
  case .slice(let axis, let start, let end):  // slice and pad are each other's transpose
    .linear(
      apply: { t, _ in slice(t, axis: axis, start: start, end: end) },
      transpose: { pad($0, axis: axis, before: start, after: (x[0].shape?[axis] ?? end) - end) })
  case .pad(let axis, let before, let after):
    .linear(
      apply: { t, _ in pad(t, axis: axis, before: before, after: after) },
      transpose: { slice($0, axis: axis, start: before, end: before + (x[0].shape?[axis] ?? 0)) })
  case .oneHot: .zero  // indices select, they do not scale
  case .patches(let w):  // patches and unpatches are each other's transpose
    .linear(apply: { t, _ in patches(t, w) }, transpose: { unpatches($0, w) })
  case .unpatches(let w):
    .linear(apply: { t, _ in unpatches(t, w) }, transpose: { patches($0, w) })
  case .custom(let op): .scale(op.localDerivative(k, x, y))  // the user's rule (`CustomOp`)
  case .cast(let dtype):  // converts there and back (the transpose of promotion)
    .linear(apply: { t, _ in cast(t, dtype) }, transpose: { cast($0, x[0].dtype ?? .f64) })
  // Matrix functions: `MatrixDerivatives.swift`.
  case .solve: MatrixFunction.solve.localDerivative(k, x, y)
  case .inverse: MatrixFunction.inverse.localDerivative(k, x, y)
  case .determinant: MatrixFunction.determinant.localDerivative(k, x, y)
  case .cholesky: MatrixFunction.cholesky.localDerivative(k, x, y)
  case .triangularSolve(let lower, let transpose):
    MatrixFunction.triangularSolve(lower: lower, transpose: transpose).localDerivative(k, x, y)
  case .logdet: MatrixFunction.logdet.localDerivative(k, x, y)
  // A loop is differentiated whole, in every input at once: its tangent is a scan of its
  // body's jvp, its pullback a reverse scan (`Scan+Derivatives.swift`).
  case .scan:
    preconditionFailure("the sweeps differentiate a scan whole (scanTangent, scanCotangents)")
  }
}

/// `e` with a 1 appended to its shape per axis of `batch`, so that it
/// multiplies each of a batch of tangents shaped shape(e) + batch (NumPy
/// broadcasting aligns shapes from the right); `e` itself for no batch.
func trailing(_ e: Expr, _ batch: Shape) -> Expr {
  guard !batch.isEmpty, let shape = e.shape, !shape.isEmpty else { return e }
  return reshape(e, shape + Array(repeating: 1, count: batch.count))
}

/// w = m / Σ_axis m with m = (x == max_axis x): 1/k on each of k tied maxima.
func argmaxWeights(_ x: Expr, _ y: Expr, axis: Int) -> Expr {
  let mask = equal(x, keepingAxis(y, y, axis: axis).broadcast(to: x.shape ?? []))
  return mask / keepingAxis(y, sum(mask, axis: axis), axis: axis)
}

/// `g` (shaped like the reduction `y`) reshaped with the reduced axis kept as 1.
func keepingAxis(_ y: Expr, _ g: Expr, axis: Int) -> Expr {
  var shape = y.shape ?? []
  shape.insert(1, at: axis)
  return reshape(g, shape)
}

/// Π_{i≠k} xᵢ (a product reaching a rule has at least two inputs; of two,
/// the other one, with no list built).
func product(_ x: [Expr], without k: Int) -> Expr {
  x.count == 2 ? x[1 - k] : product(x.indices.filter { $0 != k }.map { x[$0] })
}

extension EinsumSpec {
  /// The same contraction with operand k replaced by `t`: the tangent of a
  /// multilinear map in its k-th argument.  A tangent with `batch` trailing
  /// batch axes gets fresh labels for them, kept at the end of the output:
  /// `ij,jk->ik` with a batch of one along operand 0 is `ijb,jk->ikb`.
  func replacingOperand(_ k: Int, of x: [Expr], with t: Expr, batch: Int = 0) -> Expr {
    var operands = x
    operands[k] = t
    guard batch > 0 else { return Expr.apply(.einsum(self), operands) }
    let fresh = Array(labelCount..<(labelCount + batch))
    var labels = self.operands
    labels[k] += fresh
    return Expr.apply(.einsum(EinsumSpec(operands: labels, output: output + fresh)), operands)
  }
}
