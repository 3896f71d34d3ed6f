/// How an op's output depends on its inputs, as sparsity analysis reads it: which inputs carry a
/// derivative, and which second derivatives the op itself makes.
enum SparsityRule: Equatable {
  /// No input carries a derivative (a comparison, sign, one_hot, x⁰).
  case constant
  /// Linear (or piecewise linear, as |x|, max, where and amax are) in the inputs it names (all
  /// when `nil`): derivatives pass, no second derivative is made.
  case linear(passing: [Int]?)
  /// Multilinear (a product, an einsum): second derivatives across distinct operands only.
  case product
  /// Every second derivative among the variables of its inputs.
  case nonlinear
}

extension Op {
  /// The sparsity table (ARCHITECTURE.md invariant 5): one exhaustive switch, so a new op does
  /// not build until it says how its output depends on its inputs.
  var sparsityRule: SparsityRule {
    switch self {
    case .variable, .constant: .constant
    case .add, .sumTo, .broadcastTo, .reshape, .slice, .pad, .cast, .patches, .unpatches:
      .linear(passing: nil)
    case .abs, .maximum, .minimum, .reduceMax: .linear(passing: nil)  // piecewise linear
    case .select: .linear(passing: [1, 2])  // the condition only selects
    case .mul, .einsum: .product
    case .pow(0): .constant
    case .pow(1): .linear(passing: nil)
    case .pow, .power, .exp, .ln, .sqrt, .sin, .cos, .tanh, .tan, .atan, .asin, .acos, .sinh,
      .cosh, .erf, .log1p, .expm1, .cbrt, .atan2, .custom:
      .nonlinear
    case .sign, .less, .lessEqual, .greater, .greaterEqual, .equal, .oneHot: .constant
    // Matrix functions as dense blocks: every output element reads every input element, and
    // every pair among them may have a second derivative (solve's b, which it is linear in,
    // included).
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet: .nonlinear
    // A loop as a dense block, as the matrix functions.
    case .scan: .nonlinear
    }
  }

  /// Which input elements each output element reads, per input (`nil` for an einsum, whose
  /// terms `EinsumSpec.forEachTerm` enumerates).
  func elementMaps(inputs: [Shape], output: Shape) -> [ElementMap]? {
    switch structure {
    case nil: return inputs.map { ElementMap.broadcasting($0, to: output) }
    case .einsum: return nil
    case .sumTo: return [ElementMap.reducing(inputs[0], to: output)]
    case .reduceMax(let axis): return [ElementMap.reducing(inputs[0], to: output, keeping: axis)]
    case .oneHot: return []  // constant in its input: nothing carries a derivative
    case .patches: return [ElementMap.moving(self, input: inputs[0], output: output)]
    case .unpatches(let w):  // element (k, o) is added where `patches` reads it from
      guard case .gather(let map) = ElementMap.moving(.patches(w), input: output, output: inputs[0])
      else { return nil }
      return [.reduce(map)]
    case .matrix, .scan: return inputs.map { ElementMap.dense($0, to: output) }
    case .broadcastTo, .reshape, .slice, .pad:
      if inputs[0].elementCount == 1 && output.elementCount == 1 { return [.scalar] }
      return [ElementMap.moving(self, input: inputs[0], output: output)]
    }
  }
}
