/// A loop as one node: `scan(body, init, xs)` folds
///
///     (c_{t+1}, y_t) = body(c_t, x_t, p)      t = 0 … T − 1 (or T − 1 … 0 when `reverse`)
///
/// over the leading axis of each xs (or over a fixed trip count T with no xs), with the
/// closed-over values p the same at every step.  The node's value is the stacked outputs
/// Y = [y_0 … y_{T−1}] and the final carries c_T, each flattened and laid end to end in one
/// vector (`ScanSpec.layout`); `ScanResult` reads each back with a `slice` and a `reshape`, so
/// a loop is a single-output op like every other and the ops around it need nothing new.
///
/// The body is an ordinary hash-consed `Graph`, built once whatever T is, held by the op
/// (`ScanBody`); `Graph.bodies` lists the bodies a graph holds, nested ones included, for the
/// passes that walk into them (ARCHITECTURE.md, "Sub-graphs").
public struct ScanSpec: Hashable, Sendable {
  public let body: ScanBody
  /// The trip count T.
  public let length: Int
  /// Whether the steps run from t = T − 1 down to 0 (`lax.scan(reverse=True)`): x_t is still
  /// read from row t, and y_t is still stored in row t.
  public let reverse: Bool
  /// What a gradient stores of the forward pass (`ScanCheckpoint`).
  public let checkpoint: ScanCheckpoint

  public init(body: ScanBody, length: Int, reverse: Bool = false, checkpoint: ScanCheckpoint = .all)
  {
    self.body = body
    self.length = length
    self.reverse = reverse
    self.checkpoint = checkpoint
  }

  /// The shapes of the node's parts, in the order they are packed: each stacked output
  /// [T] + shape(y_j), then each final carry shape(c_k).
  public var partShapes: [Shape] {
    body.outputShapes.map { [length] + $0 } + body.carryShapes
  }

  /// Where each part starts in the packed vector, and the vector's length (the last entry).
  public var layout: [Int] {
    var offsets = [0]
    for shape in partShapes { offsets.append(offsets.last! + shape.elementCount) }
    return offsets
  }

  /// The scan's shape rule: carries of the body's carry shapes, sliced inputs of shape
  /// [T] + the body's slice shapes, closed-over values of the body's shapes.
  func outputShape(_ inputs: [Shape]) throws -> Shape {
    let expected =
      body.carryShapes + body.sliceShapes.map { [length] + $0 } + body.closedShapes
    guard inputs == expected else {
      throw GraphError.shapeMismatch(
        op: "scan \(body.name)", shapes: inputs,
        reason:
          "do not fit its body, which takes \(expected.map(\.shapeDescription).joined(separator: ", "))"
          + " (carries, then sequences of \(length) rows, then closed-over values)")
    }
    return [layout.last!]
  }
}

extension ScanSpec {
  /// The error of an export that does not write loops yet, naming the scan.
  func refusal(by export: String, as form: String) -> GraphError {
    .unsupported(
      "\(export): scan '\(body.name)' is not written as \(form) yet; evaluate the graph with CompGraph (Graph.evaluate or Program)"
    )
  }
}

/// What the gradient of a scan keeps of its forward pass.
public enum ScanCheckpoint: Hashable, Sendable {
  /// Every carry c_0 … c_{T−1}: T carries of memory, no step computed twice.
  case all
  /// One carry in k: the reverse scan recomputes each run of k steps from its first carry
  /// (a scan of scans), storing about T/k + k carries and computing the forward pass twice.
  case every(Int)
  /// `every(k)` with k = ⌈√T⌉: about 2√T carries.
  case sqrt

  /// The run length k for a trip count T, or `nil` when every carry is stored.
  func stride(for length: Int) -> Int? {
    switch self {
    case .all: nil
    case .every(let k): k < length ? Swift.max(k, 1) : nil
    case .sqrt:
      length > 3 ? Int(Double(length).squareRoot().rounded(.up)) : nil
    }
  }
}

/// The body of a scan: a graph whose variables are its parameters — the carries c, the rows
/// x_t of the sequences, the closed-over values p, in that order (`parameters`) — and whose
/// outputs are the next carries c′ (one per carry, of its shape) and then the per-step
/// outputs y.  Built once and shared by reference; two bodies are equal when their graphs
/// are (same nodes, parameters and outputs), so a scan is interned as any node is.
public final class ScanBody: Hashable, Sendable, CustomStringConvertible {
  /// The body's name (`step`), for listings and pictures.
  public let name: String
  public let graph: Graph
  /// The variable names of the parameters: carries, then slices, then closed-over values.
  public let parameters: [String]
  public let parameterShapes: [Shape]
  public let carryCount: Int
  public let sliceCount: Int
  private let fingerprint: Int

