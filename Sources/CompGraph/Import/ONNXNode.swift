/// One ONNX node being imported: its inputs, its attributes read as the spec allows them, and the
/// builder its values are made in. The op tables (`ONNXOperator+*.swift`) read it.
struct ONNXNode {
  let node: ONNXProto.Node
  /// `node 'name' (Op, #k)`, for messages.
  let description: String
  /// The model's opset of the default domain: attributes became inputs at some opsets.
  let opset: Int
  var inputs: [ONNXTensor?]
  var builder: GraphBuilder
  /// The bytes a `Constant`'s tensor may still take.
  var bytesLeft: Int

  var opType: String { node.opType }

  /// An error about this node.
  func invalid(_ message: String) -> ONNXImportError {
    .invalidModel("\(description): \(message)")
  }

  /// A refusal of this node's use of something the importer does not read.
  func refuse(_ message: String) -> ONNXImportError {
    .unsupported(op: opType, message: "\(description): \(message)")
  }

  // MARK: Inputs

  /// Input `i`, which must be present.
  func input(_ i: Int) throws(ONNXImportError) -> ONNXTensor {
    guard i < inputs.count, let value = inputs[i] else {
      throw invalid("\(opType) needs an input \(i), and it has none")
    }
    return value
  }

  /// Input `i`, or `nil` when it is left out (past the end, or named "").
  func optionalInput(_ i: Int) -> ONNXTensor? { i < inputs.count ? inputs[i] : nil }

  /// Input `i`'s expression.
  func expr(_ i: Int) throws(ONNXImportError) -> Expr { try input(i).expr }

  /// Every input's expression.
  func exprs() throws(ONNXImportError) -> [Expr] {
    var result: [Expr] = []
    for i in inputs.indices { result.append(try expr(i)) }
    return result
  }

  /// Input `i`'s values, which must be known when the model is imported (an initializer, a
  /// `Constant`, or computed from those only): the shapes, axes and pads ops take as inputs.
  func known(_ i: Int, _ role: String) throws(ONNXImportError) -> Tensor {
    let value = try input(i)
    guard let known = value.known else {
      throw refuse(
        "its \(role) (input \(i), '\(node.inputs[i])') is computed from the graph's inputs; "
          + "CompGraph's shapes are static, so the importer needs it to be a constant")
    }
    return known
  }

  /// Input `i` as integers (shapes, axes, pads), or `nil` when it is left out.
  func knownInts(_ i: Int, _ role: String) throws(ONNXImportError) -> [Int]? {
    guard optionalInput(i) != nil else { return nil }
    return try integers(try known(i, role).scalars, role)
  }

  func integers(_ values: [Double], _ role: String) throws(ONNXImportError) -> [Int] {
    var result: [Int] = []
    for v in values {
      guard v == v.rounded(), abs(v) < 0x1p62 else {
        throw invalid("its \(role) holds \(v), which is not an integer")
      }
      result.append(Int(v))
    }
    return result
  }

  /// A result of this node (element type: `type`, or the first input's).
  func value(_ expr: Expr, _ type: ONNXElementType? = nil) -> ONNXTensor {
    ONNXTensor(
      expr: expr, elementType: type ?? inputs.first??.elementType ?? .float, known: nil)
  }

  /// A result whose values are known (shape arithmetic).
  func knownValue(_ tensor: Tensor, _ type: ONNXElementType) -> ONNXTensor {
    ONNXTensor(expr: builder.constant(tensor), elementType: type, known: tensor)
  }

  // MARK: Attributes

  func attribute(_ name: String) -> ONNXProto.Attribute.Value? {
    node.attributes.last { $0.name == name }?.value
  }

  func has(_ name: String) -> Bool { attribute(name) != nil }

  func int(_ name: String) throws(ONNXImportError) -> Int? {
    switch attribute(name) {
    case nil: return nil
    case .int(let i): return i
    case let other: throw wrongAttribute(name, other, "an integer")
    }
  }

  func int(_ name: String, default value: Int) throws(ONNXImportError) -> Int {
    try int(name) ?? value
  }

  func float(_ name: String, default value: Double) throws(ONNXImportError) -> Double {
    switch attribute(name) {
    case nil: return value
    case .float(let f): return Double(f)
    case .int(let i): return Double(i)
    case let other: throw wrongAttribute(name, other, "a float")
    }
  }

  func ints(_ name: String) throws(ONNXImportError) -> [Int]? {
    switch attribute(name) {
    case nil: return nil
    case .ints(let list): return list
    case .int(let i): return [i]
    case let other: throw wrongAttribute(name, other, "a list of integers")
    }
  }

  func floats(_ name: String) throws(ONNXImportError) -> [Double]? {
    switch attribute(name) {
    case nil: return nil
    case .floats(let list): return list.map(Double.init)
    case .float(let f): return [Double(f)]
    case let other: throw wrongAttribute(name, other, "a list of floats")
    }
  }

  func string(_ name: String, default value: String) throws(ONNXImportError) -> String {
    switch attribute(name) {
    case nil: return value
    case .string(let s): return s
    case let other: throw wrongAttribute(name, other, "a string")
    }
  }

  func tensorAttribute(_ name: String) throws(ONNXImportError) -> ONNXProto.TensorProto? {
    switch attribute(name) {
    case nil: return nil
    case .tensor(let t): return t
    case let other: throw wrongAttribute(name, other, "a tensor")
    }
  }

  private func wrongAttribute(
    _ name: String, _ value: ONNXProto.Attribute.Value?, _ expected: String
  ) -> ONNXImportError {
    let kind: String
    switch value {
    case .float: kind = "a float"
    case .int: kind = "an integer"
    case .string: kind = "a string"
    case .tensor: kind = "a tensor"
    case .floats: kind = "a list of floats"
    case .ints: kind = "a list of integers"
    case .strings: kind = "a list of strings"
    case .other(let what): kind = what
    case nil: kind = "nothing"
    }
    return invalid("its attribute '\(name)' is \(kind), not \(expected)")
  }

  /// An axis attribute or value counted from the front of `rank` axes.
  func axis(_ axis: Int, rank: Int, _ role: String = "axis") throws(ONNXImportError) -> Int {
    guard let a = normalized(axis, rank: rank) else {
      throw invalid("its \(role) \(axis) is not an axis of a rank-\(rank) tensor")
    }
    return a
  }
}
