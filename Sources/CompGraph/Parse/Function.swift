/// The functions the expression language can call.  The ops called by their
/// own name come from the op kinds (`Op.callable`); the rest is sugar over them.
enum Function: Equatable {
  case op(Op)
  case sugar(Sugar)

  /// Functions built from ops, by their name in the language.
  enum Sugar: String, CaseIterable {
    case log, log2, log10, relu, sigmoid, softplus, pow, sum, mean, amax, matmul, transpose, trace
    case dot, einsum, reshape, slice, index, pad, concat, gather, logsumexp, softmax, logsoftmax
    case oneHot = "one_hot"
    case crossEntropy = "cross_entropy"
    /// `broadcast_to(x, 2x3)` and `sum_to(x, 3)`: the spellings of the ops
    /// derivatives are written with, so every printed derivative reads back.
    case broadcastTo = "broadcast_to"
    case sumTo = "sum_to"
    /// `cast(x, f32)`: the `cast` op, whose element type is a word.
    case cast
    /// `solve(A, B)`, B a matrix or a vector.
    case solve
    /// `triangular_solve(L, B, lower, transpose)`, the flags 1 or 0 (default 1, 0).
    case triangularSolve = "triangular_solve"
    /// Activations (ONNX's meanings and defaults): `gelu(x)`, `gelu(x, 1)` (tanh), `elu(x, α)`,
    /// `selu(x, α, γ)`, `prelu(x, slope)`, `clip(x, low, high)`, `softsign(x)`,
    /// `leaky_relu(x, α)`, `hard_sigmoid(x, α, β)`; the numbers are literals, optional.
    case gelu, elu, selu, prelu, clip, softsign
    case leakyRelu = "leaky_relu"
    case hardSigmoid = "hard_sigmoid"
    /// `batch_norm(x, scale, bias, mean, variance[, ε])` with given statistics,
    /// `batch_norm(x, scale, bias[, ε])` with the batch's; `instance_norm(x, scale, bias[, ε])`;
    /// `lrn(x, size[, α, β, bias])`.
    case batchNorm = "batch_norm"
    case instanceNorm = "instance_norm"
    case lrn
    /// Layout: `transpose(x, 2, 0, 1)`, `squeeze(x[, axes…])`, `unsqueeze(x, axes…)`,
    /// `flatten(x[, axis])`, `tile(x, repeats…)`, `expand(x, 2x1x3)`.
    case squeeze, unsqueeze, flatten, tile, expand
    /// `patches(x, axis, K…, s…, b…, e…, d…)` and `unpatches(y, axis, D…, K…, s…, b…, e…, d…)`:
    /// the primitives with every number of their window, as listings print them.
    case patches, unpatches
    /// `conv(x, w[, bias][, stride, pad, dilation, groups])` and `conv_transpose(x, w[, bias][,
    /// stride, pad, output_padding, dilation, groups])`: one stride, pad (each side), dilation
    /// and output padding for every spatial axis.
    case conv
    case convTranspose = "conv_transpose"
    /// `max_pool(x, kernel[, stride, pad, dilation, ceil])` and `average_pool(x, kernel[, stride,
    /// pad, count_include_pad, ceil])`: a square (cubic…) kernel; the flags 1 or 0.
    case maxPool = "max_pool"
    case averagePool = "average_pool"
    case globalAveragePool = "global_average_pool"
    case globalMaxPool = "global_max_pool"
  }

  /// Whether the call ends with a shape (`, 2x3`) after its expression.
  var takesShape: Bool {
    self == .sugar(.broadcastTo) || self == .sugar(.sumTo) || self == .sugar(.reshape)
      || self == .sugar(.expand)
  }

  /// Whether the call ends with an element type (`, f32`) after its expression.
  var takesDType: Bool { self == .sugar(.cast) }

  /// Every callable name, sorted.
  static let names: [String] = (Array(Op.callable.keys) + Sugar.allCases.map(\.rawValue)).sorted()

  init?(named name: String) {
    if let op = Op.callable[name] {
      self = .op(op)
    } else if let sugar = Sugar(rawValue: name) {
      self = .sugar(sugar)
    } else {
      return nil
    }
  }

