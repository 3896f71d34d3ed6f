import Foundation
import Testing

@testable import CompGraph

/// The ONNX importer on models written here (with the export's own protobuf writer): exports that
/// import back to the same values, attributes in each form, and every kind of bad file — each a
/// thrown `ONNXImportError` that says what and where, never a trap.
@Suite struct ONNXImportTests {
  /// A model of `nodes` over float32 `inputs`, with `outputs`, opset `opset`.
  static func model(
    nodes: [ONNX.Node], inputs: [(String, [Int])], outputs: [String],
    initializers: [ONNX.Tensor] = [], opset: Int = 17
  ) -> Data {
    var graph = ONNX.Graph(name: "test")
    graph.nodes = nodes
    graph.initializers = initializers
    graph.inputs = inputs.map { ONNX.ValueInfo(name: $0.0, shape: $0.1, elementType: .float) }
    graph.outputs = outputs.map { ONNX.ValueInfo(name: $0, shape: [], elementType: .float) }
    return Data(ONNX.Model(irVersion: 8, opset: opset, producer: "test", graph: graph).encoded())
  }

  static func node(
    _ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [ONNX.Attribute] = []
  ) -> ONNX.Node {
    ONNX.Node(opType: op, inputs: inputs, outputs: outputs, attributes: attributes)
  }

  /// Whatever `body` throws, as an `ONNXImportError` (a test failure when it throws nothing).
  static func importError(_ data: Data, limits: ONNXImportLimits = ONNXImportLimits())
    -> ONNXImportError?
  {
    do {
      _ = try importONNX(data, limits: limits)
      return nil
    } catch {
      return error
    }
  }

  /// An export of expressions with tensors and their gradients imports back to a graph with the
  /// same values: each op the export writes (Einsum, ReduceSum, Pow, Where, Max, Exp, …) is one
  /// the importer reads.
  @Test func exportsImportBack() throws {
    let sources = [
      (
        "var A: 2x3, B: 2x3\nout f = sum(exp(A) * B) + sum(logsumexp(A))",
        ["A": [2, 3], "B": [2, 3]]
      ),
      (
        "var W: 3x2, x: 2\nout y = matmul(W, x)\nout z = softmax(matmul(W, x))",
        ["W": [3, 2], "x": [2]]
      ),
      (
        "var v: 4\nout f = sum(where(v > 0.5, sqrt(v), -v) + max(v, 0.7)^3 + tanh(v) / (1 + v * v))",
        ["v": [4]]
      ),
      (
        "var A: 2x3\nout f = sum(concat(slice(A, 1, 0, 2), pad(A, 1, 1, 0), 1)) + trace(matmul(A, transpose(A)))",
        ["A": [2, 3]]
      ),
    ]
    for (source, _) in sources {
      let program = try parseProgram(source, into: GraphBuilder())
      let graph = try program.graph()
      let exported = Data(try graph.onnxModel())
      let imported = try Graph(onnxModel: exported)
      let point = ONNXExportTests.point(for: graph)
      let expected = try graph.evaluate(point), actual = try imported.evaluate(point)
      #expect(imported.outputNames == graph.outputNames)
      for (e, a) in zip(expected, actual) {
        #expect(e.shape == a.shape)
        for (x, y) in zip(e.scalars, a.scalars) {
          #expect(isClose(x, y, tolerance: 1e-12), "\(source)")
        }
      }
    }
  }

