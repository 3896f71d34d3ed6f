import Foundation

/// An ONNX model imported into a `GraphBuilder`: its outputs as expressions, with what
/// `compgraph import` summarises.
public struct ONNXImport {
  /// The model's outputs, named as in the model.
  public let program: ParsedProgram
  /// The graph inputs that are not initializers (nor `constantInputs`): the variables a caller
  /// binds.
  public let inputs: [(name: String, shape: Shape, dtype: DType)]
  /// The names of the model's inputs that are not initializers, in the model's order (the order
  /// of ONNX test data's `input_k.pb`), those fixed by `constantInputs` included.
  public let modelInputs: [String]
  /// The real-valued initializers, by name, in the model's order: constants of the graph, or
  /// its variables with `parametersAsVariables` (then bind them with `parameterValues`).
  public let parameters: [(name: String, tensor: Tensor)]
  /// Whether the parameters are variables of the graph.
  public let parametersAreVariables: Bool
  /// How many nodes of each ONNX op the model has, by op name.
  public let opCounts: [(op: String, count: Int)]
  /// The model's opset (of the default domain).
  public let opset: Int

  /// The parameters' values by name, to bind beside the inputs when they are variables.
  public var parameterValues: [String: Tensor] {
    Dictionary(parameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
  }

  /// The imported graph, its outputs named as the model's.
  public func graph() throws -> Graph { try program.graph() }
}

extension Graph {
  /// The graph of the ONNX model in `onnxModel` (a serialized `ModelProto`), its outputs named as
  /// the model's and its graph inputs as variables. The model's real-valued initializers
  /// (weights) are constants, or, with `parametersAsVariables`, variables of their own names, so
  /// that the graph can be differentiated with respect to them (bind them to
  /// `ONNXImport.parameterValues` when evaluating). `inputShapes` gives inputs whose shape the
  /// model leaves symbolic (`N×3×224×224`) a static one. Throws an `ONNXImportError`.
  public init(
    onnxModel: Data, parametersAsVariables: Bool = false, inputShapes: [String: Shape] = [:],
    limits: ONNXImportLimits = ONNXImportLimits()
  ) throws {
    self = try importONNX(
      onnxModel, parametersAsVariables: parametersAsVariables, inputShapes: inputShapes,
      limits: limits
    ).graph()
  }
}

/// Imports the ONNX model in `data` into `builder` (see `Graph(onnxModel:…)`), checking
/// `limits` before reading each part. Every ONNX node's values are built in a scope named after
/// the node (its name, or `OpType_k` when it has none), so a rendering draws them as clusters.
///
/// `constantInputs` fixes graph inputs to values, as constants of the graph (JAX's static
/// arguments): an integer input that gives an op its shape (`Expand`'s, `Reshape`'s) must be
/// given so, since CompGraph's shapes are static.
public func importONNX(
  _ data: Data, parametersAsVariables: Bool = false, inputShapes: [String: Shape] = [:],
  constantInputs: [String: Tensor] = [:], limits: ONNXImportLimits = ONNXImportLimits(),
  into builder: GraphBuilder = GraphBuilder()
) throws(ONNXImportError) -> ONNXImport {
  let model = try ONNXProto.Model([UInt8](data))
  var importer = try ONNXImporter(
    model: model, parametersAsVariables: parametersAsVariables, inputShapes: inputShapes,
    constantInputs: constantInputs, limits: limits, builder: builder)
  return try importer.run()
}

/// A value of the model while it is imported: its expression, its ONNX element type, and its
/// elements when they are known at import time (initializers kept constant, `Constant`s, and
/// small results computed from known values only), which the ops that take shapes, axes and
/// pads as inputs read.
struct ONNXTensor {
  var expr: Expr
  var elementType: ONNXElementType
  var known: Tensor?

  var shape: Shape { expr.shape ?? [] }
}

/// The importer's state: the model, the builder, and the values made so far by name.
struct ONNXImporter {
  let model: ONNXProto.Model
  let graph: ONNXProto.Graph
  let opset: Int
  let parametersAsVariables: Bool
  let inputShapes: [String: Shape]
  let constantInputs: [String: Tensor]
  let limits: ONNXImportLimits
  let builder: GraphBuilder
  var values: [String: ONNXTensor] = [:]
  var bytesRead = 0

