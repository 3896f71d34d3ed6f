import Foundation
import Testing

@testable import CompGraph

/// Every printed derivative is valid input: the lines of `infixLines`,
/// turned into a program (`let` lines as they are, `∂f/∂x = e` as
/// `out dK = e`), parse and evaluate to the same values.
@Suite struct InfixReadBackTests {
  struct Case: CustomStringConvertible, Sendable {
    let source: String
    let shapes: [String: Shape]
    let wrt: [String]
    var description: String { source }
  }

  static let cases: [Case] = [
    Case(source: "sin(x*y + sqrt(sum(x*y)^2))", shapes: [:], wrt: ["x", "y"]),
    Case(source: "tanh(x)^3 - 2*x/y", shapes: [:], wrt: ["x", "y"]),
    Case(
      source: "exp(-x^2/2)/sqrt(2*3.141592653589793) + 1e-300*x", shapes: [:], wrt: ["x"]),
    Case(
      source: "sum(A*x + b)", shapes: ["A": [2, 3], "x": [3], "b": [3]], wrt: ["A", "x", "b"]),
    Case(
      source: "sum(tanh(matmul(W, v)) * w)", shapes: ["W": [3, 2], "v": [2], "w": [3]],
      wrt: ["W", "v", "w"]),
    Case(
      source: """
        var W1: 4x3, b1: 4, W2: 2x4, b2: 2, x: 3, y: 2
        let h = tanh(matmul(W1, x) + b1)
        let o = matmul(W2, h) + b2
        out loss = sum((o - y)^2)
        """, shapes: [:], wrt: ["W1", "b1", "W2", "b2"]),
    Case(
      source: "sum(sin(conv(x, w, b, 2, 1)))",
      shapes: ["x": [1, 2, 5, 5], "w": [3, 2, 3, 3], "b": [3]], wrt: ["x", "w", "b"]),
    Case(
      source:
        "sum(max_pool(x, 2, 2, 1, 1, 1) * average_pool(x, 3, 2, 1, 0, 1)) + sum(conv_transpose(x, w, 2, 1, 1))",
      shapes: ["x": [1, 1, 4, 4], "w": [1, 2, 3, 3]], wrt: ["x", "w"]),
  ]

  @Test(arguments: cases)
  func derivativesReadBack(_ c: Case) throws {
    let program = try parseProgram(c.source, declarations: c.shapes, into: GraphBuilder())
    let graph = simplify(try program.graph().gradient(wrt: c.wrt))
    let lines = graph.infixLines()
    var text = ""
    var k = 0
    for line in lines {
      if line.hasPrefix("let ") {
        text += line + "\n"
      } else {
        let expression = try #require(line.range(of: " = ")).upperBound
        k += 1
        text += "out d\(k) = " + line[expression...] + "\n"
      }
    }
    let shapes = Dictionary(uniqueKeysWithValues: graph.variables.map { ($0.name, $0.shape) })
    let reread = try parseProgram(text, declarations: shapes, into: GraphBuilder()).graph()
    #expect(reread.outputs.count == graph.outputs.count)
    var generator = SystemRandomNumberGenerator()
    let point = Dictionary(
      uniqueKeysWithValues: graph.variables.map { variable in
        (
          variable.name,
          Tensor(
            shape: variable.shape,
            scalars: (0..<variable.shape.elementCount).map { _ in
              Double.random(in: 0.2...1.5, using: &generator)
            })
        )
      })
    let expected = try graph.evaluate(point)
    let got = try reread.evaluate(point)
    for (a, b) in zip(expected, got) {
      #expect(a.shape == b.shape)
      for (x, y) in zip(a.scalars, b.scalars) {
        #expect(abs(x - y) <= 1e-12 * max(1, abs(x)), "\(text)")
      }
    }
  }

  @Test func shapeOpsAndTensorConstantsHaveSpellings() throws {
    let g = GraphBuilder()
    let program = try parseProgram(
      "out a = broadcast_to(x, 2x3)\nout b = sum_to(A, 3)\nout c = [[1, -2.5], [3, 4]] + broadcast_to(1, 2x2)\n",
      declarations: ["A": [2, 3]], into: g)
    let graph = try program.graph()
    #expect(graph.shape(graph.outputs[0]) == [2, 3])
    #expect(graph.shape(graph.outputs[1]) == [3])
    #expect(
      try graph.evaluate([
        "x": Tensor(2), "A": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
      ])
        == [
          Tensor(repeating: 2, shape: [2, 3]), Tensor(shape: [3], scalars: [5, 7, 9]),
          Tensor(shape: [2, 2], scalars: [2, -1.5, 4, 5]),
        ])
    #expect(
      graph.infixLines() == [
        "a = broadcast_to(x, 2x3)", "b = sum_to(A, 3)",
        "c = [[1, -2.5], [3, 4]] + broadcast_to(1, 2x2)",
      ])
  }

  @Test func shapeOpsAndTensorErrors() {
    let cases: [(String, String)] =
      [
        (
          "broadcast_to(x)",
          "'broadcast_to' takes an expression and a shape such as 2x3, but was given 1"
        ),
        ("broadcast_to(x, 2y)", "invalid shape '2y': write e.g. 2x3, 5 or scalar"),
        (
          "[[1, 2], [3]] * x",
          "invalid tensor '[[1, 2], [3]]': write a nested array of numbers whose rows have equal lengths, e.g. [[1, 2], [3, 4]]"
        ),
        (
          "[1, 2",
          "invalid tensor '[1, 2': write a nested array of numbers whose rows have equal lengths, e.g. [[1, 2], [3, 4]]"
        ),
      ]
      + ["v[0] + 1", "exp(v) [2]", "A[:, 0]", "x2[i]"].map {
        (
          $0,
          "'[…]' after a value is not indexing here: take elements with index(A, axis, i) "
            + "(v[2] is index(v, 0, 2)) or slice(A, axis, start, end)"
        )
      }
    for (source, message) in cases {
      #expect(throws: ParseError.self) { try parseProgram(source, into: GraphBuilder()) }
      do {
        _ = try parseProgram(source, into: GraphBuilder())
      } catch {
        #expect(error.message == message, "\(source)")
      }
    }
  }

  @Test func numbersPrintInTheirShortestRoundTripForm() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      let x = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
      let text = formatNumber(x)
      let g = GraphBuilder()
      let graph = try parseProgram(text, into: g).graph()
      let value: [Tensor] = try graph.evaluate([String: Tensor]())
      #expect(value[0].scalars[0] == x, "\(text)")
      #expect(text.count <= "\(x)".count)
    }
  }

  @Test func sumAndBroadcastOfTheSameShapeAreNoNodes() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    #expect(try x.sum().node() == x.node())
    #expect(try x.broadcast(to: []).node() == x.node())
    let v = try g.variable("v", [3])
    #expect(try v.sum(to: [3]).node() == v.node())
    #expect(try v.broadcast(to: [3]).node() == v.node())
  }

  @Test func tensorOutputsShareSubexpressionsAcrossOutputs() throws {
    let program = try parseProgram(Self.cases[5].source, into: GraphBuilder())
    let graph = simplify(try program.graph().gradient(wrt: ["W1", "b1", "W2", "b2"]))
    let lines = graph.infixLines()
    #expect(lines.contains("let t1 = tanh(einsum(\"ij,j->i\", W1, x) + b1)"))
    #expect(lines.filter { $0.contains("tanh(") }.count == 1)
  }
}
