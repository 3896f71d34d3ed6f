import Foundation

/// Elementwise ONNX ops: activations as compositions (each written where it is exact), NumPy
/// broadcasting (and opset 6's `broadcast`/`axis` attributes), and the integer-valued ops
/// (`Floor`, integer `Div`, `Mod`) that only shape arithmetic uses, computed at import time.
extension ONNXOperator {
  /// asinh x = ln(x + √(x² + 1)), acosh x = ln(x + √(x² − 1)), atanh x = ½ ln((1 + x)/(1 − x)).
  func inverseHyperbolic(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.expr(0)
    switch self {
    case .Asinh: return ln(x + sqrt(x * x + 1))
    case .Acosh: return ln(x + sqrt(x * x - 1))
    default: return 0.5 * ln((1 + x) / (1 - x))
    }
  }

  /// The activations with attributes, as the spec defines each:
  /// elu = x (x > 0) else α(eˣ − 1); selu = γ·elu with its α; celu = max(0, x) + min(0, α(e^(x/α) − 1));
  /// leaky = x (x ≥ 0) else αx; thresholded = x (x > α) else 0; hard sigmoid = max(0, min(1, αx + β));
  /// hard swish = x·hard sigmoid with α = 1/6, β = ½; gelu = ½x(1 + erf(x/√2)) (or its tanh form);
  /// mish = x·tanh(softplus x); shrink = x + bias (x < −λ), x − bias (x > λ), else 0.
  func activation(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.expr(0)
    let zero = x.constant(0)
    switch self {
    case .Elu:
      let alpha = try n.float("alpha", default: 1)
      return select(greater(x, zero), x, alpha * expm1(x))
    case .Selu:
      let alpha = try n.float("alpha", default: 1.67326319217681884765625)
      let gamma = try n.float("gamma", default: 1.05070102214813232421875)
      return gamma * select(greater(x, zero), x, alpha * expm1(x))
    case .Celu:
      let alpha = try n.float("alpha", default: 1)
      return max(zero, x) + min(zero, alpha * expm1(x / alpha))
    case .LeakyRelu:
      let alpha = try n.float("alpha", default: 0.01)
      return select(less(x, zero), alpha * x, x)
    case .ThresholdedRelu:
      let alpha = try n.float("alpha", default: 1)
      return select(greater(x, x.constant(alpha)), x, zero)
    case .HardSigmoid:
      let alpha = try n.float("alpha", default: 0.2), beta = try n.float("beta", default: 0.5)
      return max(zero, min(x.constant(1), alpha * x + beta))
    case .HardSwish:
      return x * max(zero, min(x.constant(1), x / 6 + 0.5))
    case .Gelu:
      switch try n.string("approximate", default: "none") {
      case "none": return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
      case "tanh":
        return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * pow(x, 3))))
      case let other: throw n.invalid("its approximate '\(other)' is not 'none' or 'tanh'")
      }
    case .Mish: return x * tanh(softplus(x))
    default:
      let bias = try n.float("bias", default: 0), lambd = try n.float("lambd", default: 0.5)
      return select(
        less(x, x.constant(-lambd)), x + bias, select(greater(x, x.constant(lambd)), x - bias, zero)
      )
    }
  }

  /// 1 where x is +∞ (with `detect_positive`, the default) or −∞ (`detect_negative`), else 0.
  func isInfinite(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.expr(0)
    let positive = try n.int("detect_positive", default: 1) == 1
    let negative = try n.int("detect_negative", default: 1) == 1
    var terms: [Expr] = []
    if positive { terms.append(equal(x, x.constant(.infinity))) }
    if negative { terms.append(equal(x, x.constant(-.infinity))) }
    return terms.isEmpty ? x.constant(0).broadcast(to: x.shape ?? []) : sum(terms)
  }

  /// min(max(x, lo), hi): the bounds from attributes before opset 11, from optional inputs after.
  func clip(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    var x = try n.expr(0)
    if n.opset < 11 {
      if n.has("min") { x = max(x, try n.float("min", default: 0)) }
      if n.has("max") { x = min(x, try n.float("max", default: 0)) }
      return x
    }
    if let lo = n.optionalInput(1) { x = max(x, lo.expr) }
    if let hi = n.optionalInput(2) { x = min(x, hi.expr) }
    return x
  }

  /// x where x ≥ 0, slope·x elsewhere; the slope broadcasts to x (unidirectionally).
  func prelu(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let x = try n.expr(0)
    var slope = try n.expr(1)
    if n.opset < 7, let xs = x.shape, let ss = slope.shape, ss.count == 1, xs.count >= 2,
      ss[0] == xs[1] || ss[0] == 1
    {
      // Opset 6's slope of one value per channel (axis 1).
      slope = reshape(slope, [ss[0]] + Array(repeating: 1, count: xs.count - 2))
    }
    return select(less(x, x.constant(0)), slope * x, x)
  }

  /// The two operands of a binary op, aligned as opset 6's `broadcast`/`axis` attributes say
  /// (B's axes matched to A's from `axis`), else by NumPy's rules.
  func operands(_ n: ONNXNode) throws(ONNXImportError) -> (Expr, Expr) {
    let a = try n.expr(0)
    var b = try n.expr(1)
    if n.opset < 7, try n.int("broadcast", default: 0) == 1, let axis = try n.int("axis"),
      let ra = a.shape?.count, let bs = b.shape
    {
      let start = try n.axis(axis, rank: ra)
      let trailing = ra - start - bs.count
      guard trailing >= 0 else {
        throw n.invalid("its B of shape \(bs.shapeDescription) does not fit A's axes from \(axis)")
      }
      b = reshape(b, bs + Array(repeating: 1, count: trailing))
    }
    return (a, b)
  }

  /// `Add`, `Sub`, `Mul`, `Div`, `Pow`; on two integer tensors `Div` truncates, as ONNX's
  /// integer division does, which only the import-time arithmetic can.
  func arithmetic(_ n: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    let (a, b) = try operands(n)
    let type = try n.input(0).elementType
    switch self {
    case .Add: return n.value(a + b)
    case .Sub: return n.value(a - b)
    case .Mul: return n.value(a * b)
    case .Div:
      let otherType = try n.input(1).elementType
      if !type.isReal && !otherType.isReal {
        return try integerArithmetic(n) { x, y in y == 0 ? 0 : (x / y).rounded(.towardZero) }
      }
      return n.value(a / b)
    default:
      if let exponent = try n.input(1).known, let c = exponent.scalar {
        return n.value(pow(a, c))
      }
      return n.value(pow(a, b))
    }
  }

  /// `Floor`, `Ceil`, `Round` (ties to even) and `Mod` (`fmod` 0: the divisor's sign; 1: C's
  /// `fmod`): step functions, which CompGraph has no op for, so only on known values.
  func rounding(_ n: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
    switch self {
    case .Floor: return try integerArithmetic(n) { x, _ in x.rounded(.down) }
    case .Ceil: return try integerArithmetic(n) { x, _ in x.rounded(.up) }
    case .Round: return try integerArithmetic(n) { x, _ in x.rounded(.toNearestOrEven) }
    default:
      let cStyle = try n.int("fmod", default: 0) == 1
      return try integerArithmetic(n) { x, y in
        let r = fmod(x, y)
        return cStyle || r == 0 || (r < 0) == (y < 0) ? r : r + y
      }
    }
  }

  /// `f` of the known inputs, elementwise with broadcasting, as a known value.
  private func integerArithmetic(_ n: ONNXNode, _ f: (Double, Double) -> Double)
    throws(ONNXImportError) -> ONNXTensor
  {
    let a = try n.known(0, "operand")
    let b = n.inputs.count > 1 ? try n.known(1, "operand") : Tensor(0)
    guard let shape = broadcastShapes(a.shape, b.shape) else {
      throw n.invalid("its operands' shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    let x = broadcastValues(a, to: shape), y = broadcastValues(b, to: shape)
    let tensor = Tensor(shape: shape, scalars: zip(x, y).map(f), dtype: a.dtype)
    return n.knownValue(tensor, try n.input(0).elementType)
  }

  /// `Max`, `Min`, `Sum`, `Mean` of one or more inputs, broadcasting.
  func variadic(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    var terms: [Expr] = []
    for i in n.inputs.indices { terms.append(try n.expr(i)) }
    guard var result = terms.first else { throw n.invalid("\(n.opType) needs an input") }
    if terms.count == 1 { return result }
    switch self {
    case .Max: for t in terms.dropFirst() { result = max(result, t) }
    case .Min: for t in terms.dropFirst() { result = min(result, t) }
    case .Sum: result = terms.dropFirst().reduce(result, +)
    default: result = terms.dropFirst().reduce(result, +) / Double(terms.count)
    }
    return result
  }

  /// Comparisons (1 or 0) and the logical ops on 0/1 values: and = ab, or = max(a, b),
  /// xor = |a − b|.
  func comparison(_ n: ONNXNode) throws(ONNXImportError) -> Expr {
    let (a, b) = try operands(n)
    switch self {
    case .Equal: return equal(a, b)
    case .Less: return less(a, b)
    case .Greater: return greater(a, b)
    case .LessOrEqual: return lessEqual(a, b)
    case .GreaterOrEqual: return greaterEqual(a, b)
    case .And: return a * b
    case .Or: return max(a, b)
    default: return abs(a - b)
    }
  }
}

/// `t`'s elements broadcast (NumPy's rules) to `shape`, row-major.
func broadcastValues(_ t: Tensor, to shape: Shape) -> [Double] {
  if t.shape == shape { return t.scalars }
  let padded = Array(repeating: 1, count: shape.count - t.shape.count) + t.shape
  let strides = Tensor.strides(of: padded)
  let count = shape.elementCount
  var result = [Double](repeating: 0, count: count)
  var index = [Int](repeating: 0, count: shape.count)
  for k in 0..<count {
    var offset = 0
    for axis in shape.indices where padded[axis] != 1 { offset += index[axis] * strides[axis] }
    result[k] = t.scalars[offset]
    var axis = shape.count - 1
    while axis >= 0 {
      index[axis] += 1
      if index[axis] < shape[axis] { break }
      index[axis] = 0
      axis -= 1
    }
  }
  return result
}
