import Foundation
import Testing

@testable import CompGraph

/// Text as people write it (issue 26 §4): LaTeX as `sympy.latex` writes it, no signed zero
/// printed as a constant, and Python functions that return a tuple in output order beside
/// `OUTPUT_NAMES`.  (No-op factors are folded by the simplifier: `SimplifyRuleTests`'
/// `uniform-factor` and `uniform-term` rows.)
@Suite struct TextAsWrittenTests {
  static func latex(_ source: String, wrt: [String], order: Int = 1) throws -> [String] {
    let f = try parseProgram(source, declarations: [:], into: GraphBuilder()).graph()
    let d = try f.derivatives(wrt: wrt, order: order, simplifying: true).graph
    let text = try d.text(.latex)
    return text.split(separator: "\n").dropFirst(2).dropLast().map {
      String($0.split(separator: "&= ", maxSplits: 1)[1]).replacingOccurrences(
        of: " \\\\", with: "")
    }
  }

  @Test func latexReadsAsSympyWritesIt() throws {
    // Factors side by side, the sign and the constant first, e^{x}, \sin{\left(…\right)}.
    #expect(try Self.latex("cos(x^2)", wrt: ["x"]) == [#"-2 x \sin{\left(x^{2}\right)}"#])
    // \frac without parentheses around a lone numerator or denominator.
    #expect(
      try Self.latex("exp(x)/(x + y)", wrt: ["y"])
        == [#"-\frac{e^{x}}{\left(x + y\right)^{2}}"#])
    #expect(try Self.latex("ln(x + y)", wrt: ["y"]) == [#"\frac{1}{x + y}"#])
    // A power of eˣ is bracketed (no double superscript); ∂^{2} without a space.
    let f = try parseProgram("exp(x)^3 + x_1", declarations: [:], into: GraphBuilder()).graph()
    #expect(try f.text(.latex).contains(#"\left(e^{x}\right)^{3} + x\_1"#))
    let text = try parseProgram("x_1^3", declarations: [:], into: GraphBuilder()).graph()
      .derivatives(wrt: ["x_1"], order: 2, simplifying: true).graph.text(.latex)
    #expect(text.contains(#"\frac{\partial^{2} f}{\partial x\_1^{2}} &= 6 x\_1"#), "\(text)")
  }

  /// A sum inside a sum is spliced in (`a - 2 b + c`, not `a + \left(-2 b + c\right)`), and a
  /// fraction whose numerator starts with a minus needs no parentheses after a `+`: the minus
  /// is inside `\frac{…}`.
  @Test func latexSumsNeedNoParenthesesInSums() throws {
    let g = GraphBuilder()
    // −2b is made before c, so the inner sum leads with it.
    let a = try g.variable("a"), b = try g.variable("b")
    let negative = try (-2 * b).node()
    let c = try g.variable("c")
    let inner = try g.node(.add, [negative, c.node()])
    let nested = try g.node(.add, [a.node(), inner])
    let fraction = try g.node(.mul, [inner, try g.node(.pow(-1), [c.node()])])
    let split = try g.node(.add, [a.node(), fraction])
    let graph = g.graph(outputs: [nested, split], names: ["f", "g"])
    let text = try graph.text(.latex)
    #expect(text.contains(#"f &= a - 2 b + c \"#), "\(text)")
    #expect(text.contains(#"g &= a + \frac{-2 b + c}{c}"#), "\(text)")
    // The second derivative of tanh(a·b) (stable forms) has both shapes.
    let tower = try parseProgram("tanh(a*b)", declarations: [:], into: GraphBuilder()).graph()
      .derivatives(wrt: ["a"], order: 2, simplifying: true, stabilizing: true).graph
    let latex = try tower.text(.latex)
    #expect(!latex.contains(#"+ \left(-"#) && !latex.contains(#"+ \left(\frac"#), "\(latex)")
  }

  @Test func underscoresAreEscapedInLaTeX() throws {
    let f = try parseProgram("sum(v)*2", declarations: ["v": [3]], into: GraphBuilder()).graph()
    let text = try f.derivatives(wrt: ["v"], order: 1, simplifying: true).graph.text(.latex)
    #expect(text.contains(#"\operatorname{broadcast\_to}\left(2, 3\right)"#), "\(text)")
    #expect(!text.replacingOccurrences(of: "\\_", with: "").contains("_"), "\(text)")
  }

  @Test(arguments: TextFormat.allCases) func noSignedZeroIsPrinted(format: TextFormat) throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let zero = g.constant(-0.0), vector = g.constant(Tensor(shape: [3], scalars: [-0.0, -1, -0.0]))
    let outputs = format == .c ? [zero, x + zero] : [zero, x + zero, vector]
    let graph = try outputs[0].graph(
      names: ["fxy", "g", "t"].prefix(outputs.count).map { $0 }, with: Array(outputs.dropFirst()))
    let text = try graph.text(format)
    #expect(!text.contains("-0,") && !text.contains("-0]") && !text.contains("-0\n"), "\(text)")
    #expect(!text.contains("-0.0") && !text.contains("- 0"), "\(text)")
  }

  @Test func pythonReturnsATupleInOutputOrder() throws {
    let f = try parseProgram("x*y", declarations: [:], into: GraphBuilder()).graph()
    let text = try f.derivatives(wrt: ["x", "y"], order: 1, simplifying: true).graph.text(.python)
    #expect(
      text == """
        import numpy as np

        OUTPUT_NAMES = ("f", "∂f/∂x", "∂f/∂y")


        def f(x, y):
            \"\"\"(f, ∂f/∂x, ∂f/∂y), in the order of OUTPUT_NAMES.\"\"\"
            return (
                x*y,
                y,
                x,
            )

        """)
  }

  @Test func sizesAreSingularForOne() throws {
    let f = try parseProgram("exp(x)", declarations: [:], into: GraphBuilder()).graph()
    #expect(f.sizeSummary == "2 nodes, 1 edge, 1 operation")
  }
}
