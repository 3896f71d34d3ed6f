/// A graph with tensors or f32 values compiled to a `TensorPlan`: fused elementwise loops, GEMMs
/// and strided loops over buffers laid out once, reused by liveness, run in storage kept between
/// runs; inputs are read where the caller keeps them.  What `Program` runs for any graph with a
/// tensor, and for a graph of f32 values whose every operation computes in f32.  A class, as
/// `ScalarProgram` is, so that a call reaches the plan through one reference.
final class TensorProgram: Sendable {
  let plan: TensorPlan
  /// The arena, chunk registers and (f32) staged inputs the plan runs in, kept between runs.
  let workspace: TensorWorkspace

  /// Compiles `graph` after constant folding and the algebraic rules (einsum merges, sums of
  /// broadcast products, ones operands), which keep IEEE values.  A plan stores one type: f32
  /// when the graph has f32 values, and then only when every operation computes in f32
  /// (`computesInF32Only`); `nil` for a graph with f32 values that does not.
  init?(_ graph: Graph) {
    let simplified = Self.folded(graph)
    let hasF32 = graph.nodes.types.contains(.f32)
    if hasF32 && !Self.computesInF32Only(simplified) { return nil }
    plan = TensorPlan(simplified, dtype: hasF32 ? .f32 : .f64)
    workspace = TensorWorkspace(
      arenaCount: plan.arenaCount, scratchCount: plan.scratchCount,
      stagingCount: plan.dtype == .f64 ? 0 : plan.stagingOffsets.last!, dtype: plan.dtype)
  }

  /// `graph` after constant folding and the algebraic rules, which keep IEEE values: what a
  /// plan (and an f32 graph's native code) computes.
  static func folded(_ graph: Graph) -> Graph {
    var options = SimplifyOptions()
    options.phases = [.foldConstants, .algebraic]
    options.assumeFinite = false
    let builder = GraphBuilder(graph)
    let roots = builder.simplify(graph.outputs, options: options)
    return builder.graph(outputs: roots, names: graph.outputNames)
  }

  /// Whether every operation of `graph` computes in f32 (no f64 operation, and no operation on
  /// literals alone, which the reference evaluator computes in f64), so that it compiles to a
  /// tensor plan of f32 values.
  static func computesInF32Only(_ graph: Graph) -> Bool {
    graph.ids.allSatisfy { graph.op($0).isLeaf || graph.elementType($0) == .f32 }
  }

  /// Whether every input and output is a scalar (so the program runs at a point).
  var isScalar: Bool {
    plan.inputShapes.allSatisfy(\.isEmpty) && plan.outputs.allSatisfy(\.shape.isEmpty)
  }

  /// Runs the plan on `inputs` (in the plan's input order, each of its shape or, for a scalar
  /// input, any one element; checked by `Program`) and writes the outputs into `outputs`,
  /// overwriting an output tensor of the right shape and type in place.  Returns the first
  /// matrix a linear-algebra step could not compute (its result is NaN), as an error.
  func evaluate(inputs: [Tensor], into outputs: inout [Tensor]) -> GraphError? {
    // Outputs have the plan's type (an f32 plan's values are f32 values held as doubles).
    func fresh(_ shape: Shape) -> Tensor {
      Tensor(repeating: 0, shape: shape).rounded(to: plan.dtype)
    }
    if outputs.count != plan.outputs.count {
      outputs = plan.outputs.map { fresh($0.shape) }
    }
    for (k, output) in plan.outputs.enumerated()
    where outputs[k].shape != output.shape || outputs[k].dtype != plan.dtype {
      outputs[k] = fresh(output.shape)
    }
    switch plan.dtype {
    case .f64:
      return withInputs(inputs) { pointers in
        workspace.with(Double.self) { arena, scratch, _ in
          plan.run(inputs: pointers, arena: arena, scratch: scratch) { k, values in
            outputs[k].scalars.withUnsafeMutableBufferPointer { out in
              out.baseAddress?.update(from: values, count: out.count)
            }
          }
        }
      }
    case .f32:
      // Inputs are staged rounded to f32 (an f64 variable read through a cast rounds so
      // too), outputs widened back, exactly.
      return workspace.with(Float.self) { arena, scratch, staging in
        let pointers = inputs.enumerated().map { k, input -> UnsafePointer<Float> in
          let start = staging + plan.stagingOffsets[k]
          input.scalars.withUnsafeBufferPointer { values in
            for i in values.indices { start[i] = Float(values[i]) }
          }
          return UnsafePointer(start)
        }
        return plan.run(inputs: pointers, arena: arena, scratch: scratch) { k, values in
          outputs[k].scalars.withUnsafeMutableBufferPointer { out in
            for i in out.indices { out[i] = Double(values[i]) }
          }
        }
      }
    }
  }

  /// The most inputs a tensor program reads in place: `withColumns` nests
  /// one closure per input, a few hundred bytes of stack each.  A training
  /// step's inputs (parameters, optimizer state, data; W6 has 66) stay well
  /// under it.
  static let maxInPlaceInputs = 256

  /// Calls `body` with a pointer to each input's elements: in place for up
  /// to `maxInPlaceInputs` inputs, else all copied into one staging array.
  private func withInputs<R>(_ inputs: [Tensor], _ body: ([UnsafePointer<Double>]) -> R) -> R {
    if inputs.count <= Self.maxInPlaceInputs {
      return withColumns(inputs.map(\.scalars)[...], body)
    }
    let staged = inputs.flatMap(\.scalars)
    return staged.withUnsafeBufferPointer { base in
      var pointers: [UnsafePointer<Double>] = []
      var offset = 0
      for input in inputs {
        pointers.append((base.baseAddress ?? UnsafePointer(bitPattern: 8)!) + offset)
        offset += input.scalars.count
      }
      return body(pointers)
    }
  }
}
