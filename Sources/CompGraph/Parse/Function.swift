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
  }

  /// Whether the call ends with a shape (`, 2x3`) after its expression.
  var takesShape: Bool {
    self == .sugar(.broadcastTo) || self == .sugar(.sumTo) || self == .sugar(.reshape)
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
      case .log, .sum, .mean, .amax, .logsumexp, .softmax, .logsoftmax: .between(1, 2)
      case .pow, .matmul, .dot, .oneHot, .gather, .crossEntropy, .solve: .exactly(2)
      case .triangularSolve: .between(2, 4)
      case .index: .exactly(3)
      case .slice, .pad: .exactly(4)
      case .einsum: .atLeast(1)
      case .concat: .atLeast(2)
      case .log2, .log10, .relu, .sigmoid, .softplus, .transpose, .trace, .broadcastTo, .sumTo,
        .reshape, .cast:
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
    func needs(_ parameters: [Int]?, _ build: ([Int]) -> Expr) -> Operand {
      guard let parameters else {
        return Operand(
          Expr(
            x.builder,
            .failure(
              .unsupported(
                "\(sugar.rawValue): axes, extents and sizes must be integer numbers, as in \(sugar.example)"
              ))))
      }
      return Operand(build(parameters))
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
    case .transpose: return Operand(CompGraph.transpose(x))
    case .trace: return Operand(CompGraph.trace(x))
    case .dot: return Operand(CompGraph.dot(x, arguments[1].expr))
    case .einsum: return Operand(CompGraph.einsum(literal.subscripts, arguments.map(\.expr)))
    case .broadcastTo: return Operand(x.broadcast(to: literal.shape))
    case .sumTo: return Operand(x.sum(to: literal.shape))
    case .cast: return Operand(CompGraph.cast(x, literal.dtype))
    case .solve: return Operand(CompGraph.solve(x, arguments[1].expr))
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
    case .solve, .log, .log2, .log10, .relu, .sigmoid, .softplus, .pow, .matmul, .transpose, .trace,
      .dot,
      .einsum, .gather, .crossEntropy, .broadcastTo, .sumTo, .reshape, .cast:
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
