/// C code export of graphs with tensors: each node's elements in a flat row-major array, each
/// operation one loop nest over them.
///
///     out = x + b  (x 2×3, b 3)       for i0 < 2, i1 < 3: v[i0*3 + i1] = x[i0*3 + i1] + b[i1]
///     out[i,k] = Σ_j A[i,j]·B[j,k]    for i0, i1: acc = 0; for j0: acc += A[…]*B[…]
///     sum_to, amax, slice, pad, one_hot: loops over the operand or the result
///
/// An elementwise op reads each operand through NumPy's broadcasting (stride 0 along the axes it
/// is stretched over) and computes each element as the scalar export does (`cExpression`, with
/// the helpers `Program` uses); `reshape` reads its operand's array as it is. Written by hand:
/// no C code generator for Swift is kept up, and each op's loops take a few lines.
extension Graph {
  /// `cCode(name:)` of a graph with a tensor node: `NAME(in, out)` reads every variable's
  /// elements from `in`, one variable after another in `variables` order, and writes every
  /// output's elements to `out` the same way (the header comment gives each one's range and
  /// shape); `NAME_batch` evaluates `n` points, `in[k]` being the column of input element k and
  /// `out[j]` that of output element j. Both allocate their scratch array with `malloc` and,
  /// should that fail, write NaN to every output. `header` makes the file's first comment from
  /// the lines listing the inputs and the outputs.
  func tensorCCode(name: String, header: (_ inputs: String, _ outputs: String) -> String) throws
    -> String
  {
    var writer = CTensorWriter(self, tables: "\(name)_c", helpers: true, indent: "  ") {
      _, offset in .array(base: "in", offset: offset)
    }
    try writer.writeNodes()
    let inputs = writer.inputs.map { " *   in[\($0.range)]  \($0.name)  \($0.shape)\n" }
    let outputs = writer.outputs.map { " *   out[\($0.range)]  \($0.name)  \($0.shape)\n" }
    return header(inputs.joined(), outputs.joined()) + withHelpers(writer.functions(name: name))
  }

  /// `text(.c)` of a graph with a tensor node (f64 only): statements for the body of a function that has
  /// each variable as a `const double *` to its elements (row-major) and `double *out` for the
  /// outputs' elements, one output after another; a first comment lists the outputs' ranges.
  /// The statements declare the scratch array `v` and loop over `i0`, `j0`, `k`, `r`: a variable
  /// so named (or `acc`, `m`, `cN`, `out`, or a name C reserves) is renamed, as the first
  /// comment line says.
  func tensorCStatements() throws -> String {
    try requireF64(for: "C export")
    let renamed = try cRenamedVariables(alsoTaken: CTensorWriter.isInternal)
    var writer = CTensorWriter(self, tables: "c", helpers: false, indent: "") { variable, _ in
      .array(base: renamed[variable] ?? variable, offset: 0)
    }
    try writer.writeNodes()
    let note =
      renamed.isEmpty
      ? ""
      : "/* Variables renamed to keep clear of C's own names and the loops': "
        + renamed.sorted { $0.key < $1.key }.map { "\($0) -> \($1)" }.joined(separator: ", ")
        + " */\n"
    let outputs = writer.outputs.map { "out[\($0.range)] \($0.name) \($0.shape)" }
    let scratch = writer.scratch > 0 ? "double v[\(writer.scratch)];\n" : ""
    return note + "/* " + outputs.joined(separator: "; ") + " */\n" + writer.tables + scratch
      + writer.body + writer.copies()
  }
}

/// Where a node's elements are: one value for all of them (a scalar constant, or a constant
/// tensor of one repeated value), or the array `base` from `offset`.
private enum CStorage {
  case literal(String)
  case array(base: String, offset: Int)

  /// The same array from `shift` elements on.
  func shifted(by shift: Int) -> CStorage {
    switch self {
    case .literal: self
    case .array(let base, let offset): .array(base: base, offset: offset + shift)
    }
  }

