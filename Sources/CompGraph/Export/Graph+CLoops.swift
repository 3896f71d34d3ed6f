import CKernels

/// The looped form of `Graph.cCode`, for large graphs: the graph vectorised across its nodes, as
/// `PointPlan` runs it, written out as C loops.
///
/// Nodes are levelled (leaves 0, an operation one more than its deepest operand) and the nodes of
/// one level with the same operation and operand count form one group, whose values take
/// consecutive slots of a scratch array `v`. A group is written as loops over its members: where
/// every operand's slot is affine in the member index k (slot = base + stride·k) over at least
/// `minimumRun` members, one loop reads `v[base + stride*k]` directly (a contiguous or strided
/// load, so it vectorises, exp, ln and tanh included); the other members read their slots from a
/// static index table. A W2 gradient of N terms is then a few dozen loops N long instead of
/// 10·N statements, so the file compiles in seconds whatever N is, and each
/// transcendental is written once per group instead of once per node.
extension Graph {
  /// The shortest affine run written as a loop of its own (shorter runs go through the tables).
  static let minimumRun = 4

  /// The most operands of a sum or product written out in one expression (`a + b + c`); longer
  /// ones loop over their operands.
  static let longestWrittenChain = 8

  /// The looped C file's functions (after its header): `NAME_run` evaluates the groups over
  /// the slots, `NAME` and `NAME_batch` fill the inputs, run and copy the outputs out; they take
  /// and give values of `interface`. The slots hold one type: `float` when every operation
  /// computes in f32 (each with the f32 kernels; literals rounded to f32 as an f32 `Program`
  /// rounds them), else `double`; a graph mixing f32 and f64 operations is refused.
  func loopedCFunctions(name: String, interface: DType) throws -> String {
    let valueType: DType = nodes.types.contains(.f32) ? .f32 : .f64
    if valueType == .f32, !TensorProgram.computesInF32Only(self) {
      throw GraphError.unsupported(
        "C export: this graph of \(operationCount) operations mixes f32 and f64 operations, and C code this long (the looped form, above \(Self.loopedThreshold) operations) computes in one type; cast its variables to one type, or fold its constants (simplify) first"
      )
    }
    let type = valueType.cName, io = interface.cName
    var layout = LoopedLayout(self, name: name, type: valueType)
    var run = ""
    for group in layout.groups { run += try layout.loops(of: group, in: self) }
    let (pointCopies, batchCopies) = layout.outputCopies()
    let inputCount = variables.count
    let allocate = "  \(type) *v = malloc(\(max(1, layout.slotCount)) * sizeof(\(type)));\n"
    let constants =
      layout.constants.isEmpty
      ? "" : "  memcpy(v + \(inputCount), \(name)_constants, sizeof \(name)_constants);\n"
    // The inputs copied into the slots, converted where the types differ.
    let copyIn =
      inputCount == 0
      ? "  (void)in;\n"
      : valueType == interface
        ? "  memcpy(v, in, \(inputCount) * sizeof(\(type)));\n"
        : "  for (size_t k = 0; k < \(inputCount); k++) v[k] = (\(type))in[k];\n"
    var text = layout.tables()
    text += "static void \(name)_run(\(type) *restrict v) {\n\(run)}\n\n"
    text += "void \(name)(const \(io) *in, \(io) *out) {\n" + allocate
    text += "  if (!v) {\n"
    text += "    for (size_t j = 0; j < \(outputs.count); j++) out[j] = NAN;\n    return;\n  }\n"
    text += copyIn
    text += constants + "  \(name)_run(v);\n" + pointCopies + "  free(v);\n}\n\n"
    text += "void \(name)_batch(size_t n, const \(io) *const *in, \(io) *const *out) {\n"
    text += allocate + "  if (!v) {\n"
    text += "    for (size_t j = 0; j < \(outputs.count); j++)\n"
    text += "      for (size_t i = 0; i < n; i++) out[j][i] = NAN;\n    return;\n  }\n"
    text += constants + "  for (size_t i = 0; i < n; i++) {\n"
    text +=
      inputCount > 0
      ? "    for (size_t k = 0; k < \(inputCount); k++) v[k] = (\(type))in[k][i];\n"
      : "    (void)in;\n"
    text += "    \(name)_run(v);\n" + batchCopies + "  }\n  free(v);\n}\n"
    return text
  }
}

/// Where each node's value lives in the looped C code, and its groups.
private struct LoopedLayout {
  /// The members of one group, in slot order, and their first slot.
  struct Group {
    let members: [NodeID]
    let first: Int
  }

