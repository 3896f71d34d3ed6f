import Foundation
import Testing

@testable import CompGraph

/// Reductions and shape ops along an axis, and the library functions on
/// them, against values worked out by hand.
@Suite struct AxisTests {
  /// Parses `text` with tensor declarations and evaluates it at `point`.
  private func values(
    _ text: String, _ shapes: [String: Shape], _ point: [String: Tensor]
  ) throws -> Tensor {
    let graph = try parseProgram(text, declarations: shapes, into: GraphBuilder()).graph()
    return try graph.evaluate(point)[0]
  }

  static let a = Tensor(shape: [2, 3], scalars: [1, 5, 2, 7, 0, 7])

  @Test func reductionsAlongAnAxis() throws {
    let s: [String: Shape] = ["A": [2, 3]]
    let p = ["A": Self.a]
    #expect(try values("sum(A, 0)", s, p) == Tensor(shape: [3], scalars: [8, 5, 9]))
    #expect(try values("sum(A, -1)", s, p) == Tensor(shape: [2], scalars: [8, 14]))
    let mean = try values("mean(A, 1)", s, p)
    #expect(
      mean.shape == [2] && isClose(mean.scalars[0], 8.0 / 3) && isClose(mean.scalars[1], 14.0 / 3))
    #expect(try values("amax(A, 1)", s, p) == Tensor(shape: [2], scalars: [5, 7]))
    #expect(try values("amax(A, 0)", s, p) == Tensor(shape: [3], scalars: [7, 5, 7]))
  }

  @Test func shapeOps() throws {
    let s: [String: Shape] = ["A": [2, 3], "B": [1, 3]]
    let p = ["A": Self.a, "B": Tensor(shape: [1, 3], scalars: [9, 8, 7])]
    #expect(try values("reshape(A, 3x2)", s, p) == Tensor(shape: [3, 2], scalars: Self.a.scalars))
    #expect(try values("slice(A, 1, 1, 3)", s, p) == Tensor(shape: [2, 2], scalars: [5, 2, 0, 7]))
    #expect(try values("index(A, 0, 1)", s, p) == Tensor(shape: [3], scalars: [7, 0, 7]))
    #expect(try values("index(A, 1, 2)", s, p) == Tensor(shape: [2], scalars: [2, 7]))
    #expect(
      try values("pad(B, 1, 1, 2)", s, p)
        == Tensor(shape: [1, 6], scalars: [0, 9, 8, 7, 0, 0]))
    #expect(
      try values("concat(A, B, 0)", s, p)
        == Tensor(shape: [3, 3], scalars: [1, 5, 2, 7, 0, 7, 9, 8, 7]))
  }

  @Test func oneHotAndGather() throws {
    let s: [String: Shape] = ["i": [3], "T": [3, 2]]
    let p = [
      "i": Tensor(shape: [3], scalars: [2, 0, 5]),
      "T": Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]),
    ]
    #expect(
      try values("one_hot(i, 3)", s, p)
        == Tensor(shape: [3, 3], scalars: [0, 0, 1, 1, 0, 0, 0, 0, 0]))
    #expect(
      try values("gather(T, i)", s, p) == Tensor(shape: [3, 2], scalars: [5, 6, 1, 2, 0, 0]))
    // The gradient reaches the rows picked, once per pick.
    let g = GraphBuilder()
    let t = try g.variable("T", [3, 2])
    let i = g.constant(Tensor(shape: [3], scalars: [2, 0, 2]))
    let d = try CompGraph.gradient(of: gather(t, i).sum(), wrt: t)
    #expect(try d.evaluate([:]) == Tensor(shape: [3, 2], scalars: [1, 1, 0, 0, 2, 2]))
  }

  /// Tied maxima share the gradient equally.
  @Test func amaxSharesTheGradientAmongTies() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 3])
    let d = try CompGraph.gradient(of: amax(a, axis: 1).sum(), wrt: a)
    #expect(
      try d.evaluate(["A": Self.a]) == Tensor(shape: [2, 3], scalars: [0, 1, 0, 0.5, 0, 0.5]))
  }

  /// softmax, logsoftmax, logsumexp and cross_entropy stay finite where the
  /// naive forms overflow, and their gradients are softmax − one-hot.
  @Test func stableLibraryFunctions() throws {
    let s: [String: Shape] = ["v": [3]]
    let p = ["v": Tensor(shape: [3], scalars: [1000, -1000, 0])]
    let soft = try values("softmax(v)", s, p).scalars
    #expect(soft[0] == 1 && soft[1] == 0 && isClose(soft[2], Foundation.exp(-1000)))
    #expect(try values("logsoftmax(v)", s, p).scalars == [0, -2000, -1000])
    #expect(try values("logsumexp(v)", s, p).scalars == [1000])
    #expect(try values("cross_entropy(v, 1)", s, p).scalars == [2000])
    let graph = try parseProgram("cross_entropy(v, 1)", declarations: s, into: GraphBuilder())
      .graph().gradient(wrt: ["v"])
    #expect(try graph.evaluate(p)[1] == Tensor(shape: [3], scalars: [1, -1, 0]))
    let same = ["v": Tensor(shape: [3], scalars: [1000, 1000, 0])]
    #expect(isClose(try values("logsumexp(v)", s, same).scalars[0], 1000 + Foundation.log(2)))
  }

  /// A batch: logits [N, C], labels [N]: the mean over examples.
  @Test func crossEntropyOverABatch() throws {
    let s: [String: Shape] = ["L": [2, 3], "y": [2]]
    let p = [
      "L": Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 0]),
      "y": Tensor(shape: [2], scalars: [2, 0]),
    ]
    let row0 = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)) - 3
    let row1 = Foundation.log(3.0)
    #expect(isClose(try values("cross_entropy(L, y)", s, p).scalars[0], (row0 + row1) / 2))
  }

  @Test func badAxesAndParametersAreErrors() {
    func message(_ text: String) -> String {
      do {
        _ = try parseProgram(text, declarations: ["A": [2, 3]], into: GraphBuilder())
        return "no error"
      } catch { return error.message }
    }
    #expect(
      message("sum(A, 2)")
        == "sum: operand shapes 2x3 do not have an axis 2 (axes count from 0; -1 is the last)")
    #expect(message("slice(A, 1, 2, 5)").contains("do not have elements 2..<5 along axis 1"))
    #expect(message("reshape(A, 4)").contains("have different element counts"))
    #expect(
      message("amax(A, x)")
        == "amax: axes, extents and sizes must be integer numbers, as in amax(A, 1)")
  }
}
