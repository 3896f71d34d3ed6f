/// A graph compiled to run repeatedly with new bindings: the one entry point to the compiled
/// forms, which it picks by the graph.
///
/// - **Scalar graphs** compile to straight-line register code (`ScalarProgram`), run at one
///   point or along a batch of points on all cores, or, with the native backend, to C.
/// - **Graphs with tensors** (static shapes, scalars mixed in) compile to a `TensorPlan`
///   (`TensorProgram`): fused elementwise loops, GEMMs and strided loops over buffers laid out
///   once, reused by liveness (`peakBytes`), run in storage kept between runs; inputs are read
///   where the caller keeps them.  A graph of f32 values whose every operation computes in f32
///   compiles to a plan of f32 values, scalar or not.
/// - **Other graphs with f32 values** (f64 operations beside f32 ones) run on the reference
///   evaluator (`Program+Reference.swift`).
///
/// The reference evaluator (`Graph.evaluate`) stays the oracle of their tests.
public struct Program: Sendable {
  /// What the graph compiled to.
  enum Compiled: Sendable {
    case scalar(ScalarProgram)
    case tensor(TensorProgram)
    /// A scalar graph of f32 values compiled by the native backend: its C code in float.
    case native(NativeCode)
    /// A graph with f32 values that does not compute in f32 alone, evaluated by
    /// `Graph.evaluate` (each f32 node's value rounded to f32 as it is computed).
    case reference(Graph)
  }

  let compiled: Compiled
  /// Variable names, in the order `evaluate(point:)` and `evaluate(inputs:into:)` take them.
  public let inputNames: [String]
  public let outputNames: [String]
  /// The backend in use: `.native` only when it was asked for and the C code compiled (scalar
  /// graphs).
  public let backend: Backend
  /// The custom ops the code calls by address (`customCall`), kept alive with it.
  let customOps: [CustomOp]

  /// Compiles `graph` for `backend` (see `Backend`).
  public init(_ graph: Graph, backend: Backend = .interpreter) throws {
    customOps = CompGraph.customOps(of: graph)
    outputNames = graph.outputNames
    if graph.nodes.types.contains(.f32) || graph.nodes.shapes.contains(where: { !$0.isEmpty }) {
      if let program = TensorProgram(graph) {
        // Native code covers scalar graphs (an f32 one as folded for its plan); a request for
        // it that cannot be met prints why it falls back.
        let folded = TensorProgram.folded(graph)
        if backend == .native, program.isScalar, let native = Self.loadNative(folded) {
          compiled = .native(native)
          inputNames = folded.variables.map(\.name)
          self.backend = .native
          return
        }
        compiled = .tensor(program)
        inputNames = program.plan.inputNames
      } else {
        compiled = .reference(graph)
        inputNames = graph.variables.map(\.name)
      }
      self.backend = .interpreter
    } else {
      let program = ScalarProgram(graph, native: backend == .native)
      compiled = .scalar(program)
      inputNames = program.inputNames
      self.backend = program.native == nil ? .interpreter : .native
    }
  }

  /// The tensor plan the graph compiled to, if it did.
  var tensorPlan: TensorPlan? {
    guard case .tensor(let program) = compiled else { return nil }
    return program.plan
  }

  /// Bytes of values the program holds at its peak: a tensor plan's arena
  /// (every intermediate and output buffer, laid out by liveness; bound
  /// inputs, constants and the elementwise loops' chunk registers aside),
  /// or a scalar program's registers.
  public var peakBytes: Int {
    switch compiled {
    case .scalar(let program): program.registerCount * 8
    // Its values are the C function's locals.
    case .native: 0
    case .tensor(let program): program.plan.arenaCount * program.plan.dtype.byteCount
    case .reference(let graph): Int(graph.peakMemoryEstimate().bytes)
    }
  }

  /// The number of register-code instructions (0 for a graph compiled to a tensor plan or run
  /// on the reference evaluator).
  public var instructionCount: Int {
    guard case .scalar(let program) = compiled else { return 0 }
    return program.instructions.count
  }

  /// Evaluates at one point, variables bound by name.
  public func evaluate(_ bindings: [String: Double]) throws -> [Double] {
    let point = try inputNames.map { name -> Double in
      guard let v = bindings[name] else { throw GraphError.unboundVariable(name) }
      return v
    }
    return try values(at: point, api: "evaluate([String: Double])")
  }