  /// The opsets of the default domain the importer reads.
  static let opsets = 6...21
  /// A known result of at most this many elements is computed at import time (shape arithmetic).
  static let foldLimit = 4096

  init(
    model: ONNXProto.Model, parametersAsVariables: Bool, inputShapes: [String: Shape],
    constantInputs: [String: Tensor], limits: ONNXImportLimits, builder: GraphBuilder
  ) throws(ONNXImportError) {
    guard let graph = model.graph else {
      throw .invalidModel("the ModelProto has no graph (field 7); is this an ONNX model file?")
    }
    guard let opset = model.opsets[""] else {
      throw .invalidModel(
        "the model imports no opset of the default ONNX domain (opset_import is empty)")
    }
    guard Self.opsets.contains(opset) else {
      throw .unsupported(
        op: nil,
        message: "the model uses opset \(opset) of the ONNX domain; the importer reads opsets "
          + "\(Self.opsets.lowerBound)–\(Self.opsets.upperBound) (convert it with "
          + "onnx.version_converter.convert_version(model, 21))")
    }
    guard graph.nodes.count <= limits.maxNodes else {
      throw .tooLarge(
        "the model has \(graph.nodes.count) nodes, more than the node budget of "
          + "\(limits.maxNodes); raise it with --node-budget")
    }
    self.model = model
    self.graph = graph
    self.opset = opset
    self.parametersAsVariables = parametersAsVariables
    self.inputShapes = inputShapes.merging(constantInputs.mapValues(\.shape)) { $1 }
    self.constantInputs = constantInputs
    self.limits = limits
    self.builder = builder
  }

  mutating func run() throws(ONNXImportError) -> ONNXImport {
    // An op the importer does not read is named before anything else is looked at (a model of
    // strings is refused by its string op, not by its string input).
    for k in graph.nodes.indices { _ = try supportedOperator(k) }
    var parameters: [(name: String, tensor: Tensor)] = []
    let initializerNames = Set(graph.initializers.map(\.name))
    for (k, initializer) in graph.initializers.enumerated() {
      let what = "initializer '\(initializer.name)' (\(k))"
      let value = try read(initializer, what)
      let isParameter = value.elementType.isReal
      if isParameter { parameters.append((initializer.name, value.tensor)) }
      if isParameter && parametersAsVariables {
        let expr = try variable(initializer.name, value.tensor.shape, value.tensor.dtype, what)
        values[initializer.name] = ONNXTensor(expr: expr, elementType: value.elementType)
      } else {
        values[initializer.name] = ONNXTensor(
          expr: builder.constant(value.tensor), elementType: value.elementType,
          known: value.tensor)
      }
    }
    var inputs: [(name: String, shape: Shape, dtype: DType)] = []
    for (k, input) in graph.inputs.enumerated() where values[input.name] == nil {
      let what = "graph input '\(input.name)' (\(k))"
      let (shape, type) = try inputType(input, what)
      if let pinned = constantInputs[input.name] {
        guard pinned.shape == shape else {
          throw .invalidModel(
            "\(what) has shape \(shape), but its constant value has \(pinned.shape)")
        }
        values[input.name] = ONNXTensor(
          expr: builder.constant(pinned), elementType: type, known: pinned)
        continue
      }
      let expr = try variable(input.name, shape, type.dtype, what)
      values[input.name] = ONNXTensor(expr: expr, elementType: type)
      inputs.append((input.name, shape, type.dtype))
    }
    for index in try topologicalOrder() { try importNode(index) }
    var outputs: [(name: String, expr: Expr)] = []
    for output in graph.outputs {
      guard let value = values[output.name] else {
        throw .invalidModel(
          "the graph output '\(output.name)' is made by no node, input or initializer")
      }
      outputs.append((output.name, value.expr))
    }
    guard !outputs.isEmpty else { throw .invalidModel("the graph has no outputs") }
    var counts: [String: Int] = [:]
    for node in graph.nodes { counts[node.opType, default: 0] += 1 }
    return ONNXImport(
      program: ParsedProgram(outputs: outputs, warnings: []), inputs: inputs,
      modelInputs: graph.inputs.map(\.name).filter { !initializerNames.contains($0) },
      parameters: parameters, parametersAreVariables: parametersAsVariables,
      opCounts: counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, opset: opset)
  }