  /// How many expression arguments it takes (einsum's come after its subscript string).
  var arity: Arity {
    switch self {
    case .op(let op): op.info.arity
    case .sugar(let sugar):
      switch sugar {
      case .log, .sum, .mean, .amax, .logsumexp, .softmax, .logsoftmax, .gelu, .elu, .leakyRelu,
        .flatten:
        .between(1, 2)
      case .selu, .clip, .hardSigmoid: .between(1, 3)
      case .batchNorm: .between(3, 6)
      case .instanceNorm: .between(3, 4)
      case .lrn: .between(2, 5)
      case .transpose, .squeeze: .atLeast(1)
      case .unsqueeze, .tile: .atLeast(2)
      case .pow, .matmul, .dot, .oneHot, .gather, .crossEntropy, .solve, .prelu: .exactly(2)
      case .triangularSolve: .between(2, 4)
      case .index: .exactly(3)
      case .slice, .pad: .exactly(4)
      case .einsum: .atLeast(1)
      case .patches: .atLeast(7)
      case .unpatches: .atLeast(8)
      case .conv: .between(2, 7)
      case .convTranspose: .between(2, 8)
      case .maxPool, .averagePool: .between(2, 6)
      case .globalAveragePool, .globalMaxPool: .exactly(1)
      case .concat: .atLeast(2)
      case .log2, .log10, .relu, .sigmoid, .softplus, .trace, .broadcastTo, .sumTo, .reshape,
        .cast, .softsign, .expand:
        .exactly(1)
      }
    }
  }

  /// The arity as an error message says it.
  var arityDescription: String {
    switch arity {
    case _ where takesShape: "an expression and a shape such as 2x3"
    case _ where takesDType: "an expression and an element type, f32 or f64"
    case .exactly(1): "1 argument"
    case .exactly(let n): "\(n) arguments"
    case .between(let low, let high): "\(low) or \(high) arguments"
    case .atLeast(let n) where self == .sugar(.einsum):
      "a subscript string and at least \(n) operand"
    case .atLeast(1): "at least 1 argument"
    case .atLeast(let n): "at least \(n) arguments"
    }
  }