  var slot: [Int]
  var groups: [Group] = []
  var slotCount = 0
  var constants: [Double] = []
  /// The index table (`NAME_index`), filled as the loops are written.
  var index: [Int] = []
  var outputSlots: [Int] = []
  /// The C function's name, which prefixes the static tables.
  let name: String
  /// The type of the slots and of every operation.
  let type: DType

  /// Slots: the variables first (in `Graph.variables` order, so the inputs are copied in with
  /// one `memcpy`), then the constants, then each group's members.
  init(_ graph: Graph, name: String, type: DType) {
    self.name = name
    self.type = type
    let n = graph.nodeCount
    slot = [Int](repeating: -1, count: n)
    var level = [Int](repeating: 0, count: n)
    for id in graph.ids {
      if case .variable = graph.op(id) {
        slot[id.index] = slotCount
        slotCount += 1
      }
    }
    struct Key: Hashable {
      let level: Int
      let op: Op
      let arity: Int
    }
    var members: [Key: [NodeID]] = [:]
    var keys: [Key] = []
    for id in graph.ids {
      switch graph.op(id) {
      case .variable: continue
      case .constant(let t):
        slot[id.index] = slotCount
        slotCount += 1
        constants.append(t.scalars[0])
      case let op:
        level[id.index] = 1 + (graph.inputs(id).map { level[$0.index] }.max() ?? 0)
        let key = Key(level: level[id.index], op: op, arity: graph.inputs(id).count)
        if members[key] == nil { keys.append(key) }
        members[key, default: []].append(id)
      }
    }
    // Level by level (operands before the nodes that read them); members in the order of their
    // first operand's slot, so that operand tends to be read as one run.
    let ordered = keys.enumerated().sorted {
      ($0.element.level, $0.offset) < ($1.element.level, $1.offset)
    }
    for (_, key) in ordered {
      let group = members[key]!.map { (slot[graph.inputs($0).first!.index], $0.index) }
        .sorted { $0 < $1 }.map { NodeID($0.1) }
      for (k, id) in group.enumerated() { slot[id.index] = slotCount + k }
      groups.append(Group(members: group, first: slotCount))
      slotCount += group.count
    }
    outputSlots = graph.outputs.map { slot[$0.index] }
  }

  /// The C loops of one group.
  mutating func loops(of group: Group, in graph: Graph) throws -> String {
    let op = graph.op(group.members[0])
    let arity = graph.inputs(group.members[0]).count
    let count = group.members.count
    switch op {
    // A long sum: four running sums over the index table, as `Program` adds it
    // (CG_SPLIT_SUM in ckernels.h).
    case .add where arity >= Int(CG_SPLIT_SUM):
      let offset = index.count
      for id in group.members { index += graph.inputs(id).map { slot[$0.index] } }
      let rest = (0..<arity % 4).map { "    s\($0) += v[x[\(arity - arity % 4 + $0)]];\n" }
      return """
          for (size_t k = 0; k < \(count); k++) {
            const int32_t *x = \(name)_index + \(offset) + \(arity) * k;
            \(type.cName) s0 = v[x[0]], s1 = v[x[1]], s2 = v[x[2]], s3 = v[x[3]];
            for (size_t j = 4; j + 3 < \(arity); j += 4) {
              s0 += v[x[j]];
              s1 += v[x[j + 1]];
              s2 += v[x[j + 2]];
              s3 += v[x[j + 3]];
            }
        \(rest.joined())    v[\(group.first) + k] = (s0 + s1) + (s2 + s3);
          }

        """
    // A sum or product of many operands: a chain over the index table, left to right as
    // `Program` adds and multiplies (fewer operands are written out, `a + b + c`, below).
    case .add where arity > Graph.longestWrittenChain, .mul where arity > Graph.longestWrittenChain,
      .einsum where arity > Graph.longestWrittenChain:
      let sign = if case .add = op { "+" } else { "*" }
      let offset = index.count
      for id in group.members { index += graph.inputs(id).map { slot[$0.index] } }
      return """
          for (size_t k = 0; k < \(count); k++) {
            const int32_t *x = \(name)_index + \(offset) + \(arity) * k;
            \(type.cName) acc = v[x[0]];
            for (size_t j = 1; j < \(arity); j++) acc \(sign)= v[x[j]];
            v[\(group.first) + k] = acc;
          }

        """
    default:
      let columns = (0..<arity).map { p in
        group.members.map { slot[Array(graph.inputs($0))[p].index] }
      }
      var text = ""
      var rest: [Int] = []
      for segment in affineSegments(columns, count: count) {
        guard segment.length >= Graph.minimumRun else {
          rest += segment.start..<segment.start + segment.length
          continue
        }
        let operands = segment.bases.indices.map { p in
          affine(segment.bases[p], segment.strides[p], "k")
        }
        let target = group.first + segment.start
        text +=
          "  for (size_t k = 0; k < \(segment.length); k++) v[\(target) + k] = \(try cExpression(op, operands, type: type));\n"
      }
      guard !rest.isEmpty else { return text }
      // The members outside long runs: their slot, then their operands' slots, per member.
      let offset = index.count
      for k in rest { index += [group.first + k] + columns.map { $0[k] } }
      let operands = (0..<arity).map { "v[x[\($0 + 1)]]" }
      text += "  for (size_t k = 0; k < \(rest.count); k++) {\n"
      text += "    const int32_t *x = \(name)_index + \(offset) + \(arity + 1) * k;\n"
      text += "    v[x[0]] = \(try cExpression(op, operands, type: type));\n  }\n"
      return text
    }
  }