  init(
    name: String, graph: Graph, parameters: [String], shapes: [Shape], carries: Int, slices: Int
  ) {
    self.name = name
    self.graph = graph
    self.parameters = parameters
    self.parameterShapes = shapes
    self.carryCount = carries
    self.sliceCount = slices
    var hasher = Hasher()
    hasher.combine(parameters)
    hasher.combine(carries)
    hasher.combine(slices)
    hasher.combine(graph.outputs)
    hasher.combine(graph.nodeCount)
    for index in 0..<graph.nodeCount {
      hasher.combine(graph.nodes.kinds[index])
      hasher.combine(graph.nodes.numbers[index].bitPattern)
    }
    hasher.combine(graph.nodes.inputList.count)
    fingerprint = hasher.finalize()
  }

  public var description: String { name }
  public var closedCount: Int { parameters.count - carryCount - sliceCount }
  public var carryShapes: [Shape] { Array(parameterShapes[..<carryCount]) }
  public var sliceShapes: [Shape] {
    Array(parameterShapes[carryCount..<(carryCount + sliceCount)])
  }
  public var closedShapes: [Shape] { Array(parameterShapes[(carryCount + sliceCount)...]) }
  /// The number of per-step outputs y.
  public var outputCount: Int { graph.outputs.count - carryCount }
  /// The shape of each per-step output y_j.
  public var outputShapes: [Shape] { graph.outputs.dropFirst(carryCount).map(graph.shape) }

  public static func == (a: ScanBody, b: ScanBody) -> Bool {
    if a === b { return true }
    guard a.fingerprint == b.fingerprint, a.parameters == b.parameters,
      a.parameterShapes == b.parameterShapes, a.carryCount == b.carryCount,
      a.sliceCount == b.sliceCount, a.name == b.name, a.graph.outputs == b.graph.outputs,
      a.graph.nodeCount == b.graph.nodeCount
    else { return false }
    let x = a.graph.nodes, y = b.graph.nodes
    return x.inputStart == y.inputStart && x.shapes == y.shapes && x.types == y.types
      && (0..<x.count).allSatisfy { x.inputs(NodeID($0)).elementsEqual(y.inputs(NodeID($0))) }
      && x.ops == y.ops
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
}

extension ScanBody {
  /// A body from a builder: `parameters` are variable names declared in `builder` (carries,
  /// slices, closed-over values), `outputs` the next carries then the per-step outputs.
  /// Throws when a next carry's shape differs from its carry's, or a value is not f64 (scans
  /// run in f64).
  static func make(
    name: String, builder: GraphBuilder, parameters: [String], carries: Int, slices: Int,
    outputs: [NodeID]
  ) throws -> ScanBody {
    let shapes = parameters.map { builder.variables[$0] ?? [] }
    for k in 0..<carries where builder.shape(outputs[k]) != shapes[k] {
      throw GraphError.shapeMismatch(
        op: "scan \(name)", shapes: [shapes[k], builder.shape(outputs[k])],
        reason: "differ: carry \(k) ('\(parameters[k])') must keep its shape from step to step")
    }
    if let f32 = parameters.first(where: { builder.variableDTypes[$0] == .f32 })
      ?? outputs.first(where: { builder.dtype($0) == .f32 }).map({ _ in "an output" })
    {
      throw GraphError.unsupported(
        "scan \(name): \(f32) is f32, but a scan's values are f64; cast it to f64")
    }
    let graph = builder.graph(
      outputs: outputs,
      names: parameters[..<carries].map { $0 + "′" }
        + (0..<(outputs.count - carries)).map { "y\($0)" })
    return ScanBody(
      name: name, graph: graph, parameters: parameters, shapes: shapes, carries: carries,
      slices: slices)
  }

