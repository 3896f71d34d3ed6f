import Foundation
import Testing

@testable import CompGraph

/// Compiled tensor programs against the reference evaluator (the oracle),
/// and their memory plan against hand counts.
@Suite struct TensorProgramTests {
  /// Random tensor graphs and their gradients — einsums with repeated
  /// indices and the same tensor twice, matmuls, broadcasting, reductions,
  /// `sum_to`/`broadcast_to`, max/logsumexp/softmax along an axis, slices,
  /// pads and reshapes — compiled and evaluated equal the reference
  /// within 1e-12 relative, at two sets of bindings for one program.
  @Test func randomTensorGraphsAndGradientsMatchTheReference() throws {
    var rng = SplitMix64(seed: 10)
    var checkedValues = 0
    for trial in 0..<60 {
      let (graph, shapes) = try randomTensorGraph(&rng, operations: 6 + trial % 10)
      let program = try Program(graph)
      for _ in 0..<2 {
        let bindings = shapes.mapValues { shape in
          Tensor(
            shape: shape,
            scalars: (0..<shape.elementCount).map { _ in Double.random(in: -1.5...1.5, using: &rng)
            }
          )
        }
        let expected = try graph.evaluate(bindings)
        let actual = try program.evaluate(bindings)
        #expect(actual.map(\.shape) == expected.map(\.shape))
        for (a, e) in zip(actual, expected) {
          for (x, y) in zip(a.scalars, e.scalars) {
            #expect(isClose(x, y), "trial \(trial): \(x) against \(y)\n\(graph.listing)")
            checkedValues += 1
          }
        }
      }
    }
    #expect(checkedValues > 1000)
  }

  /// A fused region stores only its output: `exp(a)·b + c` over 64 elements
  /// holds one buffer of 64 doubles (512 bytes), not four.
  @Test func fusedElementwiseOpsHoldOneBuffer() throws {
    let g = GraphBuilder()
    let a = try g.variable("a", [64]), b = try g.variable("b", [64]), c = try g.variable("c", [64])
    let graph = try (exp(a) * b + c).graph()
    let program = try Program(graph)
    #expect(program.peakBytes == 512)
    let bindings = ["a": ramp(64, 0.01), "b": ramp(64, -0.02), "c": ramp(64, 0.5)]
    #expect(try program.evaluate(bindings) == graph.evaluate(bindings))
  }

