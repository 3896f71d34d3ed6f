/// Graph nodes back to expression text in the language `parseProgram` reads:
///
///     sqrt(p + p + q)/3 + ln(p*(p*q)) + 3        x^2        1/x        -x*y
///     exp(x)        einsum("ij,jk->ik", A, B)        sum(v)
///
/// Parentheses are the fewest the precedences need (`+ -` < `* /` < unary
/// minus < `^`; `*` and `+` are treated as associative).  A product is
/// written with its scalar constants first and its negative-power factors
/// as divisors (`2*x/y^2`); a term whose coefficient is negative is
/// subtracted (`a - 2*x`); scalar constants come last in a sum (`x + 3`).
/// The shape ops are written `sum_to(x, 2x3)` and `broadcast_to(x, 2x3)`,
/// a tensor constant as a nested array (`[[1, 2], [3, 4]]`), or as
/// `broadcast_to(1, 2x3)` when every element is the same: all of it reads
/// back with `parseProgram`.  A zero constant prints unsigned (`0`, never
/// `-0`): its sign could change only the sign of a zero result.
///
/// The same printer writes LaTeX, Python (NumPy or JAX) and C expressions (`TextFormat`).
///
/// Printing is one explicit stack: no recursion on graph depth.
extension Graph {
  /// The expression of `id` with every shared node written out where it is
  /// used.  On a DAG with much sharing (a high-order derivative) this text
  /// grows exponentially: use `infixLines` there.
  public func infix(of id: NodeID) -> String {
    InfixPrinter(self, names: [:], format: .compgraph).text(of: id)
  }

  /// The expressions of `ids`, each cut to its first `limit` characters
  /// and `…` when longer (so a node with much sharing prints quickly).
  public func infix(of ids: [NodeID], limit: Int) -> [String] {
    let printer = InfixPrinter(self, names: [:], format: .compgraph)
    return ids.map { printer.text(of: $0, limit: limit) }
  }

  /// The outputs as `name = expression` lines, preceded by `let tK = …`
  /// lines for shared subexpressions, so the text stays linear in the size
  /// of the graph:
  ///
  ///     let t1 = sqrt(p + p + q)
  ///     f = t1/3 + ln(p*(p*q)) + 3
  ///     ∂f/∂p = 1/(3*t1) + …
  ///
  /// **Policy.** When all the outputs written out in full take at most
  /// `inlineLimit` characters together, nothing is named (the lines then
  /// read back with any parser).  Otherwise an operation gets a name when it is used more than once
  /// (by other printed nodes or as an output) and its text, with the names
  /// already given, is longer than `sharingThreshold` characters; smaller
  /// shared nodes (`x^2`, `exp(x)`) are repeated inline, which costs at most
  /// `sharingThreshold` characters per use.  Names are `t1`, `t2`, … in node
  /// order (`_t1` … when the graph has a variable called like that).
  public func infixLines(sharingThreshold: Int = 16, inlineLimit: Int = 400) -> [String] {
    let (lets, results) = infixDefinitions(
      .compgraph, sharingThreshold: sharingThreshold, inlineLimit: inlineLimit)
    return lets.map { "let \($0.name) = \($0.text)" } + results.map { "\($0.name) = \($0.text)" }
  }

  /// The shared subexpressions `infixLines` names and the outputs, as `(name, text)` pairs in
  /// `format`, each variable written under its name in `renamed` if it has one there.
  func infixDefinitions(
    _ format: TextFormat, renamed: [String: String] = [:], sharingThreshold: Int = 16,
    inlineLimit: Int = 400
  ) -> (lets: [(name: String, text: String)], outputs: [(name: String, text: String)]) {
    let repeated = format == .c ? repeatedInC() : []
    let fits = expandedLengthsFit(inlineLimit)
    let names =
      fits && repeated.isEmpty
      ? [:] : sharedNames(threshold: fits ? 1 << 40 : sharingThreshold, always: repeated)
    let printer = InfixPrinter(self, names: names, format: format, renamed: renamed)
    let lets = ids.compactMap { id in
      names[id].map { ($0, printer.text(of: id, expandingName: true)) }
    }
    return (lets, zip(outputNames, outputs).map { ($0, printer.text(of: $1)) })
  }

  /// Whether the outputs, with shared nodes written out, are estimated to
  /// take at most `limit` characters together (one forward loop, lengths
  /// saturated).
  private func expandedLengthsFit(_ limit: Int) -> Bool {
    var length = [Int](repeating: 0, count: nodeCount)
    for id in ids {
      let total = inputs(id).reduce(InfixPrinter.ownLength(op(id))) { $0 + length[$1.index] + 3 }
      length[id.index] = Swift.min(total, limit + 1)
    }
    return outputs.reduce(0) { Swift.min($0 + length[$1.index], limit + 1) } <= limit
  }

