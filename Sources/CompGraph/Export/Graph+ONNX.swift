/// ONNX export: the graph as an ONNX model of float64 tensors that onnxruntime (or any engine of
/// the opset) runs.
extension Graph {
  /// The ONNX opset the export targets (ONNX 1.16, onnxruntime ≥ 1.20).
  public static let onnxOpset = 21

  /// The graph as a serialized ONNX `ModelProto`: float64 throughout, opset `onnxOpset`.
  ///
  /// Each variable becomes a graph input and each output a graph output, keeping its name and
  /// shape; constants become initializers; every node maps to one ONNX node, or a short chain
  /// (an n-ary product is a chain of binary `Mul`s). Throws when two outputs, or an output and a
  /// variable, share a name (ONNX names every value once).
  public func onnxModel() throws -> [UInt8] {
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

  init(graph: Graph) { self.graph = graph }

  func value(_ id: NodeID) -> String {
    if case .variable(let name) = graph.op(id) { return name }
    return "%\(id.index)"
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
    let x = graph.inputs(id).map(value)
    switch graph.op(id) {
    case .variable:
      onnx.inputs.append(ONNX.ValueInfo(name: out, shape: graph.shape(id)))
    case .constant(let t):
      onnx.initializers.append(.doubles(out, dims: t.shape, t.scalars))
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
      onnx.initializers.append(.doubles("\(out).exponent", dims: [], [c]))
      node("Pow", [x[0], "\(out).exponent"], out)
    case .exp: node("Exp", x, out)
    case .ln: node("Log", x, out)
    case .sqrt: node("Sqrt", x, out)
    case .sin: node("Sin", x, out)
    case .cos: node("Cos", x, out)
    case .tanh: node("Tanh", x, out)
    case .einsum(let spec):
      guard spec.labelCount <= 52 else {
        throw GraphError.unsupported(
          "ONNX export: einsum \(spec) has \(spec.labelCount) indices; ONNX's Einsum names them with the 52 letters a-z, A-Z"
        )
      }
      node("Einsum", x, out, [ONNX.Attribute(name: "equation", value: .string(spec.description))])
    case .sumTo(let target):
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
    case .broadcastTo(let target):
      node("Expand", [x[0], int64s("\(out).shape", target)], out)
    case .power: node("Pow", x, out)
    case .abs: node("Abs", x, out)
    case .sign: node("Sign", x, out)
    case .maximum: node("Max", x, out)
    case .minimum: node("Min", x, out)
    case .less: mask("Less", x, out)
    case .lessEqual: mask("LessOrEqual", x, out)
    case .greater: mask("Greater", x, out)
    case .greaterEqual: mask("GreaterOrEqual", x, out)
    case .equal: mask("Equal", x, out)
    case .select:  // a where c ≠ 0 (NaN included: a cast to bool is true)
      node("Cast", [x[0]], "\(out).condition", [ONNX.Attribute(name: "to", value: .int(9))])
      node("Where", ["\(out).condition", x[1], x[2]], out)
    case .tan: node("Tan", x, out)
    case .atan: node("Atan", x, out)
    case .asin: node("Asin", x, out)
    case .acos: node("Acos", x, out)
    case .sinh: node("Sinh", x, out)
    case .cosh: node("Cosh", x, out)
    case .erf: node("Erf", x, out)
    case .log1p, .expm1, .cbrt:
      throw GraphError.unsupported(
        "ONNX export: \(graph.op(id).info.name) has no ONNX operator, and composing it (ln(1 + x), eˣ − 1, x^⅓) loses its accuracy or its sign; export the expression written with those instead"
      )
    case .reshape(let target):
      node("Reshape", [x[0], int64s("\(out).shape", target)], out)
    case .reduceMax(let axis):
      node(
        "ReduceMax", [x[0], int64s("\(out).axes", [axis])], out,
        [ONNX.Attribute(name: "keepdims", value: .int(0))])
    case .slice(let axis, let start, let end):
      node(
        "Slice",
        [
          x[0], int64s("\(out).starts", [start]), int64s("\(out).ends", [end]),
          int64s("\(out).axes", [axis]),
        ], out)
    case .pad(let axis, let before, let after):
      let rank = graph.shape(id).count
      var pads = [Int](repeating: 0, count: 2 * rank)
      pads[axis] = before
      pads[rank + axis] = after
      node("Pad", [x[0], int64s("\(out).pads", pads)], out)
    case .oneHot(let n):  // (index == k) for k = 0..<n, along a new last axis
      onnx.initializers.append(.doubles("\(out).classes", dims: [n], (0..<n).map(Double.init)))
      node("Unsqueeze", [x[0], int64s("\(out).axes", [-1])], "\(out).column")
      mask("Equal", ["\(out).column", "\(out).classes"], out)
    }
  }

  /// A comparison as 1.0 / 0.0: the ONNX boolean cast to double.
  mutating func mask(_ opType: String, _ inputs: [String], _ out: String) {
    node(opType, inputs, "\(out).bool")
    node("Cast", ["\(out).bool"], out, [ONNX.Attribute(name: "to", value: .int(11))])
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
      onnx.outputs.append(ONNX.ValueInfo(name: name, shape: graph.shape(id)))
    }
  }
}