  /// A tensor's values, counted against the memory limit with every tensor read before it.
  mutating func read(_ proto: ONNXProto.TensorProto, _ what: String) throws(ONNXImportError)
    -> ONNXValue
  {
    let value = try proto.value(what, maxBytes: limits.maxBytes - bytesRead)
    bytesRead += value.tensor.scalars.count * 8
    return value
  }

  private func variable(_ name: String, _ shape: Shape, _ dtype: DType, _ what: String)
    throws(ONNXImportError) -> Expr
  {
    do {
      return try builder.variable(name, shape, dtype: dtype)
    } catch {
      throw .invalidModel("\(what): \(error)")
    }
  }

  /// An input's static shape (from `inputShapes`, else the model's) and element type.
  private func inputType(_ input: ONNXProto.ValueInfo, _ what: String) throws(ONNXImportError)
    -> (Shape, ONNXElementType)
  {
    guard input.kind == "tensor", let raw = input.elementType else {
      throw .unsupported(
        op: nil, message: "\(what) is a \(input.kind), not a tensor; the importer reads tensors")
    }
    guard let type = ONNXElementType(rawValue: raw) else {
      throw .unsupported(
        op: nil,
        message: "\(what) has element type \(ONNXElementType.describe(raw)), which the importer "
          + "does not read")
    }
    if let given = inputShapes[input.name] {
      if let declared = input.shape,
        declared.count != given.count
          || zip(declared, given).contains(where: { $0.0 != nil && $0.0 != $0.1 })
      {
        throw .invalidModel(
          "\(what) is declared \(declared.map { $0.map(String.init) ?? "?" }.joined(separator: "x")) "
            + "but was given the shape \(given.shapeDescription)")
      }
      return (given, type)
    }
    guard let declared = input.shape else {
      throw .unsupported(
        op: nil,
        message: "\(what) has no shape in the model; give it one (inputShapes, or a value with "
          + "--at)")
    }
    var shape: Shape = []
    for extent in declared {
      guard let extent, extent >= 0 else {
        throw .unsupported(
          op: nil,
          message: "\(what) has a symbolic axis (shape "
            + declared.map { $0.map(String.init) ?? "?" }.joined(separator: "x")
            + "); CompGraph's shapes are static: give it one (inputShapes, or a value with --at)")
      }
      shape.append(extent)
    }
    guard shape.checkedElementCount != nil else {
      throw .invalidModel("\(what) has the shape \(shape), which no tensor has")
    }
    return (shape, type)
  }

  /// The nodes in an order where each comes after the nodes whose values it reads (the model's
  /// own order when it is one, as the spec requires): Kahn's algorithm, which finds a value no one
  /// makes, a value made twice and a cycle.
  private func topologicalOrder() throws(ONNXImportError) -> [Int] {
    var producer: [String: Int] = [:]
    for (k, node) in graph.nodes.enumerated() {
      for output in node.outputs where !output.isEmpty {
        if values[output] != nil {
          throw .invalidModel(
            "\(describe(k)) makes '\(output)', which is already a graph input or initializer")
        }
        if let other = producer.updateValue(k, forKey: output) {
          throw .invalidModel("'\(output)' is made by both \(describe(other)) and \(describe(k))")
        }
      }
    }
    var waiting = [Int](repeating: 0, count: graph.nodes.count)
    var readers: [[Int]] = Array(repeating: [], count: graph.nodes.count)
    for (k, node) in graph.nodes.enumerated() {
      for input in node.inputs where !input.isEmpty && values[input] == nil {
        guard let p = producer[input] else {
          throw .invalidModel(
            "\(describe(k)) reads '\(input)', which no node, graph input or initializer makes")
        }
        waiting[k] += 1
        readers[p].append(k)
      }
    }
    var ready = (0..<graph.nodes.count).filter { waiting[$0] == 0 }.reversed().map { $0 }
    var order: [Int] = []
    order.reserveCapacity(graph.nodes.count)
    while let k = ready.popLast() {
      order.append(k)
      for reader in readers[k].reversed() {
        waiting[reader] -= 1
        if waiting[reader] == 0 { ready.append(reader) }
      }
    }
    if order.count < graph.nodes.count,
      let stuck = waiting.indices.first(where: { waiting[$0] > 0 })
    {
      throw .invalidModel(
        "\(describe(stuck)) is part of a cycle: the values it reads depend on its own outputs")
    }
    return order
  }

