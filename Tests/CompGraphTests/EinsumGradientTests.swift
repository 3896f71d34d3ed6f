import Testing

@testable import CompGraph

/// Einsum pullbacks against finite differences, including the cases naive
/// implementations get wrong: one tensor used twice, and repeated indices.
@Suite struct EinsumGradientTests {
  struct Case: Sendable, CustomStringConvertible {
    let spec: String
    let shapes: [Shape]
    /// Which variable each operand is (equal indices = the same tensor).
    let operands: [Int]
    var description: String { spec }
  }

  static let cases: [Case] = [
    Case(spec: "ij,jk->ik", shapes: [[2, 3], [3, 4]], operands: [0, 1]),
    Case(spec: "ij,ij->", shapes: [[2, 3]], operands: [0, 0]),
    Case(spec: "ii->", shapes: [[3, 3]], operands: [0]),
    Case(spec: "ii->i", shapes: [[3, 3]], operands: [0]),
    Case(spec: "ij->ji", shapes: [[2, 3]], operands: [0]),
    Case(spec: "ij->i", shapes: [[2, 3]], operands: [0]),
    Case(spec: "i,j->ij", shapes: [[2], [3]], operands: [0, 1]),
    Case(spec: "ij,jk", shapes: [[2, 3], [3, 2]], operands: [0, 1]),
    Case(spec: "...ij,...jk->...ik", shapes: [[2, 2, 3], [2, 3, 2]], operands: [0, 1]),
    Case(spec: "ijk,jl,kl->il", shapes: [[2, 3, 2], [3, 2], [2, 2]], operands: [0, 1, 2]),
    Case(spec: "ij,jk,ki->", shapes: [[3, 3]], operands: [0, 0, 0]),
    Case(spec: "iij->j", shapes: [[2, 2, 3]], operands: [0]),
  ]

  @Test(arguments: cases)
  func pullbackMatchesFiniteDifferences(_ c: Case) throws {
    let g = GraphBuilder()
    let vars = try c.shapes.indices.map { try g.variable("x\($0)", c.shapes[$0]) }
    let y = einsum(c.spec, c.operands.map { vars[$0] })
    // A nonlinear scalar of the einsum, so the cotangent is not constant.
    let f = (sin(y) * y).sum()
    var point: [String: Tensor] = [:]
    var rng = SplitMix64(seed: 7)
    for (k, shape) in c.shapes.enumerated() {
      point["x\(k)"] = Tensor(
        shape: shape, scalars: (0..<shape.elementCount).map { _ in rng.nextUnit() * 2 - 1 })
    }
    let report = try checkGradients(of: f, at: point, order: 2)
    #expect(report.worstRelativeError < 1e-6, "\(c.spec): \(report)")
    _ = try checked([f] + CompGraph.gradient(of: f, wrt: vars))
  }

  @Test func sameTensorTwiceGivesTwiceTheGradient() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [3])
    let d = try CompGraph.gradient(of: einsum("i,i->", x, x), wrt: x)
    let value = try d.evaluate(["x": Tensor(shape: [3], scalars: [1, -2, 5])])
    #expect(value.scalars == [2, -4, 10])
  }

  @Test func traceGradientIsIdentity() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 2])
    let d = try CompGraph.gradient(of: trace(a), wrt: a)
    #expect(
      try d.evaluate(["A": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])]).scalars == [1, 0, 0, 1])
  }

  @Test func evaluationMatchesHandComputedValues() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 2]), b = try g.variable("B", [2, 2])
    let at = [
      "A": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]),
      "B": Tensor(shape: [2, 2], scalars: [5, 6, 7, 8]),
    ]
    #expect(try matmul(a, b).evaluate(at).scalars == [19, 22, 43, 50])
    #expect(try transpose(a).evaluate(at).scalars == [1, 3, 2, 4])
    #expect(try trace(a).evaluate(at).scalars == [5])
    #expect(try einsum("ii->i", a).evaluate(at).scalars == [1, 4])
    #expect(try (a + b).sum().evaluate(at).scalars == [36])
  }
}
