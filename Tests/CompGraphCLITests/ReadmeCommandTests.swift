import Foundation
import Testing

/// Commands of the README's command-line block, run as a reader on a fresh
/// clone would: in an empty directory, one shell line after another.
@Suite struct ReadmeCommandTests {
  static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")

  /// The README's line that starts with `prefix`.
  private func line(startingWith prefix: String) throws -> String {
    let text = try String(contentsOf: Self.readme, encoding: .utf8)
    let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
    try #require(line != nil, "the README has no line starting with \(prefix)")
    return String(line!)
  }

  /// The README and the DocC article show the second derivative of the README's model.cg with
  /// respect to the matrix W on the command line as `grad` prints it today.
  @Test func theTensorHessianBlockIsWhatGradPrints() throws {
    let text = try String(contentsOf: Self.readme, encoding: .utf8)
    let program = try #require(text.components(separatedBy: "var W: 3x2, x: 2\n").dropFirst().first)
      .prefix { $0 != "`" }
    let run = try compgraph(
      "grad", "-f", "-", "--wrt", "W", "--order", "2", input: "var W: 3x2, x: 2\n" + program)
    #expect(run.status == 0 && run.stdout.hasPrefix("∂loss/∂W = "), "\(run.stderr)")
    let article = Self.readme.deletingLastPathComponent().appendingPathComponent(
      "Sources/CompGraph/CompGraph.docc/HigherOrderDerivatives.md")
    for document in [text, try String(contentsOf: article, encoding: .utf8)] {
      #expect(
        document.contains("$ compgraph grad -f model.cg --wrt W --order 2\n" + run.stdout),
        "\(run.stdout)")
    }
  }

  /// The README's LaTeX of ∂²loss/∂W² is what `grad --format latex` writes for model.cg.
  @Test func theTensorHessianInLaTeXIsWhatGradWrites() throws {
    let text = try String(contentsOf: Self.readme, encoding: .utf8)
    let program = try #require(text.components(separatedBy: "var W: 3x2, x: 2\n").dropFirst().first)
      .prefix { $0 != "`" }
    let run = try compgraph(
      "grad", "-f", "-", "--wrt", "W", "--order", "2", "--format", "latex",
      input: "var W: 3x2, x: 2\n" + program)
    let quoted = #"`\left[\delta_{ik} x_{l} x_{j}\right]_{ijkl}`"#
    #expect(text.contains("--format latex` writing ∂²loss/∂W² as\n" + quoted))
    #expect(
      run.status == 0
        && run.stdout.contains(
          #"\frac{\partial^{2} loss}{\partial W^{2}} &= "# + quoted.dropFirst().dropLast() + "\n"),
      "\(run.stdout)")
  }

  /// The tensor example reads `b.csv`, which the line before it makes.
  @Test func theMatrixExampleRunsInAnEmptyDirectory() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = [
      try line(startingWith: "printf '5,6"),
      try line(startingWith: #"compgraph eval "sum(matmul(A, B))""#),
    ].joined(separator: "\n")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-e", "-c", script]
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = products.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    process.environment = environment
    let stdout = Pipe(), stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    // A = [[1,2],[3,4]], B = [[5,6],[7,8]]: Σ AB = 134, ∂/∂A = B's row sums in every row,
    // ∂/∂B = A's column sums in every column.
    #expect(process.terminationStatus == 0 && err.isEmpty, "\(err)")
    #expect(
      out == "f = 134\n∂f/∂A = [[11, 15], [11, 15]]\n∂f/∂B = [[4, 4], [6, 6]]\n", "\(out)")
  }
}
