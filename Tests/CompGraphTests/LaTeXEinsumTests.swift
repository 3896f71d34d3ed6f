import Foundation
import Testing

@testable import CompGraph

/// Issue 26 §4: LaTeX writes an einsum as the maths it is, never `\operatorname{einsum}`: a
/// matrix product, transpose or trace as such (`A^{\top} B`, `\operatorname{tr}`), any other
/// contraction in index notation with the summed indices under `\sum` and an identity matrix as
/// Kronecker's δ, well-formed for TeX wherever it stands.
@Suite struct LaTeXEinsumTests {
  /// The LaTeX of `source`'s one output, as `text(.latex)` writes it after `f &= `.
  static func latex(_ source: String, _ declarations: [String: Shape]) throws -> String {
    let graph = try parseProgram(source, declarations: declarations, into: GraphBuilder()).graph()
    let line = try #require(try graph.text(.latex).split(separator: "\n").dropFirst().first)
    return String(try #require(line.components(separatedBy: " &= ").last))
  }

  static let shapes: [String: Shape] = [
    "A": [2, 3], "B": [3, 2], "C": [3, 3], "v": [3], "w": [3], "u": [2], "x": [2],
  ]

  @Test(arguments: [
    ("matmul(A, B)", "A B"),
    ("transpose(A)", #"A^{\top}"#),
    ("trace(C)", #"\operatorname{tr}\left(C\right)"#),
    ("dot(v, w)", #"v^{\top} w"#),
    ("matmul(A, v)", "A v"),
    ("matmul(u, A)", #"u^{\top} A"#),
    (#"einsum("ji,jk->ik", B, B)"#, #"B^{\top} B"#),
    (#"einsum("ij,kj->ik", A, A)"#, #"A A^{\top}"#),
    (#"einsum("i,j->ij", v, w)"#, #"v w^{\top}"#),
    ("matmul(transpose(A), u)", #"A^{\top} u"#),
    ("matmul(exp(A), v)", #"\left(e^{A}\right) v"#),
    (#"einsum("ij,ij->", A, A)"#, #"\sum_{i,j} A_{ij} A_{ij}"#),
    (
      #"einsum("ij,ij->i", A + 1, A)"#,
      #"\left[\sum_{j} {\left(A + 1\right)}_{ij} A_{ij}\right]_{i}"#
    ),
    (#"einsum("ii->i", C)"#, #"\left[C_{ii}\right]_{i}"#),
    (#"einsum("ij,k->kji", A, v)"#, #"\left[A_{kj} v_{i}\right]_{ijk}"#),
    (#"2 * einsum("ij,ij->", A, A) + 1"#, #"2 \left(\sum_{i,j} A_{ij} A_{ij}\right) + 1"#),
  ])
  func einsumsAsMaths(source: String, expected: String) throws {
    #expect(try Self.latex(source, Self.shapes) == expected)
  }

  /// A product of an einsum written as a sum takes it in parentheses; the README's model's
  /// gradient and Hessian read ∂loss/∂W_ij = Σ_k W_ik x_k x_j and δ_ik x_j x_l (the identity
  /// constant as δ).
  @Test func derivativesOfTheReadmeModel() throws {
    #expect(
      try Self.latex(#"einsum("ij,ij->", A, A) * einsum("i,i->", v, v)"#, Self.shapes)
        == #"\left(\sum_{i,j} A_{ij} A_{ij}\right) v^{\top} v"#)
    let model = try parseProgram(
      "var W: 3x2, x: 2\nlet z = matmul(W, x)\nout loss = sum(z * z) / 2",
      declarations: [:], into: GraphBuilder()
    ).graph()
    let text = try model.derivatives(wrt: ["W"], order: 2, simplifying: true).graph.text(.latex)
    #expect(
      text.contains(
        #"\frac{\partial loss}{\partial W} &= \left[\sum_{k} W_{ik} x_{k} x_{j}\right]_{ij} \\"#),
      "\(text)")
    #expect(
      text.contains(
        #"\frac{\partial^{2} loss}{\partial W^{2}} &= \left[\delta_{ik} x_{l} x_{j}\right]_{ijkl}"#),
      "\(text)")
  }

  /// Derivatives of tensor graphs to order 2, with shared subexpressions named (`t_{1}`): no
  /// `einsum` is left, and the text is what TeX accepts (balanced braces, no double subscript
  /// such as `t_{1}_{ij}`, only the commands listed).
  @Test func tensorDerivativesAreWellFormed() throws {
    let allowed: Set<String> = [
      "begin", "end", "frac", "partial", "left", "right", "sum", "top", "delta", "operatorname",
      "cdot", "ln", "tanh", "exp", "max", "min", "text", "sqrt", "times",
    ]
    for source in [
      "sum(exp(A) * v) + sum(matmul(A, B))",
      #"einsum("ij,jk->ik", A, B) * 2 + trace(matmul(B, A))"#,
      "sum(tanh(matmul(A, v)) * u) + dot(v, w)^2",
    ] {
      let graph = try parseProgram(source, declarations: Self.shapes, into: GraphBuilder()).graph()
      let wrt = graph.variables.map(\.name)
      let derivatives = try graph.derivatives(wrt: wrt, order: 2, simplifying: true).graph
      let text = try derivatives.text(.latex)
      #expect(!text.contains("einsum"), "\(source): \(text)")
      #expect(
        ExportNameClashTests.latexProblems(text, allowed: allowed).isEmpty,
        "\(source): \(ExportNameClashTests.latexProblems(text, allowed: allowed)) in \(text)")
    }
  }
}