  /// Builds the call; `arguments.count` fits `arity`, and `literal` is
  /// einsum's subscript string or the shape of `broadcast_to`/`sum_to`/
  /// `reshape`.  Axes, extents and sizes must be integer literals.
  func apply(_ arguments: [Operand], literal: Literal) -> Operand {
    let x = arguments[0].expr
    let sugar: Sugar
    switch self {
    case .op(let op): return Operand(Expr.apply(op, arguments.map(\.expr)))
    case .sugar(let s): sugar = s
    }
    /// The integer literals among `arguments[range]` (`nil` if one is not).
    func integers(_ range: some RangeExpression<Int>) -> [Int]? {
      let values = arguments[range].map { $0.value.flatMap { Int(exactly: $0) } }
      return values.contains(nil) ? nil : values.map { $0! }
    }
    let axis = arguments.count == 2 ? integers(1...).map { $0[0] } : -1
    /// The number literals among `arguments[range]` (`nil` if one is not).
    func numbers(_ range: some RangeExpression<Int>) -> [Double]? {
      let values = arguments[range].map(\.value)
      return values.contains(nil) ? nil : values.map { $0! }
    }
    func needs<T>(_ parameters: [T]?, _ build: ([T]) -> Expr) -> Operand {
      guard let parameters else {
        let kind = T.self == Int.self ? "axes, extents and sizes" : "its parameters"
        let what = T.self == Int.self ? "integer numbers" : "numbers"
        return Operand(
          Expr(
            x.builder,
            .failure(
              .unsupported("\(sugar.rawValue): \(kind) must be \(what), as in \(sugar.example)"))))
      }
      return Operand(build(parameters))
    }
    /// `build` with the number literals from `arguments[1...]`, the absent ones `defaults`.
    func withNumbers(_ defaults: [Double], _ build: ([Double]) -> Expr) -> Operand {
      needs(numbers(1...)) { given in build(given + defaults.dropFirst(given.count)) }
    }
    /// The operand at `i` as a clip bound: `nil` when absent or an infinite literal of `sign`.
    func bound(_ i: Int, _ sign: Double) -> Expr? {
      guard i < arguments.count, arguments[i].value != sign * .infinity else { return nil }
      return arguments[i].expr
    }
    switch sugar {
    case .log:
      return Operand(arguments.count == 2 ? CompGraph.log(x, base: arguments[1].expr) : ln(x))
    case .log2: return Operand(CompGraph.log2(x))
    case .log10: return Operand(CompGraph.log10(x))
    case .relu: return Operand(CompGraph.relu(x))
    case .sigmoid: return Operand(CompGraph.sigmoid(x))
    case .softplus: return Operand(CompGraph.softplus(x))
    case .pow: return arguments[0].raised(to: arguments[1])
    case .sum where arguments.count == 1: return Operand(x.sum())
    case .sum: return needs(axis.map { [$0] }) { CompGraph.sum(x, axis: $0[0]) }
    case .mean where arguments.count == 1: return Operand(x.mean())
    case .mean: return needs(axis.map { [$0] }) { CompGraph.mean(x, axis: $0[0]) }
    case .amax: return needs(axis.map { [$0] }) { CompGraph.amax(x, axis: $0[0]) }
    case .logsumexp: return needs(axis.map { [$0] }) { CompGraph.logsumexp(x, axis: $0[0]) }
    case .softmax: return needs(axis.map { [$0] }) { CompGraph.softmax(x, axis: $0[0]) }
    case .logsoftmax: return needs(axis.map { [$0] }) { CompGraph.logsoftmax(x, axis: $0[0]) }
    case .reshape: return Operand(CompGraph.reshape(x, literal.shape))
    case .slice:
      return needs(integers(1...)) { CompGraph.slice(x, axis: $0[0], start: $0[1], end: $0[2]) }
    case .index: return needs(integers(1...)) { CompGraph.index(x, axis: $0[0], $0[1]) }
    case .pad:
      return needs(integers(1...)) { CompGraph.pad(x, axis: $0[0], before: $0[1], after: $0[2]) }
    case .concat:
      return needs(integers((arguments.count - 1)...)) {
        CompGraph.concat(arguments.dropLast().map(\.expr), axis: $0[0])
      }
    case .oneHot: return needs(integers(1...)) { CompGraph.oneHot(x, $0[0]) }
    case .gather: return Operand(CompGraph.gather(x, arguments[1].expr))
    case .crossEntropy: return Operand(CompGraph.crossEntropy(x, arguments[1].expr))
    case .matmul: return Operand(CompGraph.matmul(x, arguments[1].expr))
    case .transpose where arguments.count == 1: return Operand(CompGraph.transpose(x))
    case .transpose: return needs(integers(1...)) { CompGraph.transpose(x, $0) }
    case .squeeze where arguments.count == 1: return Operand(CompGraph.squeeze(x))
    case .squeeze: return needs(integers(1...)) { CompGraph.squeeze(x, axes: $0) }
    case .unsqueeze: return needs(integers(1...)) { CompGraph.unsqueeze(x, axes: $0) }
    case .flatten: return needs(integers(1...)) { CompGraph.flatten(x, axis: $0.first ?? 1) }
    case .tile: return needs(integers(1...)) { CompGraph.tile(x, repeats: $0) }
    case .expand: return Operand(CompGraph.expand(x, literal.shape))
    case .gelu:
      return needs(integers(1...).flatMap { $0.allSatisfy { $0 == 0 || $0 == 1 } ? $0 : nil }) {
        CompGraph.gelu(x, approximate: $0.first == 1)
      }
    case .elu: return withNumbers([1]) { CompGraph.elu(x, alpha: $0[0]) }
    case .selu:
      return withNumbers([1.67326319217681884765625, 1.05070102214813232421875]) {
        CompGraph.selu(x, alpha: $0[0], gamma: $0[1])
      }
    case .leakyRelu: return withNumbers([0.01]) { CompGraph.leakyRelu(x, alpha: $0[0]) }
    case .hardSigmoid:
      return withNumbers([0.2, 0.5]) { CompGraph.hardSigmoid(x, alpha: $0[0], beta: $0[1]) }
    case .prelu: return Operand(CompGraph.prelu(x, arguments[1].expr))
    case .clip: return Operand(CompGraph.clip(x, min: bound(1, -1), max: bound(2, 1)))
    case .softsign: return Operand(CompGraph.softsign(x))
    case .batchNorm:
      let e = arguments.map(\.expr)
      let inference = arguments.count >= 5
      let epsilon =
        arguments.count == 4 || arguments.count == 6 ? numbers((arguments.count - 1)...) : [1e-5]
      return needs(epsilon) { epsilon in
        inference
          ? CompGraph.batchNorm(
            x, scale: e[1], bias: e[2], mean: e[3], variance: e[4], epsilon: epsilon[0])
          : CompGraph.batchNorm(x, scale: e[1], bias: e[2], epsilon: epsilon[0])
      }
    case .instanceNorm:
      return needs(arguments.count == 4 ? numbers(3...) : [1e-5]) {
        CompGraph.instanceNorm(
          x, scale: arguments[1].expr, bias: arguments[2].expr, epsilon: $0[0])
      }
    case .lrn:
      return needs(integers(1...1)) { size in
        withNumbers([Double(size[0]), 1e-4, 0.75, 1]) {
          CompGraph.localResponseNorm(x, size: size[0], alpha: $0[1], beta: $0[2], bias: $0[3])
        }.expr
      }
    case .trace: return Operand(CompGraph.trace(x))
    case .dot: return Operand(CompGraph.dot(x, arguments[1].expr))
    case .einsum: return Operand(CompGraph.einsum(literal.subscripts, arguments.map(\.expr)))
    case .broadcastTo: return Operand(x.broadcast(to: literal.shape))
    case .sumTo: return Operand(x.sum(to: literal.shape))
    case .cast: return Operand(CompGraph.cast(x, literal.dtype))
    case .solve: return Operand(CompGraph.solve(x, arguments[1].expr))
    case .patches, .unpatches:
      let groups = sugar == .patches ? 5 : 6
      return needs(integers(1...).flatMap { $0.count % groups == 1 ? $0 : nil }) { numbers in
        let d = numbers.count / groups
        let lists = (0..<groups).map { Array(numbers[(1 + $0 * d)..<(1 + ($0 + 1) * d)]) }
        let tail = Array(lists.suffix(5))
        let window = Window(
          axis: numbers[0],
          size: sugar == .patches
            ? (x.shape ?? []).dropFirst(Swift.max(0, numbers[0])).prefix(d).map { $0 } : lists[0],
          kernel: tail[0], strides: tail[1], padsBegin: tail[2], padsEnd: tail[3],
          dilations: tail[4])
        return sugar == .patches ? CompGraph.patches(x, window) : CompGraph.unpatches(x, window)
      }
    case .conv, .convTranspose:
      // The tensors, then the integers.
      let tensors = arguments.prefix { $0.value == nil }.count
      guard tensors == 2 || tensors == 3 else {
        return needs(nil as [Int]?) { _ in x }
      }
      let w = arguments[1].expr
      let bias = tensors == 3 ? arguments[2].expr : nil
      let d = Swift.max(0, (w.shape?.count ?? 2) - 2)
      let each = { (n: Int) in Array(repeating: n, count: d) }
      return needs(integers(tensors...)) { n in
        let defaults = sugar == .conv ? [1, 0, 1, 1] : [1, 0, 0, 1, 1]
        let v = n + defaults.dropFirst(n.count)
        if sugar == .conv {
          return CompGraph.conv(
            x, w, bias: bias, strides: each(v[0]), pads: .explicit(each(v[1]) + each(v[1])),
            dilations: each(v[2]), groups: v[3])
        }
        return CompGraph.convTranspose(
          x, w, bias: bias, strides: each(v[0]), pads: .explicit(each(v[1]) + each(v[1])),
          outputPadding: each(v[2]), dilations: each(v[3]), groups: v[4])
      }
    case .maxPool, .averagePool:
      let flags = sugar == .maxPool ? [4] : [3, 4]
      return needs(
        integers(1...).flatMap { n in
          flags.allSatisfy { n.count <= $0 || n[$0] == 0 || n[$0] == 1 } ? n : nil
        }
      ) { n in
        let d = Swift.max(0, (x.shape?.count ?? 2) - 2)
        let each = { (k: Int) in Array(repeating: k, count: d) }
        let v = n + [1, 0, sugar == .maxPool ? 1 : 0, 0].dropFirst(n.count - 1)
        if sugar == .maxPool {
          return CompGraph.maxPool(
            x, kernel: each(v[0]), strides: each(v[1]), pads: .explicit(each(v[2]) + each(v[2])),
            dilations: each(v[3]), ceilMode: v[4] == 1)
        }
        return CompGraph.averagePool(
          x, kernel: each(v[0]), strides: each(v[1]), pads: .explicit(each(v[2]) + each(v[2])),
          ceilMode: v[4] == 1, countIncludePad: v[3] == 1)
      }
    case .globalAveragePool: return Operand(CompGraph.globalAveragePool(x))
    case .globalMaxPool: return Operand(CompGraph.globalMaxPool(x))
    case .triangularSolve:
      let flags = arguments.count > 2 ? integers(2...) : []
      return needs(flags.flatMap { $0.allSatisfy { $0 == 0 || $0 == 1 } ? $0 : nil }) { flags in
        CompGraph.triangularSolve(
          x, arguments[1].expr, lower: flags.first.map { $0 == 1 } ?? true,
          transpose: flags.count > 1 && flags[1] == 1)
      }
    }
  }