  /// The operations whose text C writes more than once, being the operands of an op whose C
  /// spelling repeats an operand (`sign`, `max` and `min`: C has no expression for them that
  /// reads its operand once); they are always named.
  private func repeatedInC() -> Set<NodeID> {
    var repeated: Set<NodeID> = []
    for id in ids where op(id).kind.spelling?.c.repeatsAnOperand == true {
      repeated.formUnion(inputs(id).filter { !op($0).isLeaf })
    }
    return repeated
  }

  /// The names `infixLines` gives shared nodes (see its policy), and `always` named.  One
  /// forward loop estimating each node's printed length.
  private func sharedNames(threshold: Int, always: Set<NodeID> = []) -> [NodeID: String] {
    var uses = [Int](repeating: 0, count: nodeCount)
    for id in ids { for input in inputs(id) { uses[input.index] += 1 } }
    for output in outputs { uses[output.index] += 1 }
    let variableNames = Set(variables.map(\.name))
    var prefix = "t"
    while variableNames.contains(where: {
      $0.hasPrefix(prefix) && Int($0.dropFirst(prefix.count)) != nil
    }) {
      prefix = "_" + prefix
    }
    var names: [NodeID: String] = [:]
    var length = [Int](repeating: 0, count: nodeCount)
    for id in ids {
      let own = InfixPrinter.ownLength(op(id))
      let total = inputs(id).reduce(own) { sum, input in
        sum + (names[input]?.count ?? length[input.index]) + 3
      }
      length[id.index] = Swift.min(total, threshold + 1)
      if !op(id).isLeaf, (uses[id.index] > 1 && total > threshold) || always.contains(id) {
        names[id] = prefix + String(names.count + 1)
      }
    }
    return names
  }
}

