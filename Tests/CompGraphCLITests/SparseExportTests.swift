import Foundation
import Testing

/// `compgraph render --sparsity` (the spy plot) and `compgraph emit c --hessian --sparse`,
/// both against the pattern and values `eval --hessian --sparse --json` prints.
@Suite struct SparseExportTests {
  /// Rosenbrock in (x, y), exp(x·z), sin(y) and a variable w that f is linear in (a column
  /// without nonzeros, which the C reads nowhere).
  static let expression = "100*(y - x^2)^2 + (1 - x)^2 + exp(x*z) + 3*w + sin(y)*z"

  /// The sparse Hessian as eval prints it at `point` (y, x, z, w: eval's variable order).
  static func evalHessian(at point: [Double]) throws -> (
    rows: [Int], cols: [Int], values: [Double], colors: Int
  ) {
    let run = try compgraph(
      arguments: ["eval", expression, "--hessian", "--sparse", "--json"]
        + zip(["y", "x", "z", "w"], point).flatMap { ["--at", "\($0)=\($1)"] })
    try #require(run.status == 0, "\(run.stderr)")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let h = try #require(object["hessian"] as? [String: Any])
    #expect(h["variables"] as? [String] == ["y", "x", "z", "w"])
    return (
      try #require(h["rows"] as? [Int]), try #require(h["cols"] as? [Int]),
      try #require(h["values"] as? [Double]), try #require(h["colors"] as? Int)
    )
  }