  /// `tanh(A·B)` on 8×8: the product's buffer (512 bytes) is overwritten in
  /// place by the tanh; `tanh(A·B)·B` needs a second 512-byte buffer while
  /// the first is read, so 1024 bytes.
  @Test func elementwiseResultsOverwriteInputsThatDieThere() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [8, 8]), b = try g.variable("B", [8, 8])
    let h = tanh(matmul(a, b))
    let one = try Program(try h.graph())
    #expect(one.peakBytes == 512)
    let twoGraph = try matmul(h, b).graph()
    let two = try Program(twoGraph)
    #expect(two.peakBytes == 1024)
    let bindings = ["A": ramp(64, 0.03, shape: [8, 8]), "B": ramp(64, -0.01, shape: [8, 8])]
    let expected = try twoGraph.evaluate(bindings)[0].scalars
    for (x, y) in zip(try two.evaluate(bindings)[0].scalars, expected) { #expect(isClose(x, y)) }
  }

  /// Large tensors run on several threads (90,000 elements), with a row and
  /// a column broadcast read across chunk boundaries, equal to the reference.
  @Test func largeBroadcastingLoopsMatchTheReference() throws {
    let g = GraphBuilder()
    let x = try g.variable("X", [300, 300]), row = try g.variable("r", [300])
    let column = try g.variable("c", [300, 1])
    let graph = try (tanh(x * row + column) * sin(column)).sum(to: [300, 1]).graph()
    let bindings = [
      "X": ramp(90_000, 1e-4, shape: [300, 300]), "r": ramp(300, 0.01),
      "c": ramp(300, -0.02, shape: [300, 1]),
    ]
    let expected = try graph.evaluate(bindings)[0].scalars
    let actual = try Program(graph).evaluate(bindings)[0].scalars
    for (a, e) in zip(actual, expected) { #expect(isClose(a, e)) }
  }

  /// Outputs passed back in are overwritten where they are (same storage),
  /// and a second run with new inputs gives the new values.
  @Test func outputsGoToTheCallersStorage() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [4, 3])
    let graph = try (tanh(a) * 2).graph()
    let program = try Program(graph)
    var outputs: [Tensor] = []
    try program.evaluate(inputs: [ramp(12, 0.1, shape: [4, 3])], into: &outputs)
    let storage = outputs[0].scalars.withUnsafeBufferPointer { $0.baseAddress }
    let next = ramp(12, -0.2, shape: [4, 3])
    try program.evaluate(inputs: [next], into: &outputs)
    #expect(outputs[0].scalars.withUnsafeBufferPointer { $0.baseAddress } == storage)
    let expected = try graph.evaluate(["A": next])[0].scalars
    for (a, e) in zip(outputs[0].scalars, expected) { #expect(isClose(a, e)) }
  }

  /// The simplifier's einsum rules run before planning: the sum over an
  /// outer product of two 100,000-vectors is one dot product, so the plan
  /// holds one number, not 10¹⁰.
  @Test func sumsOverOuterProductsAreNeverBuilt() throws {
    let g = GraphBuilder()
    let a = try g.variable("a", [100_000]), b = try g.variable("b", [100_000])
    let graph = try einsum("i,j->ij", a, b).sum().graph()
    let program = try Program(graph)
    #expect(program.peakBytes == 64)
    let ones = Tensor(repeating: 1, shape: [100_000])
    #expect(try program.evaluate(["a": ones, "b": ones])[0].scalars == [1e10])
  }

  /// One-hot rows of integer indices (7 and 2.5 give zero rows) times a
  /// matrix, compiled, equal the reference.
  @Test func oneHotRowsMatchTheReference() throws {
    let g = GraphBuilder()
    let i = try g.variable("i", [5]), w = try g.variable("W", [4, 3])
    let graph = try matmul(oneHot(i, 4), w).graph()
    let bindings = [
      "i": Tensor(shape: [5], scalars: [0, 3, 1, 7, 2.5]), "W": ramp(12, 0.1, shape: [4, 3]),
    ]
    let expected = try graph.evaluate(bindings)[0].scalars
    let actual = try Program(graph).evaluate(bindings)[0].scalars
    #expect(actual.count == 15)
    for (a, e) in zip(actual, expected) { #expect(isClose(a, e)) }
  }

  /// Bad bindings are errors, as in the reference evaluator; points and
  /// batches of a tensor program are refused with the way to run it.
  @Test func badBindingsAreErrors() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2])
    let program = try Program(try exp(a).graph())
    #expect(throws: GraphError.unboundVariable("A")) { try program.evaluate([String: Tensor]()) }
    #expect(throws: GraphError.boundShapeMismatch(variable: "A", declared: [2], given: [3])) {
      try program.evaluate(["A": Tensor(repeating: 1, shape: [3])])
    }
    let remedy =
      "evaluate it with tensor bindings: evaluate([\"name\": Tensor]) or evaluate(inputs:into:)"
    #expect(
      throws: GraphError.unsupported(
        "evaluate(point:) takes one scalar per input, but this program's input 'A' is a tensor "
          + "of shape 2; " + remedy)
    ) { try program.evaluate(point: [1, 2]) }
    #expect(
      throws: GraphError.unsupported(
        "evaluate(batch:count:) takes one scalar per input, but this program's input 'A' is a "
          + "tensor of shape 2; " + remedy)
    ) { try program.evaluate(batch: [[1]], count: 1) }
    #expect(
      throws: GraphError.unsupported(
        "evaluate([String: Double]) takes one scalar per input, but this program's input 'A' is "
          + "a tensor of shape 2; " + remedy)
    ) { try program.evaluate(["A": 1.0]) }
    // Scalar inputs, a tensor output: the output is named.  Scalars in and
    // out through tensors inside run at a point.
    let x = try g.variable("x")
    let broadcast = try Program(try x.broadcast(to: [3]).graph(names: ["y"]))
    #expect(
      throws: GraphError.unsupported(
        "evaluate(point:) takes one scalar per input, but this program's output 'y' is a tensor "
          + "of shape 3; " + remedy)
    ) { try broadcast.evaluate(point: [1]) }
    let summed = try Program(try x.broadcast(to: [3]).sum().graph())
    #expect(try summed.evaluate(point: [2]) == [6])
    #expect(try summed.evaluate(["x": 2]) == [6])
  }

  /// Inputs are read in place up to `maxInPlaceInputs` and staged past it:
  /// both agree with the reference (40 and 300 vector inputs).
  @Test func manyInputsInPlaceAndStaged() throws {
    for inputs in [40, 300] {
      let g = GraphBuilder()
      var bindings: [String: Tensor] = [:]
      var total: Expr?
      for k in 0..<inputs {
        let v = try g.variable("v\(k)", [3])
        bindings["v\(k)"] = ramp(3, 0.01 * Double(k + 1))
        total = total.map { $0 + exp(v) * Double(k) } ?? exp(v)
      }
      let graph = try total!.graph()
      let expected = try graph.evaluate(bindings)[0].scalars
      let actual = try Program(graph).evaluate(bindings)[0].scalars
      #expect(actual.count == 3)
      for (a, e) in zip(actual, expected) { #expect(isClose(a, e), "\(inputs) inputs") }
    }
  }

  /// A point or a tensor list with the wrong number of inputs is an error
  /// naming the inputs, on scalar and tensor programs alike.
  @Test func wrongInputCountsAreErrors() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let scalar = try Program(try (x * y).graph())
    #expect(
      throws: GraphError.unsupported(
        "the program takes 2 input(s) ('x', 'y'), 1 value(s) were given; give one value per "
          + "input, in the order of inputNames")
    ) { try scalar.evaluate(point: [1]) }
    #expect(try scalar.evaluate(point: [3, 4]) == [12])
    let a = try g.variable("A", [2])
    let tensor = try Program(try exp(a).graph())
    var outputs: [Tensor] = []
    #expect(
      throws: GraphError.unsupported(
        "the program takes 1 input(s) ('A'), 0 tensor(s) were given; give one tensor per input, "
          + "in the order of inputNames")
    ) { try tensor.evaluate(inputs: [], into: &outputs) }
  }
}

