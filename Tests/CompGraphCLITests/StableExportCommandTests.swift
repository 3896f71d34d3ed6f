import Foundation
import Testing

/// Every export writes stable forms by default, as `eval` evaluates them, and `--no-stabilize`
/// writes the naive ones (issue 26 §2; the values are run in onnxruntime, C, NumPy and JAX by
/// `StableExportTests`).
@Suite struct StableExportCommandTests {
  @Test func gradFormatsDifferentiateStableForms() throws {
    let expression = "softplus(x) + sigmoid(y)*x"
    for format in ["python", "jax"] {
      let stable = try compgraph("grad", expression, "--wrt", "x,y", "--format", format)
      #expect(stable.status == 0, "\(stable.stderr)")
      // σ(x) = eˣ/(eˣ + 1) is NaN at x = 1000; the stable form has no eˣ of an unbounded x.
      #expect(!stable.stdout.contains("exp(x)"), "\(stable.stdout)")
      #expect(
        stable.stdout.contains("log1p") || stable.stdout.contains("expm1"), "\(stable.stdout)")
      let naive = try compgraph(
        "grad", expression, "--wrt", "x,y", "--format", format, "--no-stabilize")
      #expect(naive.stdout.contains("exp(x)"), "\(naive.stdout)")
    }
    let simplified = try compgraph("simplify", "ln(1 + exp(x))", "--format", "python")
    #expect(simplified.stdout.contains("np.log1p(np.exp(np.minimum(0, x) - np.maximum(x, 0)))"))
    #expect(
      try compgraph("simplify", "ln(1 + exp(x))", "--format", "python", "--no-stabilize").stdout
        .contains("np.log(np.exp(x) + 1)"))
    // Plain text prints the maths as written unless asked.
    #expect(try compgraph("grad", "softplus(x)", "--wrt", "x").stdout.contains("exp(x)"))
    #expect(
      try !compgraph("grad", "softplus(x)", "--wrt", "x", "--stabilize").stdout.contains("exp(x)"))
  }

  @Test func emitCAndExportWriteStableForms() throws {
    let c = try compgraph("emit", "c", "softplus(x)", "--grad", "x")
    #expect(c.status == 0 && c.stdout.contains("log1p("), "\(c.stderr)")
    let naive = try compgraph("emit", "c", "softplus(x)", "--grad", "x", "--no-stabilize")
    #expect(naive.status == 0 && !naive.stdout.contains("log1p("), "\(naive.stderr)")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-stable-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let stable = directory.appendingPathComponent("stable.onnx").path
    let plain = directory.appendingPathComponent("naive.onnx").path
    #expect(
      try compgraph("export", "softplus(x)", "--grad", "x", "--order", "2", "-o", stable).status
        == 0)
    #expect(
      try compgraph(
        "export", "softplus(x)", "--grad", "x", "--order", "2", "--no-stabilize", "-o", plain
      ).status == 0)
    let (a, b) = (
      try Data(contentsOf: URL(fileURLWithPath: stable)),
      try Data(contentsOf: URL(fileURLWithPath: plain))
    )
    // ONNX has no log1p: the stable model spells it with Max, the naive one has none.
    #expect(a.range(of: Data("Max".utf8)) != nil && b.range(of: Data("Max".utf8)) == nil)
  }
}