  /// Element `index` (a C expression, `""` for the first).
  func element(_ index: String) -> String {
    switch self {
    case .literal(let value): value
    case .array(let base, let offset):
      "\(base)[\(plus(offset == 0 ? "" : "\(offset)", index, empty: "0"))]"
    }
  }
}

/// The non-empty terms joined with ` + `, or `empty` when there are none.
private func plus(_ terms: String..., empty: String = "") -> String {
  let present = terms.filter { !$0.isEmpty }
  return present.isEmpty ? empty : present.joined(separator: " + ")
}

/// Loops over the axes of `extents` (an axis of extent 1 gets none: its index is 0), opened and
/// closed around a body written at `indent`.
private struct LoopNest {
  /// The index variable of each axis, `nil` for an axis of extent 1.
  var variables: [String?] = []
  var open = ""
  var close = ""
  var indent: String

  init(_ extents: [Int], prefix: String, indent: String) {
    self.indent = indent
    for (axis, extent) in extents.enumerated() {
      guard extent != 1 else {
        variables.append(nil)
        continue
      }
      let v = "\(prefix)\(axis)"
      variables.append(v)
      open += "\(self.indent)for (size_t \(v) = 0; \(v) < \(extent); \(v)++) {\n"
      close = "\(self.indent)}\n" + close
      self.indent += "  "
    }
  }

  /// Σ index·stride over the axes (an axis without a loop, or of stride 0, adds nothing).
  func index(_ strides: [Int]) -> String {
    zip(variables, strides).compactMap { variable, stride in
      guard let variable, stride != 0 else { return nil }
      return stride == 1 ? variable : "\(variable) * \(stride)"
    }.joined(separator: " + ")
  }

  /// `lines` (each a statement) inside the loops; in a block of their own when there is no
  /// loop and they declare something, so the declaration is made once per block.
  func wrap(_ lines: [String], declaring: Bool) -> String {
    let block = open.isEmpty && declaring
    let inner = block ? indent + "  " : indent
    let body = lines.map { inner + $0 + "\n" }.joined()
    return block ? "\(indent){\n\(body)\(indent)}\n" : open + body + close
  }
}

/// The strides that read an array of `shape` as if broadcast to `target` (NumPy: aligned on
/// the right, 0 along the axes it is stretched over).
private func broadcastStrides(_ shape: Shape, to target: Shape) -> [Int] {
  let own = Tensor.strides(of: shape)
  let offset = target.count - shape.count
  return target.indices.map { axis in
    axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
  }
}

/// Writes the loops of a tensor graph's C code, node by node.
private struct CTensorWriter {
  let graph: Graph
  /// The prefix of the constant tables' names.
  let tablePrefix: String
  /// Whether elements are computed with the helpers `Program` uses (`cExpression`), or with
  /// libm alone.
  let helpers: Bool
  /// The indentation of the statements.
  let indent: String
  /// Where a variable's elements are, given its name and its first element's index in `in`.
  let variable: (String, Int) -> CStorage
  var storage: [CStorage]
  /// The scratch array's length: every operation's elements, one after another.
  var scratch = 0
  /// The statements computing every operation.
  var body = ""
  /// The static arrays of the tensor constants.
  var tables = ""
  var inputs: [(name: String, shape: String, range: String)] = []
  var outputs: [(name: String, shape: String, range: String)] = []
  var inputCount = 0
  var outputCount = 0

  /// The names the statements use for themselves: the scratch array, loop indices, the
  /// accumulators and tables, and the output array.
  static func isInternal(_ name: String) -> Bool {
    ["v", "k", "r", "m", "acc", "out"].contains(name)
      || (["i", "j", "r", "c"].contains(name.first) && Int(name.dropFirst()) != nil)
  }

  init(
    _ graph: Graph, tables: String, helpers: Bool, indent: String,
    variable: @escaping (String, Int) -> CStorage
  ) {
    self.graph = graph
    tablePrefix = tables
    self.helpers = helpers
    self.indent = indent
    self.variable = variable
    storage = Array(repeating: .literal("0.0"), count: graph.nodeCount)
  }

