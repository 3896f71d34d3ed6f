import Foundation
import Testing

/// Higher orders with respect to tensor variables on the command line, with the README's
/// `model.cg` (loss = ½|W·x|², W 3×2): `grad` prints ∂²loss/∂W² as one 3×2×3×2 tensor (the
/// shapes of `jax.hessian`), `eval --derivative W,W`, `eval --hessian` and `eval --hvp` give the
/// same numbers, which are the closed form ∂²loss/∂W_ij∂W_kl = δ_ik x_j x_l.
@Suite struct TensorOrderCommandTests {
  static let model = """
    var W: 3x2, x: 2
    let z = matmul(W, x)
    out loss = sum(z * z) / 2

    """
  static let at = ["--at", "W=[[1,2],[3,4],[5,6]]", "--at", "x=1,-2"]
  static let x = [1.0, -2.0]

  /// δ_ik x_j x_l, row-major over (i, j, k, l).
  static var closedForm: [Double] {
    var h: [Double] = []
    for i in 0..<3 {
      for j in 0..<2 {
        for k in 0..<3 { for l in 0..<2 { h.append(i == k ? x[j] * x[l] : 0) } }
      }
    }
    return h
  }

  static func json(_ arguments: [String]) throws -> [String: Any] {
    let run = try compgraph(arguments: arguments + ["--json"], input: model)
    #expect(run.status == 0, "\(run.stderr)")
    return try #require(
      try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
  }

  /// Nested JSON arrays, flattened row-major.
  static func flat(_ value: Any?) -> [Double] {
    if let number = value as? Double { return [number] }
    return (value as? [Any])?.flatMap { flat($0) } ?? []
  }

