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
    case .exp: x[0].increasing(Foundation.exp, exactAt: 0)  // [eᵃ, eᵇ]
    case .ln:  // [ln a, ln b] of the part ≥ 0 (ln 0 = −∞)
      x[0].intersection(Interval(0, .infinity)).increasing(Foundation.log, exactAt: 1)
    case .sqrt:  // [√a, √b] of the part ≥ 0
      x[0].intersection(Interval(0, .infinity)).increasing(Foundation.sqrt, exactAt: 0)
    case .sin: x[0].periodic(Foundation.sin, crest: .pi / 2, trough: -.pi / 2, exactAt: 0)
    case .cos: x[0].periodic(Foundation.cos, crest: 0, trough: .pi)
    case .tanh:  // [tanh a, tanh b] ⊂ [−1, 1]
      x[0].increasing(Foundation.tanh, exactAt: 0).intersection(Interval(-1, 1))
    case .einsum(let spec):  // Σ over N index tuples of Π operands: N·Π
      spec.image(of: x, inputs: inputs, shapes: shapes)
    case .sumTo(let s):  // each element sums |x| / |s| elements of x
      x[0].repeated(shapes[0].elementCount / Swift.max(1, s.elementCount))
    case .broadcastTo: x[0]  // copies
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