  /// `node 'name' (Op, #k)` for messages.
  func describe(_ k: Int) -> String {
    let node = graph.nodes[k]
    return node.name.isEmpty
      ? "node \(k) (\(node.opType))" : "node '\(node.name)' (\(node.opType), #\(k))"
  }

  /// Imports node `k`: its op's values, in a scope named after it, folded to constants when its
  /// inputs are known and its outputs small.
  /// The op of node `k`, or the refusal that names it.
  private func supportedOperator(_ k: Int) throws(ONNXImportError) -> ONNXOperator {
    let node = graph.nodes[k]
    guard node.domain.isEmpty else {
      throw .unsupported(
        op: node.opType,
        message: "\(describe(k)): the op '\(node.opType)' of domain '\(node.domain)' is not "
          + "imported; the importer reads these ops of the default ONNX domain:"
          + ONNXOperator.supportedList)
    }
    guard let op = ONNXOperator(rawValue: node.opType) else {
      throw .unsupported(
        op: node.opType,
        message: "\(describe(k)): the ONNX op '\(node.opType)' (opset \(opset)) is not imported; "
          + "the importer reads these:\(ONNXOperator.supportedList)")
    }
    return op
  }

  private mutating func importNode(_ k: Int) throws(ONNXImportError) {
    let node = graph.nodes[k]
    let op = try supportedOperator(k)
    var inputs: [ONNXTensor?] = []
    for name in node.inputs { inputs.append(name.isEmpty ? nil : values[name]) }
    let scope = node.name.isEmpty ? "\(node.opType)_\(k)" : node.name
    var context = ONNXNode(
      node: node, description: describe(k), opset: opset, inputs: inputs, builder: builder,
      bytesLeft: limits.maxBytes - bytesRead)
    let folds =
      !inputs.isEmpty
      && inputs.allSatisfy { input in
        input.map { ($0.known?.scalars.count ?? .max) <= Self.foldLimit } ?? true
      }
    let outputs: [ONNXTensor]
    do {
      if folds {
        outputs = try fold(op, &context)
      } else {
        builder.openScope(scope, kind: .module)
        defer { builder.closeScope() }
        outputs = try op.build(&context)
      }
    } catch let error as ONNXImportError {
      throw error
    } catch {
      throw .invalidModel("\(describe(k)): \(error)")
    }
    bytesRead = limits.maxBytes - context.bytesLeft
    for value in outputs {
      do { _ = try value.expr.node() } catch { throw .invalidModel("\(describe(k)): \(error)") }
    }
    for (name, value) in zip(node.outputs, outputs) where !name.isEmpty {
      values[name] = value
    }
    if let missing = node.outputs.dropFirst(outputs.count).first(where: { !$0.isEmpty }) {
      throw .unsupported(
        op: node.opType,
        message: "\(describe(k)): the output '\(missing)' (output \(outputs.count) or later) of "
          + "\(node.opType) is not imported")
    }
  }

  /// `op` on known inputs: built in a scratch builder and evaluated there when each output is
  /// small, so shape arithmetic (`Shape` → `Gather` → `Concat` → `Reshape`) becomes constants;
  /// built in the model's builder otherwise.
  private func fold(_ op: ONNXOperator, _ context: inout ONNXNode) throws -> [ONNXTensor] {
    let scratch = GraphBuilder()
    var local = context
    local.builder = scratch
    local.inputs = context.inputs.map { input in
      input.map {
        ONNXTensor(expr: scratch.constant($0.known!), elementType: $0.elementType, known: $0.known)
      }
    }
    let built = try op.build(&local)
    guard built.allSatisfy({ ($0.expr.shape?.elementCount ?? .max) <= Self.foldLimit }) else {
      return try op.build(&context)
    }
    let graph = try built[0].expr.graph(with: built.dropFirst().map(\.expr))
    let results = try graph.evaluate([String: Tensor]())
    return zip(built, results).map { value, result in
      let tensor = result.rounded(to: value.expr.dtype ?? .f64)
      return ONNXTensor(
        expr: builder.constant(tensor), elementType: value.elementType, known: tensor)
    }
  }
}