  /// The C file compiles under gcc's strict flags, its arrays are eval's pattern, and `h` and
  /// `h_batch` give eval's values at three points (1e-13 relative: the same operations,
  /// through libm and `Program`'s kernels).
  @Test func emittedCFillsEvalsNonzeros() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let emit = try compgraph(
      "emit", "c", Self.expression, "--hessian", "--sparse", "--name", "h", "-o",
      directory.appendingPathComponent("h.c").path)
    try #require(emit.status == 0, "\(emit.stderr)")
    let source = try String(contentsOf: directory.appendingPathComponent("h.c"), encoding: .utf8)
    #expect(source.hasPrefix("/* h: the 9 nonzeros of a 4×4 sparse Hessian"))
    // The pattern drawn in the header: a digit is the column's colour.
    let drawing = source.split(separator: "\n").drop { !$0.contains("The pattern") }.dropFirst()
      .prefix(4).map { String($0.dropFirst(5)) }
    #expect(
      drawing.map { $0.map { $0 == "." ? "." : "#" }.joined() } == ["###.", "###.", "###.", "...."])
    let driver = """
      #include <stdio.h>
      void h(const double *x, double *nz);
      void h_batch(size_t n, const double *const *x, double *const *nz);
      extern const int h_rows[], h_cols[], h_colptr[];
      int main(void) {
        double x[4], nz[h_NNZ_VALUE], column[4][1], out[h_NNZ_VALUE][1];
        const double *in[4];
        double *outs[h_NNZ_VALUE];
        for (int k = 0; k < h_NNZ_VALUE; k++) printf("%d %d\\n", h_rows[k], h_cols[k]);
        for (int j = 0; j <= 4; j++) printf("%d\\n", h_colptr[j]);
        while (scanf("%lf %lf %lf %lf", &x[0], &x[1], &x[2], &x[3]) == 4) {
          h(x, nz);
          for (int j = 0; j < 4; j++) { column[j][0] = x[j]; in[j] = column[j]; }
          for (int k = 0; k < h_NNZ_VALUE; k++) outs[k] = out[k];
          h_batch(1, in, outs);
          for (int k = 0; k < h_NNZ_VALUE; k++) printf("%.17g %.17g\\n", nz[k], out[k][0]);
        }
        return 0;
      }
      """.replacingOccurrences(of: "h_NNZ_VALUE", with: "9")
    try driver.write(
      to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    try Self.run(
      "gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c", "h.c",
      in: directory)
    try Self.run("gcc", "-o", "h", "h.o", "main.c", "-lm", in: directory)
    let points = [[0.3, -1.2, 0.7, 5], [2, 1, -0.5, 0], [-0.25, 0.125, 1.5, -3]]
    let output = try Self.run(
      "./h", in: directory,
      input: points.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n"))
    var lines = output.split(separator: "\n").map { $0.split(separator: " ") }[...]
    let eval = try Self.evalHessian(at: points[0])
    #expect(eval.rows.count == 9 && eval.colors == 3)
    #expect(
      lines.prefix(9).map { [Int($0[0])!, Int($0[1])!] }
        == zip(eval.rows, eval.cols).map { [$0, $1] })
    lines = lines.dropFirst(9)
    #expect(lines.prefix(5).map { Int($0[0])! } == [0, 3, 6, 9, 9])
    lines = lines.dropFirst(5)
    for point in points {
      let want = try Self.evalHessian(at: point).values
      for (k, line) in lines.prefix(9).enumerated() {
        let (value, batch) = (Double(line[0])!, Double(line[1])!)
        #expect(value == batch, "nz[\(k)]: h and h_batch differ")
        #expect(
          abs(value - want[k]) <= 1e-13 * max(1, abs(want[k])),
          "nz[\(k)] at \(point): C \(value), eval \(want[k])")
      }
      lines = lines.dropFirst(9)
    }
  }

  @Test func emitSparseRefusals() throws {
    let alone = try compgraph("emit", "c", "x^2", "--sparse")
    #expect(alone.status == 2 && alone.stderr.contains("--sparse goes with --hessian."))
    let linear = try compgraph("emit", "c", "2*x + y", "--hessian", "--sparse")
    #expect(
      linear
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: C export: the Hessian has no structural nonzero (every second derivative is zero for every input), so there is nothing to fill\n"
        ))
    let tensor = try compgraph("emit", "c", "sum(v*v)", "--var", "v=3", "--hessian", "--sparse")
    #expect(
      tensor.status == 1
        && tensor.stderr.contains("takes scalar variables (x[j] is column j), and 'v' is not"))
  }

  /// The spy plot draws one square per nonzero of eval's pattern, filled with the colour of
  /// its column; columns sharing a colour never meet in a row (a valid colouring), and the
  /// legend counts eval's colours.
  @Test func spyPlotDrawsEvalsPattern() throws {
    let run = try compgraph("render", Self.expression, "--sparsity")
    try #require(run.status == 0, "\(run.stderr)")
    let svg = run.stdout
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>\n"))
    let squares = try Regex(
      #"<rect class="nz"[^>]* fill="(#[0-9a-f]{6})"><title>\((\d+), (\d+)\), colour (\d+)</title>"#)
    var entries: [[Int]] = [], colourOf: [Int: Int] = [:], fillOf: [Int: String] = [:]
    for match in svg.matches(of: squares) {
      let (r, c, colour) = (
        Int(match.output[2].substring!)!, Int(match.output[3].substring!)!,
        Int(match.output[4].substring!)!
      )
      entries.append([r, c])
      #expect(colourOf[c, default: colour] == colour, "column \(c) has one colour")
      colourOf[c] = colour
      #expect(
        fillOf[colour, default: String(match.output[1].substring!)]
          == String(match.output[1].substring!))
      fillOf[colour] = String(match.output[1].substring!)
    }
    let eval = try Self.evalHessian(at: [1, 2, 3, 4])
    #expect(Set(entries) == Set(zip(eval.rows, eval.cols).map { [$0, $1] }))
    #expect(entries.count == eval.rows.count)
    for row in Set(eval.rows) {
      let columns = zip(eval.rows, eval.cols).filter { $0.0 == row }.map(\.1)
      #expect(Set(columns.map { colourOf[$0]! }).count == columns.count, "row \(row)")
    }
    #expect(svg.matches(of: try Regex(#"<rect class="legend""#)).count == eval.colors)
    #expect(svg.contains(">4×4, 9 nonzeros, 3 colours (largest row 3)</text>"))
    // The labels are the variables.
    for name in ["y", "x", "z", "w"] { #expect(svg.contains("text-anchor=\"end\">\(name)</text>")) }
  }

  /// As text, and binned past 300 squares (SVG) or 100 characters (text) a side: the diagonal
  /// Hessian of Σ exp(vᵢ) over 500 elements is 250 squares and a 100-character diagonal.
  @Test func spyPlotTextAndBinning() throws {
    let text = try compgraph("render", "x*y + exp(z)", "--sparsity", "--format", "text")
    #expect(
      text
        == Run(
          status: 0,
          stdout:
            "Hessian of f, star colouring: 3×3, 3 nonzeros, 2 colours (largest row 1)\n.1.\n0..\n..0\n",
          stderr: ""))
    let big = try compgraph("render", "sum(exp(v))", "--var", "v=500", "--sparsity")
    try #require(big.status == 0, "\(big.stderr)")
    #expect(big.stdout.matches(of: try Regex(#"<rect class="nz""#)).count == 250)
    #expect(big.stdout.contains("one square per 2×2 block"))
    let bigText = try compgraph(
      "render", "sum(exp(v))", "--var", "v=500", "--sparsity", "--format", "text")
    let rows = bigText.stdout.split(separator: "\n").dropFirst()
    #expect(rows.count == 100)
    #expect(
      rows.enumerated().allSatisfy { i, row in
        row == String(repeating: ".", count: i) + "0" + String(repeating: ".", count: 99 - i)
      })
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("spy.png").path
    let png = try compgraph("render", "x*y", "--sparsity", "-o", path)
    #expect(png.status == 2 && png.stderr.contains("--sparsity draws svg or text, not png"))
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  /// Runs `arguments` through /usr/bin/env in `directory`; requires it to succeed.
  @discardableResult
  static func run(_ arguments: String..., in directory: URL, input: String = "") throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(
      process.terminationStatus == 0,
      "\(arguments.joined(separator: " ")): \(String(decoding: err, as: UTF8.self))")
    return String(decoding: out, as: UTF8.self)
  }
}
