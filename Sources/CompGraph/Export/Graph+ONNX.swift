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
    switch graph.op(id) {
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
    case .exp: node("Exp", x, out)
    case .ln: node("Log", x, out)
    case .sqrt: node("Sqrt", x, out)
    case .sin: node("Sin", x, out)
    case .cos: node("Cos", x, out)
    case .tanh: node("Tanh", x, out)
    case .cast: cast(x, out)
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
    // onnxruntime has no float64 Tan, Sinh or Cosh: written with ops it runs, as accurately.
    case .tan:
      node("Sin", x, "\(out).sin")
      node("Cos", x, "\(out).cos")
      node("Div", ["\(out).sin", "\(out).cos"], out)
    case .sinh: sinh(x[0], out)
    case .cosh:  // (eˣ + e⁻ˣ)/2
      node("Exp", x, "\(out).exp")
      node("Neg", x, "\(out).neg")
      node("Exp", ["\(out).neg"], "\(out).expneg")
      node("Add", ["\(out).exp", "\(out).expneg"], "\(out).sum")
      node("Mul", ["\(out).sum", scalar(0.5)], out)
    // The standard operators (onnxruntime's CPU provider runs them in float32 only).
    case .atan: node("Atan", x, out)
    case .asin: node("Asin", x, out)
    case .acos: node("Acos", x, out)
    case .erf: node("Erf", x, out)
    // ONNX has no operator for these: accurate compositions.
    case .log1p: log1p(x[0], out)
    case .expm1: expm1(x[0], out)
    case .cbrt:  // sign(x)·|x|^⅓
      node("Abs", x, "\(out).abs")
      node("Pow", ["\(out).abs", scalar(1.0 / 3)], "\(out).root")
      node("Sign", x, "\(out).sign")
      node("Mul", ["\(out).sign", "\(out).root"], out)
    case .atan2: atan2(x[0], x[1], out)
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
    case .custom(let op):
      throw GraphError.unsupported(
        "ONNX export: the custom op '\(op.name)' has no ONNX operator; ONNX runs only its own operators, so export this graph as C or Python with the op's spellings"
      )
    case .oneHot(let n):  // (index == k) for k = 0..<n, along a new last axis
      onnx.initializers.append(
        .reals("\(out).classes", dims: [n], (0..<n).map(Double.init), dtype))
      node("Unsqueeze", [x[0], int64s("\(out).axes", [-1])], "\(out).column")
      mask("Equal", ["\(out).column", "\(out).classes"], out)
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet:
      throw GraphError.unsupported(
        "ONNX export: ONNX has no operator for '\(graph.op(id).info.name)' (nor for solve, inv, det, cholesky, triangular_solve or logdet); evaluate the graph with CompGraph, or export it as JAX or NumPy (--format jax, --format python)"
      )
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

  /// eˣ − 1 without cancellation (Kahan): (u − 1)·x / ln u with u = eˣ, which is x where u = 1,
  /// −1 where u = 0 and u where u = ∞.
  mutating func expm1(_ x: String, _ out: String) {
    node("Exp", [x], "\(out).u")
    node("Sub", ["\(out).u", scalar(1)], "\(out).um1")
    node("Mul", ["\(out).um1", x], "\(out).num")
    node("Log", ["\(out).u"], "\(out).ln")
    node("Div", ["\(out).num", "\(out).ln"], "\(out).q")
    node("Equal", ["\(out).u", scalar(1)], "\(out).isone")
    node("Where", ["\(out).isone", x, "\(out).q"], "\(out).r1")
    node("Equal", ["\(out).u", scalar(0)], "\(out).iszero")
    node("Where", ["\(out).iszero", scalar(-1), "\(out).r1"], "\(out).r2")
    node("IsInf", ["\(out).u"], "\(out).isinf")
    node("Where", ["\(out).isinf", "\(out).u", "\(out).r2"], out)
  }

  /// ln(1 + x) without cancellation (Goldberg): ln u · x / (u − 1) with u = 1 + x, which is x
  /// where u = 1 and ln u where u = ±∞.
  mutating func log1p(_ x: String, _ out: String) {
    node("Add", [x, scalar(1)], "\(out).u")
    node("Sub", ["\(out).u", scalar(1)], "\(out).w")
    node("Log", ["\(out).u"], "\(out).ln")
    node("Mul", ["\(out).ln", x], "\(out).num")
    node("Div", ["\(out).num", "\(out).w"], "\(out).q")
    node("Equal", ["\(out).w", scalar(0)], "\(out).isone")
    node("Where", ["\(out).isone", x, "\(out).q"], "\(out).r1")
    node("IsInf", ["\(out).u"], "\(out).isinf")
    node("Where", ["\(out).isinf", "\(out).ln", "\(out).r1"], out)
  }

  /// sinh x = ±(e/2)·(e + 2)/(e + 1) with e = e^|x| − 1 (no cancellation near 0, nor for
  /// x ≪ 0, and no overflow before sinh's own), and ±∞ where e is.
  mutating func sinh(_ x: String, _ out: String) {
    node("Abs", [x], "\(out).abs")
    expm1("\(out).abs", "\(out).e")
    node("Add", ["\(out).e", scalar(2)], "\(out).ep2")
    node("Add", ["\(out).e", scalar(1)], "\(out).ep1")
    node("Div", ["\(out).ep2", "\(out).ep1"], "\(out).ratio")
    node("Mul", ["\(out).e", scalar(0.5)], "\(out).half")
    node("Mul", ["\(out).half", "\(out).ratio"], "\(out).q")
    node("IsInf", ["\(out).e"], "\(out).isinf")
    node("Where", ["\(out).isinf", "\(out).e", "\(out).q"], "\(out).magnitude")
    node("Neg", ["\(out).magnitude"], "\(out).negative")
    node("Less", [x, scalar(0)], "\(out).isnegative")
    node("Where", ["\(out).isnegative", "\(out).negative", "\(out).magnitude"], out)
  }

  /// atan2(u, v) = atan(u/v) for v > 0, ± π added for v < 0 (the sign of u's), and ±π/2 (u's
  /// sign) for v = 0. ONNX has no Atan2, and onnxruntime runs Atan in float32 only.
  mutating func atan2(_ u: String, _ v: String, _ out: String) {
    node("Div", [u, v], "\(out).ratio")
    node("Atan", ["\(out).ratio"], "\(out).atan")
    node("GreaterOrEqual", [u, scalar(0)], "\(out).upper")
    node("Where", ["\(out).upper", scalar(.pi), scalar(-.pi)], "\(out).turn")
    node("Add", ["\(out).atan", "\(out).turn"], "\(out).turned")
    node("Less", [v, scalar(0)], "\(out).left")
    node("Where", ["\(out).left", "\(out).turned", "\(out).atan"], "\(out).angle")
    node("Sign", [u], "\(out).sign")
    node("Mul", ["\(out).sign", scalar(.pi / 2)], "\(out).axis")
    node("Equal", [v, scalar(0)], "\(out).vertical")
    node("Where", ["\(out).vertical", "\(out).axis", "\(out).angle"], out)
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
