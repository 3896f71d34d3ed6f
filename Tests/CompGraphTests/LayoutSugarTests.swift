import Foundation
import Testing

@testable import CompGraph

/// The layout sugar (`Graph/Expr+Layout.swift`) against ONNX's operators of the same names
/// (their reference evaluator), its derivatives against JAX, and its errors.
@Suite struct LayoutSugarTests {
  static let input = Tensor(shape: [2, 3, 1, 2], scalars: (0..<12).map { Double($0) * 0.5 - 2 })

  @Test(.enabled(if: PythonPeer.shouldRun))
  func valuesMatchONNXOperators() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", Self.input.shape)
    let data = ONNXInput.float(Self.input)
    let pieces = split(x, axis: 1, sizes: [1, 2])
    let uneven = split(x, axis: 1, parts: 2)
    let cases: [([Expr], ONNXCall)] = [
      (
        [transpose(x, [2, 0, 3, 1])],
        ONNXCall(op: "Transpose", attributes: ["perm": [2, 0, 3, 1]], inputs: [data])
      ),
      ([transpose(x)], ONNXCall(op: "Transpose", inputs: [data])),
      ([squeeze(x, axes: [-2])], ONNXCall(op: "Squeeze", inputs: [data, .ints([-2])])),
      ([squeeze(x)], ONNXCall(op: "Squeeze", inputs: [data])),
      (
        [unsqueeze(x, axes: [0, -1, 3])],
        ONNXCall(op: "Unsqueeze", inputs: [data, .ints([0, -1, 3])])
      ),
      ([flatten(x)], ONNXCall(op: "Flatten", inputs: [data])),
      ([flatten(x, axis: 0)], ONNXCall(op: "Flatten", attributes: ["axis": 0], inputs: [data])),
      ([flatten(x, axis: -1)], ONNXCall(op: "Flatten", attributes: ["axis": -1], inputs: [data])),
      ([flatten(x, axis: 4)], ONNXCall(op: "Flatten", attributes: ["axis": 4], inputs: [data])),
      (
        pieces,
        ONNXCall(op: "Split", attributes: ["axis": 1], inputs: [data, .ints([1, 2])], outputs: 2)
      ),
      (
        uneven,
        ONNXCall(
          op: "Split", attributes: ["axis": 1, "num_outputs": 2], inputs: [data], outputs: 2,
          opset: 18)
      ),
      (
        [tile(x, repeats: [1, 2, 3, 1])],
        ONNXCall(op: "Tile", inputs: [data, .ints([1, 2, 3, 1])])
      ),
      (
        [tile(x, repeats: [2, 1, 1, 2])],
        ONNXCall(op: "Tile", inputs: [data, .ints([2, 1, 1, 2])])
      ),
      ([expand(x, [1, 1, 3, 1])], ONNXCall(op: "Expand", inputs: [data, .ints([1, 1, 3, 1])])),
      (
        [expand(x, [2, 1, 1, 1, 1])],
        ONNXCall(op: "Expand", inputs: [data, .ints([2, 1, 1, 1, 1])])
      ),
      ([expand(x, [2])], ONNXCall(op: "Expand", inputs: [data, .ints([2])])),
    ]
    let theirs = try ONNXCall.run(cases.map(\.1))
    for ((outputs, call), reference) in zip(cases, theirs) {
      let ours = try checked(outputs).evaluate(["x": Self.input])
      #expect(ours.count == reference.count, "\(call.op): \(ours.count) outputs")
      for (mine, expected) in zip(ours, reference) {
        #expect(
          mine == expected,
          "\(call.op) \(call.attributes) \(call.inputs.dropFirst()): \(mine) against \(expected)")
      }
    }
  }

  /// The first derivative of each (a permutation or a repetition, so the higher ones are 0)
  /// against JAX's.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func derivativesMatchJAX() throws {
    let tower = JAXTower(variables: [("X", [2, 3, 1, 2]), ("s", [3])])
    let point = ["X": Self.input, "s": Tensor(shape: [3], scalars: [0.5, -1, 2])]
    let pairs: [(String, String)] = [
      ("transpose(X, 2, 0, 3, 1) * sum(s*s)", "jnp.transpose(X, (2, 0, 3, 1)) * jnp.sum(s*s)"),
      ("squeeze(X, 2) ^ 2", "jnp.squeeze(X, 2) ** 2"),
      ("unsqueeze(s, 0, -1)", "jnp.expand_dims(s, (0, -1))"),
      ("sin(flatten(X, 2))", "jnp.sin(X.reshape(6, 2))"),
      ("tile(X, 1, 2, 3, 1) * tile(X, 1, 2, 3, 1)", "jnp.tile(X, (1, 2, 3, 1))**2"),
      ("expand(s, 2x1x1) * expand(s, 2x1x1)", "jnp.broadcast_to(s, (2, 1, 3))**2"),
      ("squeeze(flatten(s, 0))", "s"),
    ]
    let cases = pairs.map { JAXTower.Case(text: $0.0, jax: $0.1, order: 2, point: point) }
    try tower.expectAgreement(cases, try tower.jax(cases, values: true))
  }

  @Test func splitIntoPartsFollowsONNX() throws {
    let g = GraphBuilder()
    let v = try g.variable("v", [7])
    #expect(split(v, parts: 3).map(\.shape) == [[3], [3], [1]])
    #expect(split(v, parts: 7).map(\.shape) == Array(repeating: [1], count: 7))
    // ⌈7/5⌉ = 2: 2, 2, 2, 1 and an empty piece, as ONNX's reference gives.
    #expect(split(v, parts: 5).map(\.shape) == [[2], [2], [2], [1], [0]])
  }

  @Test func badArgumentsGiveErrorsThatNameTheFunction() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [2, 1, 3])
    let cases: [(Expr, String)] = [
      (
        transpose(x, [0, 0, 1]),
        "transpose: operand shapes 2x1x3 cannot be permuted by [0, 0, 1]: give each axis 0..<3 once"
      ),
      (transpose(x, [0, 1]), "transpose: operand shapes 2x1x3 cannot be permuted by [0, 1]"),
      (
        squeeze(x, axes: [0]),
        "squeeze: operand shapes 2x1x3 do not have distinct axes [0] of extent 1"
      ),
      (
        squeeze(x, axes: [1, -2]), "squeeze: operand shapes 2x1x3 do not have distinct axes [1, -2]"
      ),
      (
        unsqueeze(x, axes: [4]),
        "unsqueeze: operand shapes 2x1x3 cannot take new axes [4]: give distinct positions in a result of rank 4"
      ),
      (flatten(x, axis: 4), "flatten: operand shapes 2x1x3 cannot be flattened at axis 4"),
      (
        split(x, axis: 2, sizes: [1, 1])[1],
        "split: operand shapes 2x1x3 cannot be split along axis 2 into sizes [1, 1]"
      ),
      (
        split(x, axis: 3, parts: 2)[0],
        "split: operand shapes 2x1x3 cannot be split along axis 3 into 2 parts"
      ),
      (tile(x, repeats: [2, 2]), "tile: operand shapes 2x1x3 cannot be tiled [2, 2] times"),
      (expand(x, [4, 2]), "expand: operand shapes 2x1x3 do not broadcast with 4x2"),
    ]
    for (f, message) in cases {
      do {
        _ = try f.node()
        Issue.record("\(message): no error")
      } catch { #expect("\(error)".hasPrefix(message), "\(error)") }
    }
  }

  @Test func languageCallsBuildTheSwiftGraphs() throws {
    let g = GraphBuilder()
    let declarations: [String: Shape] = ["X": [2, 1, 3]]
    let x = try g.variable("X", [2, 1, 3])
    let cases: [(String, Expr)] = [
      ("transpose(X, 2, 0, 1)", transpose(x, [2, 0, 1])), ("transpose(X)", transpose(x)),
      ("squeeze(X)", squeeze(x)), ("squeeze(X, -2)", squeeze(x, axes: [-2])),
      ("unsqueeze(X, 0, 4)", unsqueeze(x, axes: [0, 4])), ("flatten(X)", flatten(x)),
      ("flatten(X, 0)", flatten(x, axis: 0)), ("tile(X, 1, 2, 2)", tile(x, repeats: [1, 2, 2])),
      ("expand(X, 4x2x1x1)", expand(x, [4, 2, 1, 1])),
    ]
    for (text, built) in cases {
      let parsed = try parseProgram(text, declarations: declarations, into: g).outputs[0].expr
      #expect(try parsed.node() == built.node(), "\(text) builds another graph")
    }
    do {
      _ = try parseProgram("transpose(X, 0, 0, 1)", declarations: declarations, into: g)
      Issue.record("transpose(X, 0, 0, 1) parsed")
    } catch {
      #expect(
        "\(error)".contains("transpose: operand shapes 2x1x3 cannot be permuted by [0, 0, 1]"),
        "\(error)")
    }
  }
}
