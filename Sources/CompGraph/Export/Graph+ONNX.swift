/// ONNX export: the graph as an ONNX model of float64 and float32 tensors (each node's values in
/// its own element type) that onnxruntime (or any engine of
/// the opset) runs.
extension Graph {
  /// The ONNX opset the export targets (ONNX 1.16, onnxruntime ≥ 1.20).
  public static let onnxOpset = 21

  /// The graph as a serialized ONNX `ModelProto`, opset `onnxOpset`: each value float64 or
  /// float32 as its node's element type, a literal where an f32 node uses it as a float32
  /// initializer (or, computed from literals, cast to float32).
  ///
  /// Each variable becomes a graph input and each output a graph output, keeping its name and
  /// shape; constants become initializers; every node maps to one ONNX node, or a short chain
  /// (an n-ary product is a chain of binary `Mul`s). Throws when two outputs, or an output and a
  /// variable, share a name (ONNX names every value once), and for a variable or output named ""
  /// or beginning with `%` (the names of the export's own values).
  ///
  /// With `stabilizing` (the default) the model computes the graph's stable forms
  /// (`stabilized()`), as `compgraph eval` does and as `cCode` writes them.
  public func onnxModel(stabilizing: Bool = true) throws -> [UInt8] {
    try (stabilizing ? stabilized() : self).loweredToONNX()
  }

  /// The model of this graph as it is (`onnxModel(stabilizing: false)`).
  private func loweredToONNX() throws -> [UInt8] {
    // The export names its own values %k, %scalar0, %k.f32, …; ONNX names every value once,
    // and "" is ONNX's "no value".
    for (kind, name) in variables.map({ ("variable", $0.name) })
      + outputNames.map({ ("output", $0) })
    where name.isEmpty || name.hasPrefix("%") {
      throw GraphError.unsupported(
        "ONNX export: the \(kind) '\(displayText(name, limit: 80))' "
          + (name.isEmpty
            ? "has an empty name, which ONNX reads as no value"
            : "begins with '%', as the export's own value names do (%1, %2, …)")
          + "; rename it")
    }
    var lowering = ONNXLowering(graph: self)
    for id in ids { try lowering.lower(id) }
    try lowering.addOutputs()
    let model = ONNX.Model(
      irVersion: 10, opset: Graph.onnxOpset, producer: "compgraph", graph: lowering.onnx)
    return model.encoded()
  }
}

/// Builds the ONNX graph node by node: node `k` of the CompGraph graph becomes the value `%k`
/// (a variable keeps its own name, which cannot start with `%`).
private struct ONNXLowering {
  let graph: Graph
  var onnx = ONNX.Graph(name: "compgraph")
  /// The element type of the node being lowered: its constants (`scalar(_:)`, exponents,
  /// masks) are of this type.
  var dtype = DType.f64
  /// The scalar initializers made so far, by value and type (`scalar(_:)`).
  var scalars: [Scalar: String] = [:]
  /// The literal nodes made float32 so far, for f32 nodes that use them (`operand(_:)`).
  var singles: Set<NodeID> = []

  struct Scalar: Hashable {
    var value: Double
    var dtype: DType
  }

  init(graph: Graph) { self.graph = graph }

  func value(_ id: NodeID) -> String {
    if case .variable(let name) = graph.op(id) { return name }
    return "%\(id.index)"
  }

  /// The value an operand of the node being lowered reads: a literal used by an f32 node as
  /// float32 (`%k.f32`: its own initializer for a constant, else a `Cast`).
  mutating func operand(_ id: NodeID) -> String {
    guard dtype == .f32, graph.elementType(id) == .weak else { return value(id) }
    let name = "\(value(id)).f32"
    guard singles.insert(id).inserted else { return name }
    if case .constant(let t) = graph.op(id) {
      onnx.initializers.append(.reals(name, dims: t.shape, t.scalars, .f32))
    } else {
      node("Cast", [value(id)], name, [ONNX.Attribute(name: "to", value: .int(1))])
    }
    return name
  }

  mutating func node(
    _ opType: String, _ inputs: [String], _ output: String, _ attributes: [ONNX.Attribute] = []
  ) {
    onnx.nodes.append(
      ONNX.Node(opType: opType, inputs: inputs, outputs: [output], attributes: attributes))
  }

  /// An int64 vector initializer (shapes and axes are inputs, not attributes, in this opset).
  mutating func int64s(_ name: String, _ values: [Int]) -> String {
    onnx.initializers.append(.int64s(name, values))
    return name
  }