  @Test func gradPrintsTheSecondDerivativeOfAMatrix() throws {
    let run = try compgraph("grad", "-f", "-", "--wrt", "W", "--order", "2", input: Self.model)
    #expect(run.status == 0 && run.stderr == "")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.map { $0.prefix(while: { $0 != " " }) } == ["∂loss/∂W", "∂²loss/∂W²"])
    // δ_ik x_j x_l: the identity over i and k, and x twice.
    #expect(lines[1].contains("[[1, 0, 0], [0, 1, 0], [0, 0, 1]]") && lines[1].contains("x"))
    // Mixed partials are separate outputs, in the order of --wrt.
    let mixed = try compgraph("grad", "-f", "-", "--wrt", "W,x", "--order", "2", input: Self.model)
    #expect(
      mixed.stdout.split(separator: "\n").filter { $0.hasPrefix("∂²") }.map {
        $0.prefix(while: { $0 != " " })
      } == ["∂²loss/∂W²", "∂²loss/∂W∂x", "∂²loss/∂x²"])
  }

  /// `render` draws what `grad` prints: each output at its node with the node's shape
  /// (∂²loss/∂W² a 3x2x3x2 node), with `--grad W,x --order 2` the mixed partials as separate
  /// outputs, in DOT and in the listing (`--format text`), which names the same shapes.
  @Test func renderDrawsTheTensorDerivatives() throws {
    let run = try compgraph(
      "render", "-f", "-", "--grad", "W,x", "--order", "2", "--format", "dot", input: Self.model)
    #expect(run.status == 0 && run.stderr == "", "\(run.stderr)")
    let outputs = run.stdout.split(separator: "\n").compactMap { line -> String? in
      guard line.contains(#"shape="plaintext""#), let start = line.range(of: #"label=""#) else {
        return nil
      }
      return String(line[start.upperBound...].prefix { $0 != "\"" })
    }
    #expect(
      outputs == ["loss", "∂loss/∂W", "∂loss/∂x", "∂²loss/∂W²", "∂²loss/∂W∂x", "∂²loss/∂x²"],
      "\(run.stdout)")
    for shape in ["3x2x3x2", "3x2x2"] { #expect(run.stdout.contains("\\n\(shape)\""), "\(shape)") }
    let text = try compgraph(
      "render", "-f", "-", "--grad", "W,x", "--order", "2", "--format", "text", input: Self.model)
    #expect(text.status == 0 && text.stdout.contains(":f64[3,2,3,2] = "), "\(text.stdout)")
  }

  /// `sum(-v*w)` to order 2, with v and w vectors of 3 and scalars: every order prints, with
  /// no no-op factor (`-w*broadcast_to(1, 3)`) and no signed zero (`[[-1, -0, -0], …]`).
  @Test func secondDerivativesOfASumOfProducts() throws {
    let vectors = try compgraph(
      "grad", "sum(-v*w)", "--var", "v=3", "--var", "w=3", "--wrt", "v,w", "--order", "2")
    #expect(vectors.status == 0 && vectors.stderr == "", "\(vectors.stderr)")
    #expect(
      vectors.stdout == """
        ∂f/∂v = -w
        ∂f/∂w = -v
        ∂²f/∂v² = broadcast_to(0, 3x3)
        ∂²f/∂v∂w = [[-1, 0, 0], [0, -1, 0], [0, 0, -1]]
        ∂²f/∂w² = broadcast_to(0, 3x3)

        """)
    let scalars = try compgraph("grad", "sum(-v*w)", "--wrt", "v,w", "--order", "2")
    #expect(scalars.status == 0 && scalars.stderr == "", "\(scalars.stderr)")
    #expect(
      scalars.stdout == """
        ∂f/∂v = -w
        ∂f/∂w = -v
        ∂²f/∂v² = 0
        ∂²f/∂v∂w = -1
        ∂²f/∂w² = 0

        """)
  }

  @Test func evalHessianDerivativeAndHVPAgree() throws {
    let derivative = try Self.json(["eval", "-f", "-"] + Self.at + ["--derivative", "W,W"])
    let block = Self.flat((derivative["derivatives"] as? [String: Any])?["W,W"])
    #expect(block == Self.closedForm)

    let hessian = try Self.json(["eval", "-f", "-"] + Self.at + ["--hessian"])
    let rows = try #require(hessian["hessian"] as? [String: [String: Double]])
    let labels = (0..<3).flatMap { i in (0..<2).map { "W[\(i),\($0)]" } } + ["x[0]", "x[1]"]
    for (a, row) in labels.prefix(6).enumerated() {
      for (c, column) in labels.prefix(6).enumerated() {
        #expect(rows[row]?[column] == Self.closedForm[a * 6 + c], "\(row), \(column)")
      }
    }

    // H·v along W = [[1,0],[0,0],[0,1]] (zero along x) is the Hessian's W rows times v.
    let v = [1.0, 0, 0, 0, 0, 1]
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("compgraph-hvp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("v.csv")
    try Data("1,0\n0,0\n0,1\n".utf8).write(to: file)
    let hvp = try Self.json(["eval", "-f", "-"] + Self.at + ["--hvp", "W=@\(file.path)"])
    let product = try #require(hvp["hvp"] as? [String: Any])
    for (name, range) in [("W", 0..<6), ("x", 6..<8)] {
      let expected = range.map { a in
        labels.prefix(6).enumerated().map { c, column in rows[labels[a]]![column]! * v[c] }
          .reduce(0, +)
      }
      #expect(Self.flat(product[name]) == expected, "\(name)")
    }
  }

  @Test func hvpErrorsSayWhatToFix() throws {
    let unknown = try compgraph(
      arguments: ["eval", "-f", "-"] + Self.at + ["--hvp", "V=1,2"], input: Self.model)
    #expect(
      unknown
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: --hvp V: the expression has no variable 'V' (its variables are "
            + "'W', 'x')\n"))
    let count = try compgraph(
      arguments: ["eval", "-f", "-"] + Self.at + ["--hvp", "W=1,2"], input: Self.model)
    #expect(
      count.stderr
        == "compgraph: error: --hvp W: variable 'W' has shape 3x2 (6 value(s)) but 2 were given\n")
    let missing = try compgraph(
      arguments: ["eval", "-f", "-"] + Self.at + ["--hvp", "W=@/nonexistent/v.csv"],
      input: Self.model)
    #expect(missing.status == 1 && missing.stderr.contains("--hvp W: "))
  }
}