  /// `first..last` of `count` elements from `first` (`first` alone for one element).
  static func range(_ first: Int, _ count: Int) -> String {
    count == 1 ? "\(first)" : "\(first)..\(first + count - 1)"
  }

  mutating func writeNodes() throws {
    for id in graph.ids { try write(id) }
    for (name, id) in zip(graph.outputNames, graph.outputs) {
      let count = graph.shape(id).elementCount
      outputs.append((name, graph.shape(id).shapeDescription, Self.range(outputCount, count)))
      outputCount += count
    }
  }

  mutating func write(_ id: NodeID) throws {
    let shape = graph.shape(id)
    let operands = graph.inputs(id).map { storage[$0.index] }
    switch graph.op(id) {
    case .variable(let name):
      storage[id.index] = variable(name, inputCount)
      inputs.append((name, shape.shapeDescription, Self.range(inputCount, shape.elementCount)))
      inputCount += shape.elementCount
    case .constant(let t):
      if let first = t.scalars.first, t.scalars.allSatisfy({ $0.bitPattern == first.bitPattern }) {
        storage[id.index] = .literal(cLiteral(first))
      } else {
        let table = "\(tablePrefix)\(id.index)"
        tables += "static const double \(table)[\(t.scalars.count)] = {"
        tables += t.scalars.map { cLiteral($0) }.joined(separator: ", ") + "};\n"
        storage[id.index] = .array(base: table, offset: 0)
      }
    case .reshape:
      // The same elements in the same order: the operand's array.
      storage[id.index] = operands[0]
    case let op:
      let out = CStorage.array(base: "v", offset: scratch)
      scratch += shape.elementCount
      storage[id.index] = out
      if shape.elementCount > 0 {
        body += try loops(op, out, operands, graph.inputs(id).map { graph.shape($0) }, shape)
      }
    }
  }

  /// The loops of an operation's node of `shape` (at least one element) writing `out`.
  func loops(
    _ op: Op, _ out: CStorage, _ operands: [CStorage], _ shapes: [Shape], _ shape: Shape
  ) throws -> String {
    let nest = LoopNest(shape, prefix: "i", indent: indent)
    let target = out.element(nest.index(Tensor.strides(of: shape)))
    guard let structure = op.structure else {
      // Elementwise, each operand broadcast to the node's shape.
      let elements = zip(operands, shapes).map { operand, operandShape in
        operand.element(nest.index(broadcastStrides(operandShape, to: shape)))
      }
      return nest.wrap(
        ["\(target) = \(try cExpression(op, elements, helpers: helpers));"], declaring: false)
    }
    switch structure {
    case .einsum(let spec): return einsum(spec, out, operands, shapes, shape)
    case .broadcastTo:
      let source = operands[0].element(nest.index(broadcastStrides(shapes[0], to: shape)))
      return nest.wrap(["\(target) = \(source);"], declaring: false)
    case .sumTo:
      // Zeros, then each element of the operand added to the one it sums into.
      let source = shapes[0]
      guard source.elementCount > 0 else { return fill(out, shape.elementCount, with: "0.0") }
      let over = LoopNest(source, prefix: "i", indent: indent)
      let into = out.element(over.index(broadcastStrides(shape, to: source)))
      let read = operands[0].element(over.index(Tensor.strides(of: source)))
      return fill(out, shape.elementCount, with: "0.0")
        + over.wrap(["\(into) += \(read);"], declaring: false)
    case .reduceMax(let axis):
      // max_inline from −∞ along the axis, as Program folds it (NaN if any element is).
      let source = shapes[0]
      var outer = source
      outer[axis] = 1
      let over = LoopNest(outer, prefix: "i", indent: indent)
      var strides = Tensor.strides(of: source)
      let along = strides[axis]
      strides[axis] = 0
      var resultStrides = Tensor.strides(of: shape)
      resultStrides.insert(0, at: axis)
      let result = out.element(over.index(resultStrides))
      guard source[axis] > 0 else { return over.wrap(["\(result) = -INFINITY;"], declaring: false) }
      let read = operands[0].element(plus(over.index(strides), along == 1 ? "k" : "k * \(along)"))
      return over.wrap(
        [
          "double m = -INFINITY;",
          "for (size_t k = 0; k < \(source[axis]); k++) m = \(try maximum("m", read));",
          "\(result) = m;",
        ], declaring: true)
    case .slice(let axis, let start, _):
      let strides = Tensor.strides(of: shapes[0])
      let read = operands[0].shifted(by: start * strides[axis]).element(nest.index(strides))
      return nest.wrap(["\(target) = \(read);"], declaring: false)
    case .pad(let axis, let before, _):
      // Zeros, then the operand's elements, `before` along the axis.
      let source = shapes[0]
      guard source.elementCount > 0 else { return fill(out, shape.elementCount, with: "0.0") }
      let over = LoopNest(source, prefix: "i", indent: indent)
      let strides = Tensor.strides(of: shape)
      let write = out.shifted(by: before * strides[axis]).element(over.index(strides))
      let read = operands[0].element(over.index(Tensor.strides(of: source)))
      return fill(out, shape.elementCount, with: "0.0")
        + over.wrap(["\(write) = \(read);"], declaring: false)
    case .oneHot(let n):
      // Zeros, then 1 at (row, k) for each index k that is an integer in 0..<n.
      let rows = LoopNest([shapes[0].elementCount], prefix: "r", indent: indent)
      let row = rows.index([1])
      let position = plus(row.isEmpty ? "" : "\(row) * \(n)", "(size_t)k")
      return fill(out, shape.elementCount, with: "0.0")
        + rows.wrap(
          [
            "const double k = \(operands[0].element(row));",
            "if (k >= 0 && k < \(n) && k == floor(k)) \(out.element(position)) = 1.0;",
          ], declaring: true)
    case .patches, .unpatches:
      throw GraphError.unsupported(
        "C export: '\(op.info.name)' (the windows of a convolution or pool) is not written in C yet; export the graph as ONNX (`compgraph export`)"
      )
    case .reshape: preconditionFailure("a reshape reads its operand's array")
    // Linear algebra calls LAPACK, which the file does not link.
    case .matrix: throw cLinearAlgebraRefusal(op)
    case .scan(let spec): throw spec.refusal(by: "C export", as: "a C loop")
    }
  }