  /// The closest callable name to a misspelt one (see `closest(to:in:)`).
  static func suggestion(for name: String) -> String? {
    closest(to: name, in: names)
  }
}

/// The argument of a call that is not an expression.
enum Literal {
  case none
  /// einsum's `"ij,jk->ik"`, without the quotes.
  case subscripts(String)
  /// The `2x3` of `broadcast_to(x, 2x3)`.
  case shape(Shape)
  /// The `f32` of `cast(x, f32)`.
  case dtype(DType)

  var subscripts: String {
    if case .subscripts(let text) = self { return text }
    return ""
  }

  var shape: Shape {
    if case .shape(let shape) = self { return shape }
    return []
  }

  var dtype: DType {
    if case .dtype(let dtype) = self { return dtype }
    return .f64
  }
}

/// The closest of `candidates` to a misspelt `name`, first alphabetically on
/// a tie: at most one edit in names of up to 5 letters (`sqr` → `sqrt`, never
/// `atan` → `mean`), two in longer ones (`sigmod` → `sigmoid`).
func closest(to name: String, in candidates: [String]) -> String? {
  let limit = name.count <= 5 ? 1 : 2
  // The distance is at least the difference in length: far longer names
  // (a megabyte-long identifier) are not compared at all.
  let scored = candidates.filter { abs($0.count - name.count) <= limit }.sorted().map {
    (name: $0, distance: editDistance(name, $0))
  }
  guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= limit else {
    return nil
  }
  return best.name
}