  /// The output copies of `NAME` (`out[j]`) and of `NAME_batch` (`out[j][i]`): affine runs as
  /// loops, the rest through the index table.
  mutating func outputCopies() -> (point: String, batch: String) {
    var point = "", batch = ""
    var rest: [Int] = []
    for segment in affineSegments(
      [Array(outputSlots.indices), outputSlots], count: outputSlots.count)
    {
      guard segment.length >= Graph.minimumRun else {
        rest += segment.start..<segment.start + segment.length
        continue
      }
      let loop = "for (size_t k = 0; k < \(segment.length); k++) out[\(segment.start) + k]"
      let value = affine(segment.bases[1], segment.strides[1], "k")
      point += "  \(loop) = \(value);\n"
      batch += "    \(loop)[i] = \(value);\n"
    }
    guard !rest.isEmpty else { return (point, batch) }
    let offset = index.count
    for j in rest { index += [j, outputSlots[j]] }
    let loop = "for (size_t k = 0; k < \(rest.count); k++) {"
    let row = "const int32_t *x = \(name)_index + \(offset) + 2 * k;"
    point += "  \(loop)\n    \(row)\n    out[x[0]] = v[x[1]];\n  }\n"
    batch += "    \(loop)\n      \(row)\n      out[x[0]][i] = v[x[1]];\n    }\n"
    return (point, batch)
  }

  /// The static tables the loops read (once every loop is written, so the index is complete).
  func tables() -> String {
    var text = ""
    if !constants.isEmpty {
      text += "static const \(type.cName) \(name)_constants[\(constants.count)] = {"
      text += constants.map { cLiteral($0, type) }.joined(separator: ", ") + "};\n"
    }
    if !index.isEmpty {
      text += "static const int32_t \(name)_index[\(index.count)] = {"
      let rows = stride(from: 0, to: index.count, by: 24).map {
        index[$0..<min($0 + 24, index.count)].map(String.init).joined(separator: ",")
      }
      text += "\n  " + rows.joined(separator: ",\n  ") + "};\n"
    }
    return text + "\n"
  }
}

/// One stretch of members whose operand slots are all affine in k.
private struct AffineSegment {
  let start: Int
  let length: Int
  let bases: [Int]
  let strides: [Int]
}

/// `columns[p][k]` split into maximal stretches of k over which every column is affine.
private func affineSegments(_ columns: [[Int]], count: Int) -> [AffineSegment] {
  var segments: [AffineSegment] = []
  var start = 0
  while start < count {
    let bases = columns.map { $0[start] }
    guard start + 1 < count else {
      segments.append(
        AffineSegment(start: start, length: 1, bases: bases, strides: bases.map { _ in 0 }))
      break
    }
    let strides = columns.map { $0[start + 1] - $0[start] }
    var end = start + 2
    while end < count,
      columns.indices.allSatisfy({ columns[$0][end] - columns[$0][end - 1] == strides[$0] })
    {
      end += 1
    }
    segments.append(
      AffineSegment(start: start, length: end - start, bases: bases, strides: strides))
    start = end
  }
  return segments
}

/// `v[base + stride*k]`, simplified.
private func affine(_ base: Int, _ stride: Int, _ k: String) -> String {
  switch stride {
  case 0: "v[\(base)]"
  case 1: "v[\(base) + \(k)]"
  default: "v[\(base) + \(stride) * \(k)]"
  }
}