/// `count` values `start · (k + 1)`, shaped `shape` (a vector by default).
private func ramp(_ count: Int, _ start: Double, shape: Shape? = nil) -> Tensor {
  Tensor(shape: shape ?? [count], scalars: (0..<count).map { start * Double($0 % 97 + 1) })
}

/// A random graph over variables of a few shapes, reduced to one scalar,
/// with its gradient; returns the graph and the variables' shapes.
private func randomTensorGraph(_ rng: inout SplitMix64, operations: Int) throws -> (
  Graph, [String: Shape]
) {
  let g = GraphBuilder()
  let shapes: [String: Shape] = [
    "A": [9, 8], "B": [8, 10], "M": [8, 8], "v": [8], "s": [], "c": [9, 1],
  ]
  let variables = try shapes.keys.sorted().map { try g.variable($0, shapes[$0]!) }
  var pool = variables
  func shape(_ e: Expr) throws -> Shape { g.shape(try e.node()) }
  func pick(where keep: (Shape) -> Bool) throws -> Expr? {
    let candidates = try pool.filter { keep(try shape($0)) }
    return candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &rng)]
  }
  for _ in 0..<operations {
    let x = try pick { _ in true }!
    let sx = try shape(x)
    let made: Expr?
    let axis = sx.isEmpty ? 0 : Int.random(in: 0..<sx.count, using: &rng)
    switch Int.random(in: 0..<14, using: &rng) {
    case 0: made = tanh(x)
    case 1: made = exp(-(x * x)) + sin(x)
    case 2: made = try pick { broadcastShapes($0, sx) != nil }.map { x + $0 * 0.5 }
    case 3: made = try pick { broadcastShapes($0, sx) != nil }.map { max(x, $0) * $0 }
    case 4:
      made = try pick { sx.count == 2 && $0.count == 2 && $0[0] == sx[1] }.map { matmul(x, $0) }
    case 5: made = sx.count == 2 ? einsum("ij,kj->ik", x, x) : nil  // the same tensor twice
    case 6: made = sx.count == 2 && sx[0] == sx[1] ? einsum("ii->i", x) * einsum("ii->", x) : nil
    case 7: made = sx.isEmpty ? nil : sum(x, axis: axis)
    case 10: made = sx.isEmpty ? nil : logsumexp(x, axis: axis) + amax(x, axis: axis)
    case 11: made = sx.isEmpty ? nil : softmax(x, axis: axis) * x
    case 12:
      made =
        sx.isEmpty || sx[axis] < 3
        ? nil : pad(slice(x, axis: axis, start: 1, end: 3), axis: axis, before: 2, after: 1)
    case 13: made = sx.isEmpty ? nil : reshape(x, [sx.reduce(1, *)]) * 1.5
    case 8: made = x.broadcast(to: [2] + sx).sum(to: sx) * sigmoid(x)
    default: made = sx.count == 2 ? einsum("ij,j->i", x, sum(x, axis: 0)) : nil
    }
    if let made { pool.append(made) }
  }
  var loss = pool.last!.sum()
  for extra in pool.dropLast().suffix(3) { loss = loss + tanh(extra).sum() }
  let grads = try gradient(of: loss, wrt: variables)
  let graph = try loss.graph(
    names: ["loss"] + shapes.keys.sorted().map { "∂\($0)" }, with: grads)
  return (graph, shapes)
}