  /// `value` written to the `count` elements of `array`.
  func fill(_ array: CStorage, _ count: Int, with value: String) -> String {
    count == 1
      ? "\(indent)\(array.element("")) = \(value);\n"
      : "\(indent)for (size_t k = 0; k < \(count); k++) \(array.element("k")) = \(value);\n"
  }

  /// max(a, b) as `Program` computes it (NaN if either is, ties to a).
  func maximum(_ a: String, _ b: String) throws -> String {
    try cExpression(.maximum, [a, b], helpers: helpers)
  }

  /// out[output labels] = Σ over the other labels of the operands' elements multiplied left to
  /// right; a label's extent is the largest of the axes it names (an axis of 1 along it is
  /// broadcast).
  func einsum(
    _ spec: EinsumSpec, _ out: CStorage, _ operands: [CStorage], _ shapes: [Shape], _ shape: Shape
  ) -> String {
    var extent = [Int](repeating: 1, count: spec.labelCount)
    for (labels, operandShape) in zip(spec.operands, shapes) {
      for (label, n) in zip(labels, operandShape) { extent[label] = max(extent[label], n) }
    }
    for (label, n) in zip(spec.output, shape) { extent[label] = max(extent[label], n) }
    let summed = (0..<spec.labelCount).filter { !spec.output.contains($0) }
    let outer = LoopNest(spec.output.map { extent[$0] }, prefix: "i", indent: indent)
    // The inner loops sit in the outer ones, or in a block of their own where there are none.
    let indent = outer.indent + (outer.open.isEmpty ? "  " : "")
    let inner = LoopNest(summed.map { extent[$0] }, prefix: "j", indent: indent)
    var variable = [String?](repeating: nil, count: spec.labelCount)
    for (label, v) in zip(spec.output, outer.variables) { variable[label] = v }
    for (label, v) in zip(summed, inner.variables) { variable[label] = v }
    let factors = zip(zip(spec.operands, shapes), operands).map { pair, operand in
      let (labels, operandShape) = pair
      let strides = Tensor.strides(of: operandShape)
      return operand.element(
        labels.indices.compactMap { axis -> String? in
          guard let v = variable[labels[axis]], operandShape[axis] != 1 else { return nil }
          return strides[axis] == 1 ? v : "\(v) * \(strides[axis])"
        }.joined(separator: " + "))
    }
    let product = factors.isEmpty ? "1.0" : factors.joined(separator: " * ")
    let target = out.element(outer.index(Tensor.strides(of: shape)))
    if summed.contains(where: { extent[$0] == 0 }) {
      return outer.wrap(["\(target) = 0.0;"], declaring: false)
    }
    if inner.open.isEmpty { return outer.wrap(["\(target) = \(product);"], declaring: false) }
    let sum = inner.open + "\(inner.indent)acc += \(product);\n" + inner.close
    let lines = "\(indent)double acc = 0.0;\n" + sum + "\(indent)\(target) = acc;\n"
    return outer.open.isEmpty
      ? "\(outer.indent){\n\(lines)\(outer.indent)}\n" : outer.open + lines + outer.close
  }

