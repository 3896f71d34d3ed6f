import Testing

@testable import CompGraph

/// ARCHITECTURE.md invariant 9: bad input throws typed errors with messages a person
/// understands, never a trap.
@Suite struct ErrorTests {
  @Test func shapeMismatchNamesTheOpAndBothShapes() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2, 3]), b = try g.variable("B", [4])
    let bad = a + b
    #expect(
      throws: GraphError.shapeMismatch(
        op: "add", shapes: [[2, 3], [4]], reason: "do not broadcast")
    ) { try bad.node() }
    #expect(
      "\(GraphError.shapeMismatch(op: "add", shapes: [[2, 3], [4]], reason: "do not broadcast"))"
        == "add: operand shapes 2x3 and 4 do not broadcast")
    // Later operations pass the first error on.
    #expect(throws: GraphError.self) { try exp(bad * 2).node() }
  }

  @Test(
    arguments: [
      (
        "ij,jk->ik", [[2, 3], [4, 5]],
        "einsum \"ij,jk->ik\": index 'j' has extent 3 in one place and 4 in another"
      ),
      (
        "ij,jk->ik", [[2, 3]],
        "einsum \"ij,jk->ik\": the subscripts name 2 operand(s) but 1 were given"
      ),
      ("ij->iz", [[2, 3]], "einsum \"ij->iz\": output index 'z' does not appear in any operand"),
      ("ijk->", [[2, 3]], "einsum \"ijk->\": operand 1 has 3 subscript(s) but rank 2 (shape 2x3)"),
      ("i1->i", [[2, 3]], "einsum \"i1->i\": '1' is not an index letter (use a-z, A-Z)"),
      ("ij->ii", [[2, 2]], "einsum \"ij->ii\": an output index appears twice"),
    ] as [(String, [Shape], String)])
  func badEinsumSpecs(_ spec: String, _ shapes: [Shape], _ message: String) throws {
    do {
      _ = try EinsumSpec.parse(spec, shapes: shapes)
      Issue.record("expected an error for \(spec)")
    } catch let error as GraphError {
      #expect(error.description == message)
    }
  }

  @Test func unboundAndMisshapedVariables() throws {
    let g = GraphBuilder()
    let a = try g.variable("A", [2])
    let f = (a * 2).sum()
    #expect(throws: GraphError.unboundVariable("A")) { try f.evaluate([String: Tensor]()) }
    #expect(throws: GraphError.boundShapeMismatch(variable: "A", declared: [2], given: [3])) {
      try f.evaluate(["A": Tensor(shape: [3], scalars: [1, 2, 3])])
    }
    #expect(
      GraphError.unboundVariable("A").description
        == "variable 'A' has no value; give one in the point (\"A\": 1.5)")
    #expect(throws: GraphError.conflictingVariable(name: "A", shapes: [[2], [3]])) {
      try g.variable("A", [3])
    }
  }
}