  /// A `Gemm` with its weights as parameters: constants by default, variables with
  /// `parametersAsVariables`, and then the gradient with respect to them is the closed form
  /// ∂ sum(xWᵀ + b)/∂W = 1ᵀx (every row of W gets the column sums of x).
  @Test func parametersAsVariables() throws {
    let w = ONNX.Tensor.reals("W", dims: [2, 3], [1, 2, 3, 4, 5, 6], .f32)
    let b = ONNX.Tensor.reals("b", dims: [2], [0.5, -0.5], .f32)
    let data = Self.model(
      nodes: [
        Self.node("Gemm", ["x", "W", "b"], ["y"], [ONNX.Attribute(name: "transB", value: .int(1))])
      ],
      inputs: [("x", [4, 3])], outputs: ["y"], initializers: [w, b])
    let constant = try importONNX(data)
    #expect(constant.inputs.map(\.name) == ["x"])
    #expect(try constant.graph().variables.map(\.name) == ["x"])
    #expect(constant.parameters.map(\.name) == ["W", "b"])
    let imported = try importONNX(data, parametersAsVariables: true)
    let f = imported.program.outputs[0].expr
    let variables = try imported.graph().variables
    #expect(variables.map(\.name).sorted() == ["W", "b", "x"])
    let builder = f.builder
    let dW = try gradient(of: f.sum(), wrt: [builder.variable("W", [2, 3], dtype: .f32)])[0]
    let x = Tensor(shape: [4, 3], scalars: (0..<12).map { Double($0) / 4 }, dtype: .f32)
    var point = imported.parameterValues
    point["x"] = x
    let value = try dW.graph().evaluate(point)[0]
    let columnSums = (0..<3).map { j in (0..<4).reduce(0.0) { $0 + x.scalars[$1 * 3 + j] } }
    #expect(value.shape == [2, 3])
    #expect(value.scalars == columnSums + columnSums)
    let y = try imported.graph().evaluate(point)[0]
    let y0: Double = 0.25 * 2 + 0.5 * 3 + 0.5
    #expect(y.scalars[0] == y0)
  }