  /// The statements after the loops: each output's elements copied to `out`.
  func copies() -> String {
    var copies = ""
    var offset = 0
    for id in graph.outputs {
      let count = graph.shape(id).elementCount
      let source = storage[id.index]
      let target = offset == 0 ? "" : "\(offset)"
      if count == 1 {
        copies += "\(indent)out[\(plus(target, empty: "0"))] = \(source.element(""));\n"
      } else if count > 1 {
        copies +=
          "\(indent)for (size_t k = 0; k < \(count); k++) out[\(plus(target, "k"))] = \(source.element("k"));\n"
      }
      offset += count
    }
    return copies
  }

  /// `NAME_run`, `NAME` and `NAME_batch`, after the constant tables.
  func functions(name: String) -> String {
    let unused =
      (inputCount == 0 ? "  (void)in;\n" : "") + (scratch == 0 ? "  (void)v;\n" : "")
      + (outputCount == 0 ? "  (void)out;\n" : "")
    let length = max(1, scratch)
    var text = tables.isEmpty ? "" : tables + "\n"
    text +=
      "static void \(name)_run(const double *restrict in, double *restrict out, double *restrict v) {\n"
    text += unused + body + copies() + "}\n\n"
    let failed =
      outputCount == 0
      ? "" : "    for (size_t j = 0; j < \(outputCount); j++) out[j] = NAN;\n"
    text += "void \(name)(const double *in, double *out) {\n"
    text += "  double *v = malloc(\(length) * sizeof(double));\n"
    text += "  if (!v) {\n\(failed)    return;\n  }\n"
    text += "  \(name)_run(in, out, v);\n  free(v);\n}\n\n"
    text += "void \(name)_batch(size_t n, const double *const *in, double *const *out) {\n"
    text += "  double *x = malloc(\(inputCount + outputCount + length) * sizeof(double));\n"
    text += "  if (!x) {\n"
    if outputCount > 0 {
      text += "    for (size_t j = 0; j < \(outputCount); j++)\n"
      text += "      for (size_t i = 0; i < n; i++) out[j][i] = NAN;\n"
    }
    text += "    return;\n  }\n"
    text += "  double *y = x + \(inputCount), *v = y + \(outputCount);\n"
    text += "  for (size_t i = 0; i < n; i++) {\n"
    text +=
      inputCount > 0
      ? "    for (size_t k = 0; k < \(inputCount); k++) x[k] = in[k][i];\n" : "    (void)in;\n"
    text += "    \(name)_run(x, y, v);\n"
    if outputCount > 0 {
      text += "    for (size_t j = 0; j < \(outputCount); j++) out[j][i] = y[j];\n"
    } else {
      text += "    (void)out;\n"
    }
    text += "  }\n  free(x);\n}\n"
    return text
  }
}