  mutating func lower(_ id: NodeID) throws {
    let out = value(id)
    dtype = graph.dtype(id)
    var x: [String] = []
    for input in graph.inputs(id) { x.append(operand(input)) }
    switch graph.op(id).written {
    case .row(let spelling): try spell(spelling.onnx, x, out)
    case .variable:
      onnx.inputs.append(
        ONNX.ValueInfo(name: out, shape: graph.shape(id), elementType: ONNX.ElementType(dtype)))
    case .constant(let t):
      onnx.initializers.append(.reals(out, dims: t.shape, t.scalars, t.dtype))
    case .add:
      node("Sum", x, out)
    case .mul:
      // Binary Muls left to right, as `Op.apply` folds them.
      guard x.count > 1 else { return node("Identity", x, out) }
      var product = x[0]
      for (k, factor) in x.dropFirst().enumerated() {
        let partial = k == x.count - 2 ? out : "\(out).\(k)"
        node("Mul", [product, factor], partial)
        product = partial
      }
    case .pow(let c):
      onnx.initializers.append(.reals("\(out).exponent", dims: [], [c], dtype))
      node("Pow", [x[0], "\(out).exponent"], out)
    case .cast: cast(x, out)
    case .structure(.einsum(let spec)):
      guard spec.labelCount <= 52 else {
        throw GraphError.unsupported(
          "ONNX export: einsum \(spec) has \(spec.labelCount) indices; ONNX's Einsum names them with the 52 letters a-z, A-Z"
        )
      }
      node("Einsum", x, out, [ONNX.Attribute(name: "equation", value: .string(spec.description))])
    case .structure(.sumTo(let target)):
      let source = graph.shape(graph.inputs(id)[0])
      let offset = source.count - target.count
      let axes = source.indices.filter { axis in
        axis < offset || (target[axis - offset] == 1 && source[axis] != 1)
      }
      if axes.isEmpty {
        node("Identity", x, out)
      } else {
        node(
          "ReduceSum", [x[0], int64s("\(out).axes", axes)], "\(out).kept",
          [ONNX.Attribute(name: "keepdims", value: .int(1))])
        node("Reshape", ["\(out).kept", int64s("\(out).shape", target)], out)
      }
    case .structure(.broadcastTo(let target)):
      node("Expand", [x[0], int64s("\(out).shape", target)], out)
    case .structure(.reshape(let target)):
      node("Reshape", [x[0], int64s("\(out).shape", target)], out)
    case .structure(.reduceMax(let axis)):
      node(
        "ReduceMax", [x[0], int64s("\(out).axes", [axis])], out,
        [ONNX.Attribute(name: "keepdims", value: .int(0))])
    case .structure(.slice(let axis, let start, let end)):
      node(
        "Slice",
        [
          x[0], int64s("\(out).starts", [start]), int64s("\(out).ends", [end]),
          int64s("\(out).axes", [axis]),
        ], out)
    case .structure(.pad(let axis, let before, let after)):
      let rank = graph.shape(id).count
      var pads = [Int](repeating: 0, count: 2 * rank)
      pads[axis] = before
      pads[rank + axis] = after
      node("Pad", [x[0], int64s("\(out).pads", pads)], out)
    case .custom(let op):
      throw GraphError.unsupported(
        "ONNX export: the custom op '\(op.name)' has no ONNX operator; ONNX runs only its own operators, so export this graph as C or Python with the op's spellings"
      )
    case .structure(.oneHot(let n)):  // (index == k) for k = 0..<n, along a new last axis
      onnx.initializers.append(
        .reals("\(out).classes", dims: [n], (0..<n).map(Double.init), dtype))
      node("Unsqueeze", [x[0], int64s("\(out).axes", [-1])], "\(out).column")
      mask("Equal", ["\(out).column", "\(out).classes"], out)
    case .structure(.scan(let spec)):
      throw spec.refusal(by: "ONNX export", as: "an ONNX Scan")
    case .structure(.patches(let w)), .structure(.unpatches(let w)):
      lowerWindow(w, transposed: graph.op(id).kind == .unpatches, x[0], graph.inputs(id)[0], out)
    case .structure(.matrix):
      throw GraphError.unsupported(
        "ONNX export: ONNX has no operator for '\(graph.op(id).info.name)' (nor for solve, inv, det, cholesky, triangular_solve or logdet); evaluate the graph with CompGraph, or export it as JAX or NumPy (--format jax, --format python)"
      )
    }
  }

  /// `patches` as a `Gather` along its window's flattened positions (a padding zero appended to
  /// them is what padding taps read), and `unpatches` as the sum over taps of a `Gather` of the
  /// (tap, window) elements each position receives: exact in every element type.
  mutating func lowerWindow(
    _ w: Window, transposed: Bool, _ x: String, _ input: NodeID, _ out: String
  ) {
    let shape = graph.shape(input)
    let (lead, trail) = (
      Array(shape[..<w.axis]), Array(shape[(w.axis + (transposed ? 2 : 1) * w.rank)...])
    )
    let (positions, taps) = (w.size.reduce(1, *), w.kernel.reduce(1, *))
    // The flattened operand with one zero after its last windowed element.
    let n = transposed ? taps * w.count.reduce(1, *) : positions
    node("Reshape", [x, int64s("\(out).flat.shape", lead + [n] + trail)], "\(out).flat")
    var pads = [Int](repeating: 0, count: 2 * (lead.count + 1 + trail.count))
    pads[lead.count + 1 + trail.count + lead.count] = 1
    node("Pad", ["\(out).flat", int64s("\(out).pads", pads)], "\(out).padded")
    let indices = int64s("\(out).indices", w.takenIndices(transposed: transposed))
    node(
      "Gather", ["\(out).padded", indices], "\(out).gathered",
      [ONNX.Attribute(name: "axis", value: .int(lead.count))])
    guard transposed else {
      node(
        "Reshape", ["\(out).gathered", int64s("\(out).shape", lead + w.kernel + w.count + trail)],
        out)
      return
    }
    node(
      "Reshape", ["\(out).gathered", int64s("\(out).taps", lead + [taps, positions] + trail)],
      "\(out).split")
    node(
      "ReduceSum", ["\(out).split", int64s("\(out).axes", [lead.count])], "\(out).summed",
      [ONNX.Attribute(name: "keepdims", value: .int(0))])
    node("Reshape", ["\(out).summed", int64s("\(out).shape", lead + w.size + trail)], out)
  }