  /// Attributes as the spec allows them: lists packed or not, `type` left out (older writers).
  @Test func attributeForms() throws {
    // Transpose with perm [1, 0], written by hand: attribute 5 → name "perm", ints unpacked,
    // no type field.
    var attribute = ProtobufWriter()
    attribute.string(1, "perm")
    attribute.int(8, 1)
    attribute.int(8, 0)
    var packed = ProtobufWriter()
    packed.string(1, "perm")
    packed.bytes(8, [1, 0])
    packed.int(20, 7)
    for body in [attribute.bytes, packed.bytes] {
      var node = ProtobufWriter()
      node.string(1, "x")
      node.string(2, "y")
      node.string(4, "Transpose")
      node.bytes(5, body)
      var graph = ProtobufWriter()
      graph.bytes(1, node.bytes)
      graph.message(11) {
        ONNX.ValueInfo(name: "x", shape: [2, 3], elementType: .float).encode(into: &$0)
      }
      graph.message(12) {
        ONNX.ValueInfo(name: "y", shape: [3, 2], elementType: .float).encode(into: &$0)
      }
      var model = ProtobufWriter()
      model.int(1, 8)
      model.bytes(7, graph.bytes)
      model.message(8) { $0.int(2, 13) }
      let g = try Graph(onnxModel: Data(model.bytes))
      let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], dtype: .f32)
      #expect(try g.evaluate(["x": x])[0].scalars == [1, 4, 2, 5, 3, 6])
    }
  }

  /// Every prefix of a model is refused with an error, never a trap; so is every single-byte
  /// change of it that the reader notices.
  @Test func truncatedAndCorruptedFiles() throws {
    let data = Self.model(
      nodes: [
        Self.node("Relu", ["x"], ["h"]),
        Self.node("Softmax", ["h"], ["y"], [ONNX.Attribute(name: "axis", value: .int(-1))]),
      ],
      inputs: [("x", [2, 3])], outputs: ["y"])
    _ = try importONNX(data)
    for length in 0..<data.count {
      #expect(Self.importError(data.prefix(length)) != nil, "prefix of \(length) bytes")
    }
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<2000 {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      var bytes = [UInt8](data)
      bytes[Int(seed >> 33) % bytes.count] = UInt8(truncatingIfNeeded: seed >> 17)
      _ = try? importONNX(Data(bytes))  // must return or throw, not trap
    }
  }

  /// The reader's messages for the wire-format errors a fuzzer finds.
  @Test func wireFormatErrors() {
    let cases: [([UInt8], String)] = [
      ([0x08, 0x80], "a varint at byte 1 runs past the end"),
      ([0x08] + Array(repeating: 0xFF, count: 10) + [0x01], "is longer than 10 bytes"),
      (
        [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07],
        "field 7 at byte 0 is 2147483647 bytes long, but only 0 bytes"
      ),
      ([0x38, 0x01], "the field graph has wire type varint (0), not length-delimited"),
      ([0x0B], "has wire type 3 (a group, which ONNX never uses)"),
      ([0x00], "a field number 0 at byte 0"),
      ([0x0D, 0x00], "a 32-bit value at byte 1 runs past the end"),
    ]
    for (bytes, message) in cases {
      let error = Self.importError(Data(bytes))
      #expect(
        error?.description.contains(message) == true, "\(bytes): \(String(describing: error))")
      if case .malformed = error {
      } else {
        Issue.record("\(bytes): not malformed: \(String(describing: error))")
      }
    }
    #expect(
      Self.importError(Data())
        == .invalidModel("the ModelProto has no graph (field 7); is this an ONNX model file?"))
  }

  /// Graphs that are well-formed protobuf but not valid ONNX: each error names the node and value.
  @Test func invalidGraphs() {
    let cycle = Self.model(
      nodes: [Self.node("Relu", ["b"], ["a"]), Self.node("Exp", ["a"], ["b"])],
      inputs: [("x", [2])], outputs: ["a"])
    #expect(Self.importError(cycle)?.description.contains("is part of a cycle") == true)
    let missing = Self.model(
      nodes: [Self.node("Relu", ["nowhere"], ["y"])], inputs: [("x", [2])], outputs: ["y"])
    #expect(
      Self.importError(missing)
        == .invalidModel(
          "node 0 (Relu) reads 'nowhere', which no node, graph input or initializer makes"))
    let twice = Self.model(
      nodes: [Self.node("Relu", ["x"], ["y"]), Self.node("Exp", ["x"], ["y"])],
      inputs: [("x", [2])],
      outputs: ["y"])
    #expect(
      Self.importError(twice) == .invalidModel("'y' is made by both node 0 (Relu) and node 1 (Exp)")
    )
    let noOutput = Self.model(nodes: [], inputs: [("x", [2])], outputs: ["z"])
    #expect(
      Self.importError(noOutput)
        == .invalidModel("the graph output 'z' is made by no node, input or initializer"))
    let tooFewInputs = Self.model(
      nodes: [Self.node("Add", ["x"], ["y"])], inputs: [("x", [2])], outputs: ["y"])
    #expect(
      Self.importError(tooFewInputs)
        == .invalidModel("node 0 (Add): Add needs an input 1, and it has none"))
    let badShape = Self.model(
      nodes: [Self.node("MatMul", ["x", "x"], ["y"])], inputs: [("x", [2, 3])], outputs: ["y"])
    #expect(Self.importError(badShape)?.description.contains("node 0 (MatMul): einsum") == true)
  }

  /// An op the importer does not read is refused with its name, node and opset, and the list of
  /// the ops it reads; opsets outside 6–21 are refused as a whole.
  @Test func refusals() throws {
    let data = Self.model(
      nodes: [Self.node("TopK", ["x", "k"], ["v", "i"])], inputs: [("x", [4]), ("k", [1])],
      outputs: ["v"])
    let error = try #require(Self.importError(data))
    #expect(error.refusedOp == "TopK")
    #expect(
      error.description.hasPrefix(
        "node 0 (TopK): the ONNX op 'TopK' (opset 17) is not imported; the importer reads these:\n  Abs, Acos,"
      ))
    #expect(error.description.contains("Where"))
    #expect(error.description.split(separator: "\n").allSatisfy { $0.count <= 100 })
    let old = Self.model(nodes: [], inputs: [("x", [2])], outputs: ["x"], opset: 5)
    #expect(
      Self.importError(old)?.description.contains(
        "uses opset 5 of the ONNX domain; the importer reads opsets 6–21") == true)
    let new = Self.model(nodes: [], inputs: [("x", [2])], outputs: ["x"], opset: 22)
    #expect(Self.importError(new)?.refusedOp == nil)
    let custom = ONNX.Node(opType: "Relu", inputs: ["x"], outputs: ["y"])
    var bytes = ProtobufWriter()
    custom.encode(into: &bytes)
    bytes.string(7, "com.example")
    var graph = ProtobufWriter()
    graph.bytes(1, bytes.bytes)
    graph.message(11) {
      ONNX.ValueInfo(name: "x", shape: [2], elementType: .float).encode(into: &$0)
    }
    graph.message(12) {
      ONNX.ValueInfo(name: "y", shape: [2], elementType: .float).encode(into: &$0)
    }
    var model = ProtobufWriter()
    model.bytes(7, graph.bytes)
    model.message(8) { $0.int(2, 13) }
    #expect(
      Self.importError(Data(model.bytes))?.description.hasPrefix(
        "node 0 (Relu): the op 'Relu' of domain 'com.example' is not imported") == true)
  }

  /// Limits are checked before reading: a model past the node budget, and a tensor past the
  /// memory budget — claimed by its dimensions, before its data is looked at.
  @Test func limits() {
    let nodes = (0..<5).map { Self.node("Relu", [$0 == 0 ? "x" : "h\($0 - 1)"], ["h\($0)"]) }
    let data = Self.model(nodes: nodes, inputs: [("x", [2])], outputs: ["h4"])
    #expect(
      Self.importError(data, limits: ONNXImportLimits(maxNodes: 4))
        == .tooLarge(
          "the model has 5 nodes, more than the node budget of 4; raise it with --node-budget"))
    let huge = ONNX.Tensor(name: "W", dims: [1 << 20, 1 << 20], elementType: .float, raw: [])
    let model = Self.model(
      nodes: [Self.node("Add", ["x", "W"], ["y"])], inputs: [("x", [1])], outputs: ["y"],
      initializers: [huge])
    #expect(
      Self.importError(model)
        == .tooLarge(
          "initializer 'W' (0) (1048576x1048576) needs 8796093022208 bytes as values, more than the "
            + "2147483648-byte limit; raise it with --max-memory"))
    let short = ONNX.Tensor(name: "W", dims: [3], elementType: .float, raw: [0, 0, 0, 0])
    let shortModel = Self.model(
      nodes: [Self.node("Add", ["x", "W"], ["y"])], inputs: [("x", [3])], outputs: ["y"],
      initializers: [short])
    #expect(
      Self.importError(shortModel)
        == .invalidModel(
          "initializer 'W' (0) has 4 bytes of raw_data, but its 3 elements of FLOAT need 12"))
  }

  /// An input whose shape the model leaves symbolic needs one given; a model's shape arithmetic
  /// (`Shape` → `Gather` → `Concat` → `Reshape`) is computed when it is imported.
  @Test func shapesAndShapeArithmetic() throws {
    let index = ONNX.Tensor.int64s("zero", [0])
    let minusOne = ONNX.Tensor.int64s("minus", [-1])
    let data = Self.model(
      nodes: [
        Self.node("Shape", ["x"], ["s"]), Self.node("Gather", ["s", "zero"], ["n"]),
        Self.node(
          "Concat", ["n", "minus"], ["shape"], [ONNX.Attribute(name: "axis", value: .int(0))]),
        Self.node("Reshape", ["x", "shape"], ["y"]),
      ],
      inputs: [("x", [2, 3, 4])], outputs: ["y"], initializers: [index, minusOne])
    let g = try Graph(onnxModel: data)
    #expect(g.shape(g.outputs[0]) == [2, 12])
    #expect(g.operationCount == 1)  // the reshape; the shape arithmetic is folded
  }

  /// `.npy` files as `numpy.save` writes them, and their errors.
  @Test func numpyFiles() throws {
    func npy(_ header: String, _ data: [UInt8]) -> Data {
      var text = header
      while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
      text += "\n"
      var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
      bytes += [UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)]
      return Data(bytes + Array(text.utf8) + data)
    }
    let floats = [Float(1.5), -2, 0.25, 8].flatMap { value in
      withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
    }
    let t = try ONNXTensorFile.read(
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", floats),
      pathExtension: "npy")
    #expect(t.shape == [2, 2] && t.scalars == [1.5, -2, 0.25, 8] && t.dtype == .f32)
    let scalar = try ONNXTensorFile.read(
      npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
        withUnsafeBytes(of: 3.0.bitPattern.littleEndian) { Array($0) }),
      pathExtension: "npy")
    #expect(scalar.shape == [] && scalar.scalars == [3])
    #expect(
      throws: ONNXImportError.malformed(".npy data has 16 bytes, but 6 elements of '<f4' need 24")
    ) {
      try ONNXTensorFile.read(
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", floats),
        pathExtension: "npy")
    }
    #expect(throws: ONNXImportError.self) {
      try ONNXTensorFile.read(
        npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", floats),
        pathExtension: "npy")
    }
    #expect(throws: ONNXImportError.malformed("not a .npy file: it does not begin with \\x93NUMPY"))
    {
      try ONNXTensorFile.read(Data([1, 2, 3]), pathExtension: "npy")
    }
  }
}