  /// Evaluates at one point given as values in `inputNames` order: through
  /// the graph-vectorised `PointPlan` for scalar graphs, through the tensor
  /// plan for a graph whose inputs and outputs are all scalars.  Throws
  /// `GraphError.unsupported` for a program with a tensor input or output
  /// (see `scalarEvaluationError`) or a point with the wrong number of values.
  public func evaluate(point: [Double]) throws -> [Double] {
    try values(at: point, api: "evaluate(point:)")
  }

  /// `evaluate(point:)`, called through `api` (named in errors).
  func values(at point: [Double], api: String) throws -> [Double] {
    switch compiled {
    case .reference(let graph):
      return try referenceValues(graph, at: point, api: api)
    case .tensor(let program):
      guard program.isScalar else { throw scalarEvaluationError(api) }
      guard point.count == inputNames.count else {
        throw inputCountError(given: point.count, of: "value")
      }
      var outputs: [Tensor] = []
      try evaluate(inputs: point.map(Tensor.init), into: &outputs)
      return outputs.map { $0.scalars[0] }
    case .scalar(let program):
      guard point.count == inputNames.count else {
        throw inputCountError(given: point.count, of: "value")
      }
      return program.evaluate(point: point)
    case .native(let native):
      guard point.count == inputNames.count else {
        throw inputCountError(given: point.count, of: "value")
      }
      return native.evaluate(point: point, outputCount: outputNames.count)
    }
  }

  /// Evaluates along a batch: `inputs[i]` holds the values of `inputNames[i]`
  /// at each of `count` points; returns one column per output.  Throws as
  /// `evaluate(point:)` does, and for a column of other than `count` values.
  public func evaluate(batch inputs: [[Double]], count: Int) throws -> BatchValues {
    switch compiled {
    case .reference:
      return try batchPointByPoint(inputs, count: count)
    case .tensor(let program):
      // An f32 plan of scalars runs point by point; a plan of f64 values only for tensors.
      guard program.plan.dtype == .f32 else {
        throw scalarEvaluationError("evaluate(batch:count:)")
      }
      return try batchPointByPoint(inputs, count: count)
    case .scalar, .native:
      guard inputs.count == inputNames.count else {
        throw inputCountError(given: inputs.count, of: "column")
      }
      for (name, column) in zip(inputNames, inputs) where column.count != count {
        throw GraphError.unsupported(
          "input '\(name)' has \(column.count) values for \(count) points")
      }
      if case .native(let native) = compiled {
        return native.evaluate(batch: inputs, count: count, outputCount: outputNames.count)
      }
      guard case .scalar(let program) = compiled else { preconditionFailure("scalar or native") }
      return program.evaluate(batch: inputs, count: count)
    }
  }

  /// Why `api`, which takes one scalar per input, cannot run a program with
  /// tensors: the first input or output that is not a scalar, and the
  /// tensor API to call instead.
  func scalarEvaluationError(_ api: String) -> GraphError {
    let (inputShapes, outputShapes): ([Shape], [Shape]) =
      switch compiled {
      case .scalar, .native: ([], [])
      case .tensor(let program): (program.plan.inputShapes, program.plan.outputs.map(\.shape))
      case .reference(let graph): (graph.variables.map(\.shape), graph.outputs.map(graph.shape))
      }
    let input = zip(inputNames, inputShapes).first { !$0.1.isEmpty }
    let output = zip(outputNames, outputShapes).first { !$0.1.isEmpty }
    let what =
      input.map { "input '\($0.0)' is a tensor of shape \($0.1.shapeDescription)" }
      ?? output.map { "output '\($0.0)' is a tensor of shape \($0.1.shapeDescription)" }
      ?? "graph has tensors"
    return GraphError.unsupported(
      "\(api) takes one scalar per input, but this program's \(what); evaluate it with tensor "
        + "bindings: evaluate([\"name\": Tensor]) or evaluate(inputs:into:)")
  }

  /// A point or batch with `given` values or columns for this program's inputs.
  func inputCountError(given: Int, of kind: String) -> GraphError {
    let names = inputNames.map { "'\($0)'" }.joined(separator: ", ")
    return GraphError.unsupported(
      "the program takes \(inputNames.count) input(s) (\(names)), \(given) \(kind)(s) were "
        + "given; give one \(kind) per input, in the order of inputNames")
  }
}

/// The outputs of a batch evaluation, stored output after output.
public struct BatchValues: Sendable {
  /// The number of points.
  public let count: Int
  /// `values[k * count + i]` is output k at point i.
  public let values: [Double]

  /// The values of output k at every point.
  public subscript(output: Int) -> ArraySlice<Double> {
    values[output * count..<(output + 1) * count]
  }
}