extension Function.Sugar {
  /// A call with integer parameters, for messages.
  var example: String {
    switch self {
    case .sum, .mean, .amax, .logsumexp, .softmax, .logsoftmax: "\(rawValue)(A, 1)"
    case .slice: "slice(A, 0, 1, 3)"
    case .index: "index(A, 1, 0)"
    case .pad: "pad(A, 0, 1, 2)"
    case .concat: "concat(A, B, 0)"
    case .oneHot: "one_hot(i, 10)"
    case .triangularSolve: "triangular_solve(L, B, 1, 0) (lower 1 or 0, transpose 1 or 0)"
    case .transpose: "transpose(A, 2, 0, 1)"
    case .squeeze, .unsqueeze: "\(rawValue)(A, 0, 2)"
    case .flatten: "flatten(A, 1)"
    case .tile: "tile(A, 2, 1)"
    case .gelu: "gelu(x, 1) (1 for the tanh approximation, 0 for the exact one)"
    case .elu: "elu(x, 1.0)"
    case .selu: "selu(x, 1.6733, 1.0507)"
    case .leakyRelu: "leaky_relu(x, 0.01)"
    case .hardSigmoid: "hard_sigmoid(x, 0.2, 0.5)"
    case .batchNorm: "batch_norm(X, scale, bias, mean, variance, 1e-5)"
    case .instanceNorm: "instance_norm(X, scale, bias, 1e-5)"
    case .lrn: "lrn(X, 5, 0.0001, 0.75, 1)"
    case .patches: "patches(x, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1) (axis, then K, s, b, e, d per axis)"
    case .unpatches:
      "unpatches(y, 2, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1) (axis, then D, K, s, b, e, d per axis)"
    case .conv: "conv(x, w, b, 1, 1) (stride, pad, dilation, groups)"
    case .convTranspose:
      "conv_transpose(x, w, 2, 0, 1) (stride, pad, output_padding, dilation, groups)"
    case .maxPool: "max_pool(x, 2, 2) (kernel, stride, pad, dilation, ceil 1 or 0)"
    case .averagePool:
      "average_pool(x, 2, 2) (kernel, stride, pad, count_include_pad 1 or 0, ceil 1 or 0)"
    case .solve, .log, .log2, .log10, .relu, .sigmoid, .softplus, .pow, .matmul, .trace, .dot,
      .einsum, .gather, .crossEntropy, .broadcastTo, .sumTo, .reshape, .cast, .prelu, .clip,
      .softsign, .expand, .globalAveragePool, .globalMaxPool:
      "\(rawValue)(…)"
    }
  }
}

/// Levenshtein distance: insertions, deletions and substitutions of characters.
private func editDistance(_ a: String, _ b: String) -> Int {
  let b = Array(b)
  var previous = Array(0...b.count)
  for (i, x) in a.enumerated() {
    var current = [i + 1]
    for (j, y) in b.enumerated() {
      current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
    }
    previous = current
  }
  return previous[b.count]
}
