import Foundation

/// The one table of the values each op can take (interval arithmetic), read
/// by `Graph.risks(in:order:)`: given intervals that hold the inputs' values
/// (every element of a tensor), an interval that holds the op's.
extension Op {
  /// The image of the input intervals `x`; `inputs` are the input nodes (a
  /// node multiplied by itself is a power: x·x of [−1, 1] is [0, 1]) and
  /// `shapes` their shapes.
  func image(of x: [Interval], inputs: [NodeID], shapes: [Shape]) -> Interval {
    switch self {
    case .variable, .constant: preconditionFailure("leaves are bound by the caller")
    case .add: x.reduce(Interval(0), +)  // [Σ aᵢ, Σ bᵢ]
    case .mul: repeatedFactors(x, inputs.map { [$0.rawValue] })  // Π, equal factors as powers
    case .pow(let c): x[0].power(c)  // xᶜ where defined
    case .power: x[0].power(x[1])  // xʸ, monotone in x and in y for x > 0
    case .exp: x[0].increasing(Foundation.exp, exactAt: 0)  // [eᵃ, eᵇ]
    case .ln:  // [ln a, ln b] of the part ≥ 0 (ln 0 = −∞)
      x[0].intersection(Interval(0, .infinity)).increasing(Foundation.log, exactAt: 1)
    case .sqrt:  // [√a, √b] of the part ≥ 0
      x[0].intersection(Interval(0, .infinity)).increasing(Foundation.sqrt, exactAt: 0)
    case .sin: x[0].periodic(Foundation.sin, crest: .pi / 2, trough: -.pi / 2, exactAt: 0)
    case .cos: x[0].periodic(Foundation.cos, crest: 0, trough: .pi)
    case .tanh:  // [tanh a, tanh b] ⊂ [−1, 1]
      x[0].increasing(Foundation.tanh, exactAt: 0).intersection(Interval(-1, 1))
    case .abs: x[0].magnitude  // [min |x|, max |x|]
    case .sign: x[0].isEmpty ? .empty : Interval(signum(x[0].lower), signum(x[0].upper))
    case .maximum:  // max is nondecreasing in both
      x[0].isEmpty || x[1].isEmpty
        ? .empty
        : Interval(Swift.max(x[0].lower, x[1].lower), Swift.max(x[0].upper, x[1].upper))
    case .minimum:
      x[0].isEmpty || x[1].isEmpty
        ? .empty
        : Interval(Swift.min(x[0].lower, x[1].lower), Swift.min(x[0].upper, x[1].upper))
    case .less, .lessEqual, .greater, .greaterEqual, .equal: Interval(0, 1)  // masks
    case .select:  // a where c ≠ 0, b where c = 0
      x[0] == Interval(0) ? x[2] : x[0].contains(0) ? x[1].hull(x[2]) : x[1]
    case .tan:  // increasing between poles; unbounded across one
      x[0].lower > -.pi / 2 && x[0].upper < .pi / 2
        ? x[0].increasing(Foundation.tan, exactAt: 0) : .whole
    case .atan: x[0].increasing(Foundation.atan, exactAt: 0)
    case .asin: x[0].intersection(Interval(-1, 1)).increasing(Foundation.asin, exactAt: 0)
    case .acos:  // decreasing on [−1, 1]
      x[0].intersection(Interval(-1, 1)).decreasing(Foundation.acos, exactAt: 1)
    case .sinh: x[0].increasing(Foundation.sinh, exactAt: 0)
    case .cosh: x[0].magnitude.increasing(Foundation.cosh, exactAt: 0)  // cosh |x|
    case .erf: x[0].increasing(Foundation.erf, exactAt: 0).intersection(Interval(-1, 1))
    case .log1p:  // ln(1 + x) of the part ≥ −1
      x[0].intersection(Interval(-1, .infinity)).increasing(Foundation.log1p, exactAt: 0)
    case .expm1: x[0].increasing(Foundation.expm1, exactAt: 0)
    case .cbrt: x[0].increasing(Foundation.cbrt, exactAt: 0)
    case .atan2: x[0].isEmpty || x[1].isEmpty ? .empty : Interval(-.pi, .pi)  // an angle
    case .einsum(let spec):  // Σ over N index tuples of Π operands: N·Π
      spec.image(of: x, inputs: inputs, shapes: shapes)
    case .sumTo(let s):  // each element sums |x| / |s| elements of x
      x[0].repeated(shapes[0].elementCount / Swift.max(1, s.elementCount))
    case .broadcastTo, .reshape, .reduceMax, .slice: x[0]  // some of the input's elements
    case .pad, .patches: x[0].hull(Interval(0))  // and zeros
    case .unpatches(let w):  // each element a sum of up to K (one per tap) of the input's
      x[0].repeated(w.kernel.reduce(1, *)).hull(Interval(0))
    case .oneHot: Interval(0, 1)
    case .custom(let op): op.image(x)
    case .cast(let dtype): x[0].rounded(to: dtype)  // each end rounded outward
    // Unknown: elementwise bounds say nothing of a matrix's inverse or factors (an entry of
    // A⁻¹ grows without bound near a singular A).
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet:
      x.contains(where: \.isEmpty) ? .empty : .whole
    // Unknown: a loop's carries are bounded by no interval of one step.
    case .scan: x.contains(where: \.isEmpty) ? .empty : .whole
    }
  }
}

/// Π xᵢ with factors of equal `keys` (the same node, read the same way)
/// grouped into powers, so the product of a value with itself is a square.
func repeatedFactors(_ x: [Interval], _ keys: [[Int32]]) -> Interval {
  var product = Interval(1)
  var done = [Bool](repeating: false, count: x.count)
  for i in x.indices where !done[i] {
    var count = 0
    for j in i..<x.count where !done[j] && keys[j] == keys[i] {
      done[j] = true
      count += 1
    }
    product = product * x[i].power(Double(count))
  }
  return product
}

extension EinsumSpec {
  /// Each output element is a sum, over the index tuples of the labels
  /// missing from the output, of a product of one element per operand.
  func image(of x: [Interval], inputs: [NodeID], shapes: [Shape]) -> Interval {
    var extent: [Int: Int] = [:]
    for (labels, shape) in zip(operands, shapes) {
      for (label, size) in zip(labels, shape) { extent[label] = size }
    }
    let summed = Set(operands.flatMap { $0 }).subtracting(output)
    let terms = summed.reduce(1) { $0 * (extent[$1] ?? 1) }
    let keys = zip(inputs, operands).map { [$0.rawValue] + $1.map(Int32.init) }
    return repeatedFactors(x, keys).repeated(terms)
  }
}