  /// A parameter name not in `taken`: `base`, else `base` with primes.
  static func fresh(_ base: String, avoiding taken: inout Set<String>) -> String {
    var name = base
    while taken.contains(name) { name += "′" }
    taken.insert(name)
    return name
  }
}

extension Graph {
  /// Every scan body this graph holds, nested bodies included, each once, in order of first
  /// use (a worklist: nothing recurses, however deep the nesting).
  public var bodies: [ScanBody] {
    var found: [ScanBody] = []
    var seen = Set<ObjectIdentifier>()
    var pending: [Graph] = [self]
    while let graph = pending.popLast() {
      for op in graph.nodes.ops {
        guard case .scan(let spec) = op, seen.insert(ObjectIdentifier(spec.body)).inserted else {
          continue
        }
        found.append(spec.body)
        pending.append(spec.body.graph)
      }
    }
    return found
  }
}

/// The parts of a scan node: the stacked outputs Y_j ([T] + shape(y_j)) and the final
/// carries c_T, each a `slice` and `reshape` of the packed node.
public struct ScanResult {
  /// The scan node itself (the packed vector).
  public let node: Expr
  /// The stacked per-step outputs.
  public let outputs: [Expr]
  /// The final carries.
  public let carries: [Expr]
}

extension GraphBuilder {
  /// The parts of the packed scan node `id`: stacked outputs, then final carries.
  func scanParts(_ id: NodeID, _ spec: ScanSpec) throws -> [NodeID] {
    let offsets = spec.layout
    return try spec.partShapes.enumerated().map { k, shape in
      let piece = try node(.slice(axis: 0, start: offsets[k], end: offsets[k + 1]), [id])
      return try node(.reshape(shape), [piece])
    }
  }

  /// Builds a scan node: `inputs` are the initial carries, the sequences and the closed-over
  /// values, in the body's parameter order.
  func scanNode(_ spec: ScanSpec, _ inputs: [NodeID]) throws -> NodeID {
    if let f32 = inputs.first(where: { dtype($0) == .f32 }) {
      throw GraphError.unsupported(
        "scan \(spec.body.name): operand \(f32) is f32, but a scan's values are f64; cast it to f64"
      )
    }
    return try node(.scan(spec), inputs)
  }
}

/// A scan being built: its operands checked and its body's builder holding the parameters so
/// far — the carries and rows first, then each closed-over value as it is added (the parser
/// adds each name of the program that the body reads).
struct ScanDraft {
  let name: String
  let outer: GraphBuilder
  let inner = GraphBuilder()
  let length: Int
  let carryCount: Int
  let sliceCount: Int
  /// The parameters' names and the outer nodes they stand for, in order.
  private(set) var names: [String] = []
  private(set) var operands: [NodeID] = []
  /// The carries' and rows' parameters in the body.
  private(set) var parameters: [Expr] = []

  /// Checks the carries and sequences (one builder, sequences of one length, or `length` with
  /// none) and declares their parameters, named `names` (carries, then rows).
  init(
    _ name: String, in outer: GraphBuilder, carries: [Expr], over xs: [Expr], length: Int?,
    names: [String]
  ) throws {
    self.name = name
    self.outer = outer
    guard (carries + xs).allSatisfy({ $0.builder === outer }) else {
      throw GraphError.mixedBuilders(op: "scan \(name)")
    }
    guard names.count == carries.count + xs.count else {
      throw GraphError.unsupported("scan \(name): give one name per carry and per sequence")
    }
    let carryIDs = try carries.map { try $0.node() }
    let sliceIDs = try xs.map { try $0.node() }
    let sliceShapes = sliceIDs.map(outer.shape)
    let lengths = Set(sliceShapes.map { $0.first ?? -1 })
    guard lengths.count <= 1, lengths.first.map({ $0 >= 0 }) ?? true else {
      throw GraphError.shapeMismatch(
        op: "scan \(name)", shapes: sliceShapes,
        reason: "must be sequences of the same number of rows (their leading axis)")
    }
    guard let count = lengths.first ?? length, count >= 0, length.map({ $0 == count }) ?? true
    else {
      throw GraphError.unsupported(
        "scan \(name): give `length` (the trip count) when there are no sequences"
          + (length.map { ", and no other length than the sequences' (\($0))" } ?? ""))
    }
    guard carries.count + xs.count > 0 || count > 0 else {
      throw GraphError.unsupported("scan \(name): give a carry or a sequence")
    }
    self.length = count
    carryCount = carries.count
    sliceCount = xs.count
    for (k, id) in (carryIDs + sliceIDs).enumerated() {
      parameters.append(try declare(names[k], standingFor: id, dropping: k >= carries.count))
    }
  }