/// Precedence of a node's printed form: higher binds tighter.
enum InfixLevel: Int, Comparable, Sendable {
  case comparison = 0, sum, product, negation, power, atom
  static func < (a: InfixLevel, b: InfixLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The printer behind `Graph.infix`: each node's outer form (precedence,
/// leading minus) is computed once, then text is emitted from a stack of
/// pending pieces.
private struct InfixPrinter {
  /// What a node prints as, from outside.
  struct Form {
    var level: InfixLevel
    var leadingMinus: Bool
  }

  /// Where a node is printed: the weakest level it may have there without
  /// parentheses, whether a leading `-` is allowed, and whether its sign
  /// was already written by the caller (a subtracted term).
  struct Slot {
    var minimum: InfixLevel
    var allowsMinus: Bool
    var magnitude = false

    static let free = Slot(minimum: .sum, allowsMinus: true)
    /// A whole expression or a call's argument: comparisons need no parentheses.
    static let whole = Slot(minimum: .comparison, allowsMinus: true)
  }

  enum Piece {
    case text(String)
    case node(NodeID, Slot)
  }

  let graph: Graph
  let names: [NodeID: String]
  let format: TextFormat
  /// The variables written under another name (C's `out_` for a variable `out`).
  let renamed: [String: String]
  /// Whether each node's text starts with `-` (see `leadingMinus(_:)`).
  private(set) var leadingMinus: [Bool] = []

  init(
    _ graph: Graph, names: [NodeID: String], format: TextFormat, renamed: [String: String] = [:]
  ) {
    self.graph = graph
    self.names = names
    self.format = format
    self.renamed = renamed
    leadingMinus = Self.leadingMinus(self)
  }

  /// The text of `id`; `expandingName` prints a named node's definition
  /// instead of its name; text past `limit` characters is cut to `…`.
  func text(of id: NodeID, expandingName: Bool = false, limit: Int = .max) -> String {
    var out = ""
    var stack: [Piece] = []
    if expandingName {
      stack.append(contentsOf: pieces(id, .whole).reversed())
    } else {
      stack.append(.node(id, .whole))
    }
    while let piece = stack.popLast() {
      if out.utf8.count > limit { return String(out.prefix(limit)) + "…" }
      switch piece {
      case .text(let text): out += text
      case .node(let node, let slot):
        if let name = names[node] {
          out += format.name(name)
          continue
        }
        let form = form(node, magnitude: slot.magnitude)
        let parenthesised = form.level < slot.minimum || (form.leadingMinus && !slot.allowsMinus)
        var inner = slot
        inner.minimum = .sum
        inner.allowsMinus = true
        if parenthesised { stack.append(.text(format.close)) }
        stack.append(contentsOf: pieces(node, parenthesised ? inner : slot).reversed())
        if parenthesised { stack.append(.text(format.open)) }
      }
    }
    return out
  }

  // MARK: Forms

  /// Whether each node's text starts with `-`, in one forward loop (a
  /// sum or product leads with its first operand's sign).
  static func leadingMinus(_ printer: InfixPrinter) -> [Bool] {
    var leads = [Bool](repeating: false, count: printer.graph.nodeCount)
    for id in printer.graph.ids where printer.names[id] == nil {
      switch printer.graph.op(id) {
      case .constant: leads[id.index] = printer.isNegative(id)
      case .add: leads[id.index] = leads[printer.terms(id)[0].index]
      case .mul:
        // A LaTeX fraction leads with its own sign only: its numerator is inside \frac{…}.
        let (coefficient, numerator, divisors) = printer.split(id)
        let fraction = printer.format == .latex && !divisors.isEmpty
        leads[id.index] =
          printer.isNegative(id)
          || (coefficient == nil && !fraction && numerator.first.map { leads[$0.index] } ?? false)
      default: break
      }
    }
    return leads
  }

  func form(_ id: NodeID, magnitude: Bool) -> Form {
    if names[id] != nil { return Form(level: .atom, leadingMinus: false) }
    switch graph.op(id).written {
    case .row(let spelling):
      return Form(level: spelling.template(format).level, leadingMinus: false)
    case .constant(let t) where t.isScalar:
      let negative = leadingMinus[id.index] && !magnitude
      return Form(level: negative ? .negation : .atom, leadingMinus: negative)
    case .add: return Form(level: .sum, leadingMinus: leadingMinus[id.index])
    // A subtracted product drops its sign, and its first factor is then parenthesised if it has
    // one of its own.
    case .mul: return Form(level: .product, leadingMinus: leadingMinus[id.index] && !magnitude)
    // C writes a power as a call, LaTeX 1/x as a fraction.
    case .pow(let c):
      let call = format == .c || (format == .latex && c < 0)
      return Form(level: call ? .atom : c < 0 ? .product : .power, leadingMinus: false)
    case .structure(.einsum(let spec)) where format == .latex:
      return Form(level: LaTeXEinsum(spec).level(spec), leadingMinus: false)
    case .variable, .constant, .cast, .custom, .structure:
      return Form(level: .atom, leadingMinus: false)
    }
  }

  /// Whether a term prints with a leading minus that a sum can turn into
  /// a subtraction: a negative constant or a product with one.
  func isNegative(_ id: NodeID) -> Bool {
    if names[id] != nil { return false }
    switch graph.op(id) {
    case .constant(let t) where t.isScalar: return unsignedZero(t.scalars[0]) < 0
    case .mul: return (split(id).coefficient ?? 0) < 0
    default: return false
    }
  }

  func scalarConstant(_ id: NodeID) -> Double? {
    if names[id] == nil, case .constant(let t) = graph.op(id), t.isScalar, !t.scalars[0].isNaN {
      return unsignedZero(t.scalars[0])
    }
    return nil
  }

  /// A sum's terms with scalar constants last.  LaTeX computes nothing, so it also splices in
  /// unnamed inner sums: a + (−b + c) reads `a - b + c`.
  func terms(_ id: NodeID) -> [NodeID] {
    var inputs: [NodeID] = []
    var pending = Array(graph.inputs(id))[...]
    while let term = pending.popFirst() {
      if format == .latex, names[term] == nil, graph.op(term) == .add {
        pending = Array(graph.inputs(term))[...] + pending
      } else {
        inputs.append(term)
      }
    }
    return inputs.filter { scalarConstant($0) == nil } + inputs.filter { scalarConstant($0) != nil }
  }

  /// A product's factors with scalar constants first, negative ones
  /// leading (so the sign is written once, in front).
  func factors(_ id: NodeID) -> [NodeID] {
    let inputs = graph.inputs(id)
    let constants = inputs.filter { scalarConstant($0) != nil }
    let negative = constants.filter { scalarConstant($0)! < 0 }
    return negative + constants.filter { scalarConstant($0)! >= 0 }
      + inputs.filter { scalarConstant($0) == nil }
  }

  // MARK: Pieces

  /// The text of one node as pieces: its own symbols and its operands.
  func pieces(_ id: NodeID, _ slot: Slot) -> [Piece] {
    let inputs = Array(graph.inputs(id))
    switch graph.op(id).written {
    case .row(let spelling): return pieces(of: spelling.template(format), inputs)
    case .variable(let name):
      let written = renamed[name] ?? name
      return [
        .text(format == .latex ? latexSymbol(written) : written)
      ]
    // Its spelling in the format (`$k` the k-th operand), else its name called on the operands
    // (exports that cannot call it refuse it first: `Graph.checkSpellings`).
    case .custom(let op):
      guard let template = op.spellings[format] else { return call(op.name, inputs) }
      return spelled(template, inputs)
    case .constant(let t) where t.dtype != .f64:  // an f32 literal is a cast one
      var literal = t
      literal.dtype = .f64
      let value = literal.isScalar ? format.number(literal.scalars[0]) : literal.description
      return cast(.text(value), to: t.dtype)
    case .constant(let t) where t.isScalar:
      let value = unsignedZero(t.scalars[0])
      return [.text(format.number(slot.magnitude ? Swift.abs(value) : value))]
    case .constant(let t):
      let scalars = t.scalars.map(unsignedZero)
      if let module = format.module {
        let values = scalars.map(format.number).joined(separator: ", ")
        return [.text("\(module).array([\(values)]).reshape(\(pythonTuple(t.shape)))")]
      }
      if let first = scalars.first, scalars.allSatisfy({ $0.bitPattern == first.bitPattern }) {
        let name = format == .latex ? "\\operatorname{broadcast\\_to}" : "broadcast_to"
        return [
          .text(
            "\(name)\(format.open)\(formatNumber(first)), \(format.shape(t.shape))\(format.close)")
        ]
      }
      return [.text(Tensor(shape: t.shape, scalars: scalars).description)]
    case .add: return sumPieces(id)
    case .mul: return productPieces(id, magnitude: slot.magnitude)
    case .pow(let c) where c < 0 && format == .latex:
      return [.text("\\frac{1}{")] + divisor(inputs[0], exponent: -c, alone: true) + [.text("}")]
    case .pow(let c) where c < 0: return [.text("1/")] + divisor(inputs[0], exponent: -c)
    case .pow(let c): return power(inputs[0], c)
    // In C (scalar graphs only) a contraction is a product, summing or broadcasting a copy.
    case .structure(.einsum) where format == .c:
      let factors = inputs.map { Piece.node($0, Slot(minimum: .product, allowsMinus: false)) }
      return [.text("(")] + Array(factors.map { [$0] }.joined(separator: [.text(" * ")])) + [
        .text(")")
      ]
    case .structure(.sumTo) where format == .c, .structure(.broadcastTo) where format == .c:
      return [.text("("), .node(inputs[0], .free), .text(")")]
    case .structure(.einsum(let spec)) where format == .latex: return latexEinsum(spec, inputs)
    case .structure(.einsum(let spec)):
      return call("einsum", inputs, first: "\"\(spec)\"")
    case .structure(.sumTo(let shape)) where shape.isEmpty: return call("sum", inputs)
    case .structure(.sumTo(let shape)):
      guard format.module != nil else {
        return call("sum_to", inputs, last: format.shape(shape))
      }
      // NumPy has no sum_to: sum the broadcast axes, keeping them, then drop the leading ones.
      let source = graph.shape(inputs[0])
      let offset = source.count - shape.count
      let axes = source.indices.filter {
        $0 < offset || (shape[$0 - offset] == 1 && source[$0] != 1)
      }
      return call("sum", inputs, last: "axis=\(pythonTuple(axes)), keepdims=True")
        + [.text(".reshape(\(pythonTuple(shape)))")]
    case .structure(.broadcastTo(let shape)):
      return call("broadcast_to", inputs, last: format.shape(shape))
    case .structure(.reshape(let shape)):
      // A scalar graph (C) reshapes only scalars to scalars: a copy.
      if format == .c { return [.text("("), .node(inputs[0], .free), .text(")")] }
      return call("reshape", inputs, last: format.shape(shape))
    case .structure(.reduceMax(let axis)):
      if format.module != nil { return call("max", inputs, last: "axis=\(axis)") }
      return call("amax", inputs, last: "\(axis)")
    case .structure(.slice(let axis, let start, let end)):
      guard format.module != nil else {
        return call("slice", inputs, last: "\(axis), \(start), \(end)")
      }
      let colons = String(repeating: ":, ", count: axis)
      return [
        .node(inputs[0], Slot(minimum: .atom, allowsMinus: false)),
        .text("[\(colons)\(start):\(end)]"),
      ]
    case .structure(.pad(let axis, let before, let after)):
      guard format.module != nil else {
        return call("pad", inputs, last: "\(axis), \(before), \(after)")
      }
      var widths = [String](repeating: "(0, 0)", count: graph.shape(inputs[0]).count)
      widths[axis] = "(\(before), \(after))"
      let tuple = widths.count == 1 ? "(\(widths[0]),)" : "(\(widths.joined(separator: ", ")))"
      return call("pad", inputs, last: tuple)
    case .structure(.oneHot(let n)):
      guard let module = format.module else { return call("one_hot", inputs, last: "\(n)") }
      // Row e_k for an index k in 0..<n, zeros for any other value.
      return [
        .text("\(module).where(\(module).expand_dims("), .node(inputs[0], .whole),
        .text(", -1) == \(module).arange(\(n)), 1.0, 0.0)"),
      ]
    case .cast(let dtype):
      return cast(.node(inputs[0], .free), to: dtype)
    case .structure(.patches(let w)):
      guard let module = format.module else {
        return call("patches", inputs, last: w.arguments(input: false))
      }
      return windowPieces(w, transposed: false, module, inputs[0])
    case .structure(.unpatches(let w)):
      guard let module = format.module else {
        return call("unpatches", inputs, last: w.arguments(input: true))
      }
      return windowPieces(w, transposed: true, module, inputs[0])
    case .structure(.matrix(let function)):
      return matrixPieces(function, graph.op(id).info.name, inputs)
    // The body by name, called on the carries, sequences and closed-over values (the exports
    // that cannot run it refuse it first: `Graph.checkSpellings`).
    case .structure(.scan(let spec)):
      return call("scan_\(spec.body.name)", inputs)
    }
  }

  /// `patches` in NumPy and JAX: the windowed axes flattened, a zero appended, and the taps
  /// taken by the window's indices (`Window.sourceIndices`, −1 reading the zero); `unpatches`:
  /// the (tap, window) elements each position receives, taken the same way and summed over
  /// the taps. The ONNX export lowers them alike (`Gather`).
  func windowPieces(_ w: Window, transposed: Bool, _ m: String, _ input: NodeID) -> [Piece] {
    let shape = graph.shape(input)
    let (lead, trail) = (
      Array(shape[..<w.axis]), Array(shape[(w.axis + (transposed ? 2 : 1) * w.rank)...])
    )
    let taken = w.takenIndices(transposed: transposed)
    let flat = transposed ? w.kernel.reduce(1, *) * w.count.reduce(1, *) : w.size.reduce(1, *)
    var widths = [String](repeating: "(0, 0)", count: lead.count + 1 + trail.count)
    widths[lead.count] = "(0, 1)"
    let gathered: [Piece] = [
      .text("\(m).take(\(m).pad(\(m).reshape("), .node(input, .whole),
      .text(
        ", \(pythonTuple(lead + [flat] + trail))), (\(widths.joined(separator: ", ")))), "
          + "\(m).array([\(taken.map(String.init).joined(separator: ", "))]), axis=\(w.axis))"),
    ]
    guard transposed else {
      return gathered + [.text(".reshape(\(pythonTuple(lead + w.kernel + w.count + trail)))")]
    }
    let split = lead + [w.kernel.reduce(1, *), w.size.reduce(1, *)] + trail
    return [.text("\(m).sum(")] + gathered
      + [
        .text(
          ".reshape(\(pythonTuple(split))), axis=\(w.axis)).reshape(\(pythonTuple(lead + w.size + trail)))"
        )
      ]
  }

  /// A linear-algebra op: its own name in the expression language (`triangular_solve(L, B, 1,
  /// 0)`: lower, transpose), `jnp.linalg` and `jax.scipy.linalg` in JAX, `np.linalg` in NumPy
  /// (a triangular solve of the triangle, `np.tril`/`np.triu`), operators in LaTeX.  cholesky
  /// and logdet factor ½(A + Aᵀ), as JAX's cholesky does and NumPy's does not.  The C export
  /// refuses them first (`Graph.checkSpellings`).
  func matrixPieces(_ op: MatrixFunction, _ name: String, _ inputs: [NodeID]) -> [Piece] {
    let a = Piece.node(inputs[0], .whole)
    let atom = Piece.node(inputs[0], Slot(minimum: .atom, allowsMinus: false))
    let swap = { (pieces: [Piece]) -> [Piece] in
      [.text("\(format.module ?? "").swapaxes(")] + pieces + [.text(", -1, -2)")]
    }
    let symmetric =
      format == .jax ? [a] : [.text("0.5*(")] + [a] + [.text(" + ")] + swap([a]) + [.text(")")]
    let linalg = "\(format.module ?? "").linalg."
    switch (op, format) {
    case (_, .compgraph), (_, .c):
      guard case .triangularSolve(let lower, let transpose) = op else {
        return call(name, inputs)
      }
      return call(name, inputs, last: "\(lower ? 1 : 0), \(transpose ? 1 : 0)")
    case (.solve, .latex):
      return [atom, .text("^{-1} "), .node(inputs[1], Slot(minimum: .power, allowsMinus: false))]
    case (.inverse, .latex): return [atom, .text("^{-1}")]
    case (.determinant, .latex): return [.text("\\det\\left("), a, .text("\\right)")]
    case (.logdet, .latex): return [.text("\\ln\\det\\left("), a, .text("\\right)")]
    case (.cholesky, .latex): return call("chol", inputs)
    case (.triangularSolve(let lower, let transpose), .latex):
      return [.text("\\operatorname{\(lower ? "tril" : "triu")}\\left("), a]
        + [.text("\\right)^{\(transpose ? "-T" : "-1")} ")]
        + [.node(inputs[1], Slot(minimum: .power, allowsMinus: false))]
    case (.solve, _):
      return [.text(linalg + "solve(")] + [a, .text(", "), .node(inputs[1], .whole), .text(")")]
    case (.inverse, _): return [.text(linalg + "inv(")] + [a, .text(")")]
    case (.determinant, _): return [.text(linalg + "det(")] + [a, .text(")")]
    case (.cholesky, _): return [.text(linalg + "cholesky(")] + symmetric + [.text(")")]
    case (.logdet, _):
      let module = format.module ?? ""
      return [.text("2*\(module).sum(\(module).log(\(module).diagonal(\(linalg)cholesky(")]
        + symmetric
        + [.text("), axis1=-2, axis2=-1)), axis=-1)")]
    case (.triangularSolve(let lower, let transpose), .jax):
      return [
        .text("jax.scipy.linalg.solve_triangular("), a, .text(", "), .node(inputs[1], .whole),
      ]
        + [.text(", lower=\(lower ? "True" : "False"), trans=\(transpose ? 1 : 0))")]
    case (.triangularSolve(let lower, let transpose), _):
      let triangle = [.text("np.\(lower ? "tril" : "triu")(")] + [a] + [Piece.text(")")]
      return [.text(linalg + "solve(")] + (transpose ? swap(triangle) : triangle)
        + [.text(", "), .node(inputs[1], .whole), .text(")")]
    }
  }

  /// An einsum in LaTeX (`LaTeXEinsum`): `A^{\top}`, `\operatorname{tr}\left(A\right)`, a
  /// product `A^{\top} B`, or `\left[\sum_{j} W_{ij} x_{j} x_{k}\right]_{ik}`, where an
  /// identity matrix is Kronecker's δ and an operand that is not a name is braced before its
  /// subscript (`{\left(a + b\right)}_{ij}`, `{t_{1}}_{ij}`).
  func latexEinsum(_ spec: EinsumSpec, _ inputs: [NodeID]) -> [Piece] {
    let atom = Slot(minimum: .atom, allowsMinus: false)
    switch LaTeXEinsum(spec) {
    case .transpose: return [.node(inputs[0], atom), .text("^{\\top}")]
    case .trace:
      return [.text("\\operatorname{tr}\\left("), .node(inputs[0], .whole), .text("\\right)")]
    case .product(let factors):
      var pieces: [Piece] = []
      for (k, factor) in factors.enumerated() {
        if k > 0 { pieces.append(.text(" ")) }
        // A transpose is written as a power, which a product of matrices leaves as it is.
        let operand = inputs[factor.operand]
        let power = Slot(minimum: .power, allowsMinus: false)
        pieces.append(.node(operand, isTranspose(operand) ? power : atom))
        if factor.transposed { pieces.append(.text("^{\\top}")) }
      }
      return pieces
    case .indexed:
      // The result's indices are i, j, k, … in order, the summed ones the letters after them.
      let summed = (0..<spec.labelCount).filter { !spec.output.contains($0) }
      var letter = [Character](repeating: "?", count: spec.labelCount)
      for (label, named) in zip(
        spec.output + summed, EinsumSpec.letters(Array(0..<spec.labelCount)))
      {
        letter[label] = named
      }
      let indices = { (labels: [Int]) in String(labels.map { letter[$0] }) }
      var pieces: [Piece] = spec.output.isEmpty ? [] : [.text("\\left[")]
      if !summed.isEmpty {
        let list = summed.map { String(letter[$0]) }.joined(separator: ",")
        pieces.append(.text("\\sum_{\(list)} "))
      }
      for (k, (labels, operand)) in zip(spec.operands, inputs).enumerated() {
        if k > 0 { pieces.append(.text(latexSpace(before: .node(operand, atom)))) }
        let script = labels.isEmpty ? "" : "_{\(indices(labels))}"
        if labels.count == 2, isIdentity(operand) {
          pieces.append(.text("\\delta" + script))
        } else if labels.isEmpty || (names[operand] == nil && graph.op(operand).isLeaf) {
          pieces += [.node(operand, atom), .text(script)]
        } else {
          pieces += [.text("{"), .node(operand, atom), .text("}" + script)]
        }
      }
      if spec.operands.isEmpty { pieces.append(.text("1")) }
      if !spec.output.isEmpty { pieces.append(.text("\\right]_{\(indices(spec.output))}")) }
      return pieces
    }
  }

  /// Whether `id` is an unnamed einsum that LaTeX writes as a transpose.
  func isTranspose(_ id: NodeID) -> Bool {
    guard names[id] == nil, case .einsum(let spec) = graph.op(id),
      case .transpose = LaTeXEinsum(spec)
    else { return false }
    return true
  }

  /// Whether `id` is an unnamed constant identity matrix.
  func isIdentity(_ id: NodeID) -> Bool {
    guard names[id] == nil, case .constant(let t) = graph.op(id), t.shape.count == 2,
      t.shape[0] == t.shape[1]
    else { return false }
    let n = t.shape[0]
    return t.scalars.indices.allSatisfy { t.scalars[$0] == ($0 / n == $0 % n ? 1 : 0) }
  }

  /// A spelling row's template on `operands`, each parenthesised as its place needs.
  func pieces(of template: Template, _ operands: [NodeID]) -> [Piece] {
    template.pieces.map { piece in
      switch piece {
      case .text(let text): .text(text)
      case .operand(let k, .argument): .node(operands[k], .free)
      case .operand(let k, .whole): .node(operands[k], .whole)
      case .operand(let k, .atom): .node(operands[k], Slot(minimum: .atom, allowsMinus: false))
      case .operand(let k, .term): .node(operands[k], Slot(minimum: .sum, allowsMinus: false))
      }
    }
  }

  /// A conversion to `dtype`: `cast(x, f32)`, `np.asarray(x, dtype=np.float32)`, `(float)(x)`.
  func cast(_ operand: Piece, to dtype: DType) -> [Piece] {
    switch format {
    case .compgraph, .latex:
      let name = format == .latex ? "\\operatorname{cast}" : "cast"
      return [.text("\(name)("), operand, .text(", \(dtype.rawValue))")]
    case .python, .jax:
      let type = dtype == .f32 ? "float32" : "float64"
      return [
        .text("\(format.module!).asarray("), operand, .text(", dtype=\(format.module!).\(type))"),
      ]
    case .c:
      return [.text(dtype == .f32 ? "((float)(" : "((double)("), operand, .text("))")]
    }
  }

  /// A template's text with `$k` replaced by operand k, each a whole expression in parentheses.
  func spelled(_ template: String, _ operands: [NodeID]) -> [Piece] {
    var pieces: [Piece] = []
    var text = ""
    var rest = template[...]
    while let dollar = rest.firstIndex(of: "$") {
      let digit = rest.index(after: dollar)
      guard digit < rest.endIndex, let k = rest[digit].wholeNumberValue, k < operands.count else {
        text += rest[...dollar]
        rest = rest[digit...]
        continue
      }
      text += rest[..<dollar]
      pieces += [.text(text + format.open), .node(operands[k], .whole), .text(format.close)]
      text = ""
      rest = rest[rest.index(after: digit)...]
    }
    return pieces + [.text(text + rest)]
  }

  /// `x^2` in the format: `x**2`, `x^{2}`, `pow(x, 2.0)`.
  func power(_ base: NodeID, _ c: Double) -> [Piece] {
    let atom = Slot(minimum: .atom, allowsMinus: false)
    switch format {
    case .compgraph: return [.node(base, atom), .text("^" + formatNumber(c))]
    case .latex: return [.node(base, atom), .text("^{" + formatNumber(c) + "}")]
    case .python, .jax: return [.node(base, atom), .text("**" + formatNumber(c))]
    case .c: return [.text("pow("), .node(base, .free), .text(", " + format.number(c) + ")")]
    }
  }

  /// `name(a, b)`, with an optional literal first or last argument; Python formats prefix the
  /// module (`np.sum`), LaTeX sets the name upright (unless it is a command, `\max`).
  func call(_ name: String, _ arguments: [NodeID], first: String? = nil, last: String? = nil)
    -> [Piece]
  {
    let spelled =
      format.module.map { "\($0).\(name)" }
      ?? (format == .latex && !name.hasPrefix("\\")
        ? "\\operatorname{\(name.replacingOccurrences(of: "_", with: "\\_"))}" : name)
    var pieces: [Piece] = [.text(spelled + format.open + (first.map { $0 + ", " } ?? ""))]
    for (k, argument) in arguments.enumerated() {
      if k > 0 { pieces.append(.text(", ")) }
      pieces.append(.node(argument, .whole))
    }
    return pieces + [.text((last.map { ", " + $0 } ?? "") + format.close)]
  }

  /// `a + b - 2*c + 3`.
  func sumPieces(_ id: NodeID) -> [Piece] {
    var pieces: [Piece] = []
    for (k, term) in terms(id).enumerated() {
      if k == 0 {
        pieces.append(.node(term, .free))
      } else if isNegative(term) {
        pieces += [
          .text(" - "), .node(term, Slot(minimum: .product, allowsMinus: false, magnitude: true)),
        ]
      } else {
        pieces += [.text(" + "), .node(term, Slot(minimum: .sum, allowsMinus: false))]
      }
    }
    return pieces
  }

  /// `-2*x*y/z^2`: the sign and constants first, negative powers as divisors; in LaTeX
  /// `-\\frac{2 x y}{z^{2}}`, factors side by side (`\\cdot` before one that starts with a
  /// digit) and a lone numerator or denominator without parentheses.
  func productPieces(_ id: NodeID, magnitude: Bool) -> [Piece] {
    let (coefficient, numerator, divisors) = split(id)
    var items: [Piece] = []
    var sign = ""
    if let c = coefficient {
      if c < 0 && !magnitude { sign = "-" }
      if Swift.abs(c) != 1 || (numerator.isEmpty && divisors.isEmpty) {
        items.append(.text(formatNumber(Swift.abs(c))))
      }
    }
    let fraction = format == .latex && !divisors.isEmpty
    for factor in numerator {
      let leads = items.isEmpty && sign.isEmpty && !magnitude
      let alone = fraction && items.isEmpty && numerator.count == 1
      items.append(.node(factor, alone ? .whole : Slot(minimum: .product, allowsMinus: leads)))
    }
    if items.isEmpty { items = [.text("1")] }
    var pieces: [Piece] = sign.isEmpty ? [] : [.text(sign)]
    if fraction { pieces.append(.text("\\frac{")) }
    for (k, item) in items.enumerated() {
      if k > 0 { pieces.append(.text(format == .latex ? latexSpace(before: item) : "*")) }
      pieces.append(item)
    }
    if fraction {
      pieces.append(.text("}{"))
      for (k, (base, exponent)) in divisors.enumerated() {
        if k > 0 { pieces.append(.text(latexSpace(before: .node(base, .free)))) }
        pieces += divisor(base, exponent: exponent, alone: divisors.count == 1)
      }
      return pieces + [.text("}")]
    }
    for (base, exponent) in divisors {
      pieces.append(.text("/"))
      pieces += divisor(base, exponent: exponent)
    }
    return pieces
  }

  /// A product as printed: its negative leading constant (every scalar constant, multiplied,
  /// in LaTeX), its other factors and its divisors, the bases and exponents of its unnamed
  /// negative-power factors.  LaTeX computes nothing, so it also splices in unnamed inner
  /// products: x·(−2·sin y) reads `-2 x \\sin{\\left(y\\right)}`.
  func split(_ id: NodeID) -> (
    coefficient: Double?, numerator: [NodeID], divisors: [(base: NodeID, exponent: Double)]
  ) {
    var coefficient: Double? = nil
    var numerator: [NodeID] = []
    var divisors: [(base: NodeID, exponent: Double)] = []
    var pending = factors(id)[...]
    while let factor = pending.popFirst() {
      if format == .latex, let c = scalarConstant(factor) {
        coefficient = (coefficient ?? 1) * c
      } else if format == .latex, names[factor] == nil, graph.op(factor) == .mul {
        pending = factors(factor)[...] + pending
      } else if names[factor] == nil, case .pow(let c) = graph.op(factor), c < 0 {
        divisors.append((graph.inputs(factor).first!, -c))
      } else {
        numerator.append(factor)
      }
    }
    if format != .latex, let first = numerator.first, let c = scalarConstant(first), c < 0 {
      coefficient = c
      numerator.removeFirst()
    }
    return (coefficient, numerator, divisors)
  }

  /// What separates two factors in LaTeX: a space, or `\\cdot` before a factor that starts
  /// with a digit (a number, or a power of one).
  func latexSpace(before item: Piece) -> String {
    guard case .node(let factor, _) = item, names[factor] == nil else { return " " }
    let base = [.pow, .power].contains(graph.op(factor).kind) ? graph.inputs(factor)[0] : factor
    return scalarConstant(base) != nil ? " \\cdot " : " "
  }

  /// `x`, `(a*b)` or `x^2` after a `/` (in LaTeX, a factor of a denominator, without
  /// parentheses when it is the only one).
  func divisor(_ base: NodeID, exponent: Double, alone: Bool = false) -> [Piece] {
    if exponent == 1 {
      let minimum: InfixLevel = format == .latex ? (alone ? .comparison : .product) : .negation
      return [.node(base, Slot(minimum: minimum, allowsMinus: format == .latex))]
    }
    return power(base, exponent)
  }

  /// The characters a node adds to its operands' text (an estimate for
  /// the sharing policy: operators, a function's name and parentheses).
  static func ownLength(_ op: Op) -> Int {
    switch op {
    case .variable(let name): name.count
    case .constant(let t): t.isScalar ? formatNumber(t.scalars[0]).count : 16
    case .add, .mul, .pow, .power: 3
    case .einsum(let spec): spec.description.count + 12
    default: op.info.name.count + 2
    }
  }
}

/// `x`, with −0 written as 0.
private func unsignedZero(_ x: Double) -> Double { x == 0 ? 0 : x }

/// `(2, 3)`, `(4,)`, `()`: a shape or axis list as a Python tuple.
func pythonTuple(_ values: [Int]) -> String {
  values.count == 1
    ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
}