  /// An op's ONNX spelling on operands `x`, its value named `out` and its composition's values
  /// `out.NAME`.
  mutating func spell(_ spelling: ONNXSpelling, _ x: [String], _ out: String) throws {
    switch spelling {
    case .op(let opType): node(opType, x, out)
    case .composition(let lines):
      for line in lines {
        guard let step = ONNXStep(line) else {
          throw GraphError.unsupported("ONNX export: the spelling line '\(line)' does not parse")
        }
        let target = step.name.map { "\(out).\($0)" } ?? out
        let arguments = step.arguments.map { argument in
          if argument.hasPrefix("$"), let k = Int(argument.dropFirst()), x.indices.contains(k) {
            return x[k]
          }
          return Double(argument).map { scalar($0) } ?? "\(out).\(argument)"
        }
        if let kind = Op.Kind.allCases.first(where: { $0.name == step.operator }),
          let row = kind.spelling
        {
          try spell(row.onnx, arguments, target)
        } else if step.castTo == "type" {
          cast(arguments, target)
        } else if step.castTo == "bool" {
          node("Cast", arguments, target, [ONNX.Attribute(name: "to", value: .int(9))])
        } else {
          node(step.operator, arguments, target)
        }
      }
    }
  }

  /// A scalar initializer holding `value` in the type of the node being lowered, made once per
  /// model.
  mutating func scalar(_ value: Double) -> String {
    let key = Scalar(value: value, dtype: dtype)
    if let name = scalars[key] { return name }
    let name = "%scalar\(scalars.count)"
    scalars[key] = name
    onnx.initializers.append(.reals(name, dims: [], [value], dtype))
    return name
  }

  /// A comparison as 1.0 / 0.0: the ONNX boolean cast to the node's type.
  mutating func mask(_ opType: String, _ inputs: [String], _ out: String) {
    node(opType, inputs, "\(out).bool")
    cast(["\(out).bool"], out)
  }

  /// `Cast` of `inputs` to the type of the node being lowered.
  mutating func cast(_ inputs: [String], _ out: String) {
    let to = ONNX.ElementType(dtype).rawValue
    node("Cast", inputs, out, [ONNX.Attribute(name: "to", value: .int(to))])
  }

  /// One `Identity` per output, so each keeps its own name even when it is a variable, a
  /// constant or another output's node.
  mutating func addOutputs() throws {
    let variableNames = Set(graph.variables.map(\.name))
    var seen: Set<String> = []
    for (name, id) in zip(graph.outputNames, graph.outputs) {
      guard !variableNames.contains(name) else {
        throw GraphError.unsupported(
          "ONNX export: output '\(name)' has the name of an input variable; ONNX names every value once, so rename the output"
        )
      }
      guard seen.insert(name).inserted else {
        throw GraphError.unsupported(
          "ONNX export: two outputs are named '\(name)'; ONNX names every value once, so rename one"
        )
      }
      node("Identity", [value(id)], name)
      onnx.outputs.append(
        ONNX.ValueInfo(
          name: name, shape: graph.shape(id), elementType: ONNX.ElementType(graph.dtype(id))))
    }
  }
}

/// One line of an ONNX composition (`ONNXSpelling.composition`): `name = Operator(a, b; to=T)`.
private struct ONNXStep {
  let name: String?
  let `operator`: String
  let arguments: [String]
  /// The target of a `Cast`: `bool` or `type`.
  let castTo: String?

  init?(_ line: String) {
    func trimmed(_ text: Substring) -> String { String(text.filter { $0 != " " }) }
    var call = Substring(line)
    if let equals = line.firstRange(of: " = "), !line[..<equals.lowerBound].contains("(") {
      name = trimmed(line[..<equals.lowerBound])
      call = line[equals.upperBound...]
    } else {
      name = nil
    }
    guard let open = call.firstIndex(of: "("), call.last == ")" else { return nil }
    `operator` = trimmed(call[..<open])
    let parts = call[call.index(after: open)..<call.index(before: call.endIndex)].split(
      separator: ";", maxSplits: 1)
    arguments = parts.first.map { $0.split(separator: ",").map(trimmed) } ?? []
    castTo = parts.count > 1 ? trimmed(parts[1]).replacing("to=", with: "") : nil
  }
}