  /// Declares the next parameter in the body.
  private mutating func declare(_ name: String, standingFor id: NodeID, dropping rows: Bool)
    throws -> Expr
  {
    guard !names.contains(name) else {
      throw GraphError.unsupported(
        "scan \(self.name): the parameter '\(name)' is named twice; give each a distinct name")
    }
    names.append(name)
    operands.append(id)
    let shape = outer.shape(id)
    return try inner.variable(
      name, rows ? Array(shape.dropFirst()) : shape, dtype: outer.dtype(id))
  }

  /// Adds `value` of the outer graph as a closed-over parameter named `name`; its handle in
  /// the body.
  mutating func close(over value: Expr, named name: String) throws -> Expr {
    guard value.builder === outer else { throw GraphError.mixedBuilders(op: "scan \(self.name)") }
    let id = try value.node()
    return try declare(name, standingFor: id, dropping: false)
  }

  /// The scan node of the body returning `next` carries and `outputs`, and its parts.
  func finish(next: [Expr], outputs: [Expr], reverse: Bool, checkpoint: ScanCheckpoint) throws
    -> ScanResult
  {
    guard next.count == carryCount else {
      throw GraphError.unsupported(
        "scan \(name): the body returns \(next.count) carries for \(carryCount)")
    }
    guard (next + outputs).allSatisfy({ $0.builder === inner }) else {
      throw GraphError.mixedBuilders(op: "scan \(name) (a body uses only its own parameters)")
    }
    let body = try ScanBody.make(
      name: name, builder: inner, parameters: names, carries: carryCount, slices: sliceCount,
      outputs: (next + outputs).map { try $0.node() })
    let spec = ScanSpec(body: body, length: length, reverse: reverse, checkpoint: checkpoint)
    let id = try outer.scanNode(spec, operands)
    let parts = try outer.scanParts(id, spec).map(outer.expr)
    return ScanResult(
      node: outer.expr(id), outputs: Array(parts[..<outputs.count]),
      carries: Array(parts[outputs.count...]))
  }
}

/// Folds `body` over the leading axis of `xs`:
///
///     (c_{t+1}, y_t) = body(c_t, x_t, p),   c_0 = `carries`, x_t = row t of each of `xs`,
///
/// with `closingOver` (p) passed to every step, and returns the final carries c_T and the
/// stacked outputs [y_0 … y_{T−1}] (JAX's `lax.scan`; PyTensor's `scan`; CasADi's
/// `mapaccum`).  With no `xs`, `length` gives T.  The body receives handles on its own
/// builder — its carries, its rows and the closed-over values, named `carryNames`,
/// `sliceNames` and `closedNames` in listings — and returns the next carries (each of its
/// carry's shape) and the per-step outputs.  It is built once, whatever T is.
///
/// `checkpoint` says what a gradient of the scan stores (`ScanCheckpoint`). Errors (shapes,
/// an f32 value, no `xs` and no `length`) are thrown.
public func scan(
  _ name: String = "body", carries: [Expr], over xs: [Expr] = [], closingOver closed: [Expr] = [],
  length: Int? = nil, reverse: Bool = false, checkpoint: ScanCheckpoint = .all,
  carryNames: [String]? = nil, sliceNames: [String]? = nil, closedNames: [String]? = nil,
  body: (_ carries: [Expr], _ rows: [Expr], _ closed: [Expr]) throws -> (
    carries: [Expr], outputs: [Expr]
  )
) throws -> ScanResult {
  guard let outer = (carries + xs + closed).first?.builder else {
    throw GraphError.unsupported("scan \(name): give a carry or a sequence")
  }
  let closedNames = closedNames ?? closed.indices.map { "p\($0)" }
  guard closedNames.count == closed.count else {
    throw GraphError.unsupported("scan \(name): give one name per closed-over value")
  }
  var draft = try ScanDraft(
    name, in: outer, carries: carries, over: xs, length: length,
    names: (carryNames ?? carries.indices.map { "c\($0)" })
      + (sliceNames ?? xs.indices.map { "x\($0)" }))
  let p = try zip(closed, closedNames).map { try draft.close(over: $0, named: $1) }
  let c = Array(draft.parameters[..<carries.count])
  let x = Array(draft.parameters[carries.count...])
  let (next, outputs) = try body(c, x, p)
  return try draft.finish(next: next, outputs: outputs, reverse: reverse, checkpoint: checkpoint)
}
