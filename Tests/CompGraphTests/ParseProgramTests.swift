import Testing

@testable import CompGraph

@Suite struct ParseProgramTests {
  @Test func programWithDeclarationsBindingsAndOutputs() throws {
    let source = """
      # A one-layer model with an L2 penalty.
      var W: 3x2, x: 2, scale   # scale is a scalar
      let h = tanh(matmul(W, x))

      out loss = sum(h^2) * scale
      out penalty = 0.5 * sum(W^2); out total = loss + penalty
      """
    let g = GraphBuilder()
    let program = try parseProgram(source, into: g)
    let W = try g.variable("W", [3, 2]), x = try g.variable("x", [2]),
      scale = try g.variable("scale")
    let h = tanh(matmul(W, x))
    let loss = pow(h, 2).sum() * scale
    let penalty = 0.5 * pow(W, 2).sum()
    #expect(program.outputs.map(\.name) == ["loss", "penalty", "total"])
    #expect(
      try program.outputs.map { try $0.expr.node() }
        == [loss, penalty, loss + penalty].map { try $0.node() })
    let graph = try program.graph()
    #expect(graph.outputNames == ["loss", "penalty", "total"])
  }

  @Test func bareFinalExpressionIsTheOutputF() throws {
    let g = GraphBuilder()
    let program = try parseProgram("let c = 2\nlet y = x * 3\ny^c + 1\n", into: g)
    let x = try g.variable("x")
    #expect(program.outputs.map(\.name) == ["f"])
    #expect(try program.outputs[0].expr.node() == (pow(x * 3, 2) + 1).node())
  }

  @Test func declarationsArgumentAndBuilderVariablesGiveShapes() throws {
    let g = GraphBuilder()
    let v = try g.variable("v", [4])
    let program = try parseProgram("sum(A) + sum(v)", declarations: ["A": [2, 2]], into: g)
    let A = try g.variable("A", [2, 2])
    #expect(try program.outputs[0].expr.node() == (A.sum() + v.sum()).node())
  }

  @Test func keywordsAreOrdinaryNamesOutsideStatementStarts() throws {
    let g = GraphBuilder()
    let program = try parseProgram("out * let", into: g)
    #expect(try program.outputs[0].expr.node() == (g.variable("out") * g.variable("let")).node())
  }

  @Test func windowsLineEndings() throws {
    let g = GraphBuilder()
    let program = try parseProgram("let a = x\r\nout f = a + 1\r\n", into: g)
    #expect(try program.outputs[0].expr.node() == (g.variable("x") + 1).node())
  }

  @Test func shapes() {
    #expect(parseShape("2x3") == [2, 3])
    #expect(parseShape("5") == [5])
    #expect(parseShape("scalar") == [])
    #expect(parseShape("2x3x4") == [2, 3, 4])
    for bad in ["", "x", "2x", "0", "-1", "2xx3", "a", "99999999999x99999999999"] {
      #expect(parseShape(bad) == nil, "\(bad)")
    }
  }
}

/// A program that declares its variables with `var` must declare them all;
/// an unused `let` is a warning.
@Suite struct ProgramDeclarationTests {
  @Test func undeclaredNameIsAnErrorWithASuggestion() throws {
    let source = "var hidden: 3\nout f = sum(hiden * 2)\n"
    #expect {
      try parseProgram(source, into: GraphBuilder())
    } throws: { error in
      "\(error)" == """
        2:13: error: unknown name 'hiden' — did you mean 'hidden'?
        out f = sum(hiden * 2)
                    ^
        """
    }
  }

  @Test func undeclaredNameWithoutACloseOneSaysHowToDeclareIt() throws {
    #expect {
      try parseProgram("var W: 2x2\nlet h = W * 2\nout f = sum(h) * scale\n", into: GraphBuilder())
    } throws: { error in
      (error as? ParseError)?.message
        == "unknown name 'scale'; this program declares its variables, so add it to a 'var' line"
    }
  }

  @Test func namesWithoutVarLinesAreStillImplicitScalars() throws {
    let g = GraphBuilder()
    let program = try parseProgram("let y = x * 3\nout f = y + z\n", into: g)
    #expect(program.outputs.count == 1)
    #expect(Set(g.variables.keys) == ["x", "z"])
    #expect(program.warnings.isEmpty)
  }

  @Test func bindingsAndDeclaredNamesResolve() throws {
    let program = try parseProgram(
      "var x, W: 2\nlet h = W * x\nout f = sum(h)\nout g = f * x\n", into: GraphBuilder())
    #expect(program.outputs.map(\.name) == ["f", "g"])
    #expect(program.warnings.isEmpty)
  }

  @Test func unusedLetIsAWarning() throws {
    let program = try parseProgram(
      "var x\nlet a = x * 2\nlet b = x + 1\nout f = a\n", into: GraphBuilder())
    #expect(program.outputs.map(\.name) == ["f"])
    let warnings = program.warnings.map { "\($0)" }
    #expect(warnings == ["3:5: warning: 'b' is never used\nlet b = x + 1\n    ^"])
    #expect(program.warnings.allSatisfy { $0.isWarning })
  }
}
