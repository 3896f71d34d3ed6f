import Testing

@testable import CompGraph

/// Input ⇒ structure: each source parses to the same node as the expression
/// built by hand (hash-consing makes equal structures share one id).
@Suite struct ParsePrecedenceTests {
  /// Parses `source` into `g` with `A: 2x3`, `B: 3x2`, `v: 3` declared.
  func parse(_ source: String, _ g: GraphBuilder) throws -> NodeID {
    let declarations: [String: Shape] = ["A": [2, 3], "B": [3, 2], "v": [3]]
    return try parseProgram(source, declarations: declarations, into: g).outputs[0].expr.node()
  }

  @Test func scalarOperators() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b"), c = try g.variable("c")
    let table: [(String, Expr)] = [
      ("a + b * c", a + b * c),
      ("a * b + c", a * b + c),
      ("(a + b) * c", (a + b) * c),
      ("a - b - c", (a - b) - c),
      ("a / b / c", (a / b) / c),
      ("a - b + c", (a - b) + c),
      ("a ^ b ^ c", pow(a, pow(b, c))),
      ("-a ^ 2", -pow(a, 2)),
      ("-a * b", (-a) * b),
      ("a * -b", a * -b),
      ("--a", -(-a)),
      ("a - -b", a - -b),
      ("-a^b", -pow(a, b)),
      ("2^-a*3", pow(2, -a) * g.constant(3)),
      ("(((a)))", a),
      ("a +\n  b", a + b),
    ]
    for (source, expected) in table {
      #expect(try parse(source, g) == expected.node(), "\(source)")
    }
  }

  @Test func numbers() throws {
    let g = GraphBuilder()
    let a = try g.variable("a")
    let table: [(String, Expr)] = [
      ("3", g.constant(3)),
      ("-3", g.constant(-3)),
      ("2.5 + .5 * 1e-3", g.constant(2.5) + g.constant(0.5) * g.constant(1e-3)),
      ("2 * 3", g.constant(2) * g.constant(3)),
      ("1E+2", g.constant(100)),
      ("5.", g.constant(5)),
      ("a - 2", a - 2),
      ("a / 2", a / 2),
      ("2 - a", 2 - a),
      ("2 / a", 2 / a),
    ]
    for (source, expected) in table {
      #expect(try parse(source, g) == expected.node(), "\(source)")
    }
  }

  @Test func literalExponentsGiveTheConstantExponentPower() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b")
    let table: [(String, Expr)] = [
      ("a^2", pow(a, 2)),
      ("a^-2", pow(a, -2)),
      ("a^(1/2)", pow(a, 0.5)),
      ("a^(-(1+2))", pow(a, -3)),
      ("a^2^3", pow(a, 8)),
      ("a^1", a),
      ("2^-1", pow(g.constant(2), -1)),
      ("pow(a, 3)", pow(a, 3)),
      ("pow(a, -0.5)", pow(a, -0.5)),
      ("a^b", pow(a, b)),
      ("pow(a, b)", pow(a, b)),
      ("2^a", pow(2, a)),
    ]
    for (source, expected) in table {
      #expect(try parse(source, g) == expected.node(), "\(source)")
    }
  }

  @Test func functions() throws {
    let g = GraphBuilder()
    let a = try g.variable("a"), b = try g.variable("b")
    let A = try g.variable("A", [2, 3]), B = try g.variable("B", [3, 2]),
      v = try g.variable("v", [3])
    let table: [(String, Expr)] = [
      ("exp(a) + ln(b)", exp(a) + ln(b)),
      ("log(a)", ln(a)),
      ("sqrt(sin(a) * cos(b))", sqrt(sin(a) * cos(b))),
      ("tanh(a)", tanh(a)),
      ("sigmoid(a)", sigmoid(a)),
      ("softplus(a)", softplus(a)),
      ("exp(-a^2)", exp(-pow(a, 2))),
      ("matmul(A, B)", matmul(A, B)),
      ("transpose(A)", transpose(A)),
      ("trace(matmul(A, B))", trace(matmul(A, B))),
      ("dot(v, v)", dot(v, v)),
      ("sum(A)", A.sum()),
      ("mean(A)", A.mean()),
      ("einsum(\"ij,jk->ik\", A, B)", einsum("ij,jk->ik", A, B)),
      ("einsum(\"ij->\", A)", einsum("ij->", A)),
      ("sum(\n  A\n)", A.sum()),
    ]
    for (source, expected) in table {
      #expect(try parse(source, g) == expected.node(), "\(source)")
    }
  }
}
