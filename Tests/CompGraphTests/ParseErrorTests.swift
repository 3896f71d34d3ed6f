import Testing

@testable import CompGraph

/// Every error kind against its full rendered text.
@Suite struct ParseErrorTests {
  func message(_ source: String, _ declarations: [String: Shape] = [:]) -> String {
    do {
      _ = try parseProgram(source, declarations: declarations, into: GraphBuilder())
      return "no error"
    } catch {
      return error.description
    }
  }

  @Test func unknownFunctionSuggestsTheClosestName() {
    #expect(
      message("sqrt(x)+sqr(y)") == """
        1:9: error: unknown function 'sqr' — did you mean 'sqrt'?
        sqrt(x)+sqr(y)
                ^
        """)
    #expect(
      message("frob(x)") == """
        1:1: error: unknown function 'frob'
        frob(x)
        ^
        """)
  }

  @Test func wrongArgumentCounts() {
    #expect(
      message("1 + exp(x, y)") == """
        1:5: error: 'exp' takes 1 argument, but was given 2
        1 + exp(x, y)
            ^
        """)
    #expect(
      message("pow(x)") == """
        1:1: error: 'pow' takes 2 arguments, but was given 1
        pow(x)
        ^
        """)
    #expect(
      message("sin()") == """
        1:1: error: 'sin' takes 1 argument, but was given 0
        sin()
        ^
        """)
    #expect(
      message("einsum(\"ii->\")") == """
        1:1: error: 'einsum' takes a subscript string and at least 1 operand, but was given 0
        einsum("ii->")
        ^
        """)
  }

  @Test func parentheses() {
    #expect(
      message("(x + exp(y)") == """
        1:12: error: '(' at 1:1 is never closed: expected ')'
        (x + exp(y)
                   ^
        """)
    #expect(
      message("2 * exp(x\n") == """
        2:1: error: 'exp(' at 1:5 is never closed: expected ')'

        ^
        """)
    #expect(
      message("x + 1)") == """
        1:6: error: unmatched ')'
        x + 1)
             ^
        """)
    #expect(
      message("(x, y)") == """
        1:3: error: expected an operator or ')', found ','
        (x, y)
          ^
        """)
  }

  @Test func missingAndTrailingTokens() {
    #expect(
      message("") == """
        1:1: error: expected an expression, found end of input

        ^
        """)
    #expect(
      message("x *") == """
        1:4: error: expected an expression, found end of input
        x *
           ^
        """)
    #expect(
      message("x y") == """
        1:3: error: expected an operator, found 'y'
        x y
          ^
        """)
    #expect(
      message("exp(x) 2") == """
        1:8: error: expected an operator, found number '2'
        exp(x) 2
               ^
        """)
    #expect(
      message("x * )") == """
        1:5: error: expected an expression, found ')'
        x * )
            ^
        """)
    #expect(
      message("exp + 1") == """
        1:5: error: expected '(' after function 'exp', found '+'
        exp + 1
            ^
        """)
    #expect(
      message("einsum(A)") == """
        1:8: error: expected a subscript string such as "ij,jk->ik", found 'A'
        einsum(A)
               ^
        """)
    #expect(
      message("x + \"ij\"") == """
        1:5: error: expected an expression, found string "ij"
        x + "ij"
            ^
        """)
  }

  @Test func lexicalErrors() {
    #expect(
      message("1e + 2") == """
        1:1: error: invalid number '1e'
        1e + 2
        ^
        """)
    #expect(
      message("x * 1.2.3") == """
        1:5: error: invalid number '1.2.3'
        x * 1.2.3
            ^
        """)
    #expect(
      message("1e999") == """
        1:1: error: invalid number '1e999'
        1e999
        ^
        """)
    #expect(
      message("x $ y") == """
        1:3: error: unexpected character '$'
        x $ y
          ^
        """)
    #expect(
      message("θ + 1") == """
        1:1: error: unexpected character 'θ'
        θ + 1
        ^
        """)
    #expect(
      message("einsum(\"ij, A)") == """
        1:8: error: unterminated string: expected a closing '"' on the same line
        einsum("ij, A)
               ^
        """)
  }

  @Test func shapeErrorsPointAtTheOperatorOrCall() {
    #expect(
      message("sum(A) + A + B", ["A": [2, 3], "B": [2, 2]]) == """
        1:12: error: add: operand shapes 2x3 and 2x2 do not broadcast
        sum(A) + A + B
                   ^
        """)
    #expect(
      message("1 + matmul(A, A)", ["A": [2, 3]]).hasPrefix(
        "1:5: error: einsum \"...ij,...jk->...ik\""))
  }

  @Test func programErrors() {
    #expect(
      message("var A: 2xx3\nA") == """
        1:8: error: invalid shape '2xx3': write e.g. 2x3, 5 or scalar
        var A: 2xx3
               ^
        """)
    #expect(
      message("let a = 1\nlet a = 2") == """
        2:5: error: 'a' is already defined
        let a = 2
            ^
        """)
    #expect(
      message("x + 1\nx") == """
        2:1: error: 'f' is already defined
        x
        ^
        """)
    #expect(
      message("var A: 2x3\nlet B = A # no output\n") == """
        3:1: error: the program has no output: end it with an expression or 'out name = expression'

        ^
        """)
    #expect(
      message("var A: 3\nA", ["A": [2]]) == """
        1:5: error: variable 'A' is used with two shapes: 2 and 3
        var A: 3
            ^
        """)
    #expect(
      message("let x 3") == """
        1:7: error: expected '=' after 'x', found number '3'
        let x 3
              ^
        """)
    #expect(
      message("var A: 2 B") == """
        1:10: error: expected an element type (f32 or f64), ',' or end of line, found 'B'
        var A: 2 B
                 ^
        """)
  }

  @Test func tabsKeepTheCaretAligned() {
    #expect(
      message("\tx +\t)") == """
        1:6: error: expected an expression, found ')'
        \tx +\t)
        \t   \t^
        """)
  }

  @Test func longLinesShowAWindowAroundTheError() throws {
    let source =
      String(repeating: "x + ", count: 100) + "sqr(x)" + String(repeating: " + x", count: 100)
    let lines = message(source).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[0] == "1:401: error: unknown function 'sqr' — did you mean 'sqrt'?")
    #expect(
      lines[1] == "…" + String(repeating: "x + ", count: 15) + "sqr(x)"
        + String(repeating: " + x", count: 8) + " …")
    #expect(lines[2] == String(repeating: " ", count: 61) + "^")
  }

  /// `**` gets a hint; suggestions come from real names within one edit for
  /// short names (`atan` no longer suggests `mean`).
  @Test func powerOperatorHintAndSuggestions() {
    #expect(
      message("x**2") == """
        1:2: error: '**' is not an operator: write '^' for a power, as in x^2
        x**2
         ^
        """)
    #expect(
      message("atn(x)").hasPrefix("1:1: error: unknown function 'atn' — did you mean 'atan'?"))
    #expect(message("maen(x)").hasPrefix("1:1: error: unknown function 'maen'\n"))
    #expect(message("sigmod(x)").contains("did you mean 'sigmoid'?"))
    #expect(message("lg(x)").contains("did you mean 'ln'?"))
  }
}
