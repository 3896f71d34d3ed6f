import Foundation
import Testing

/// `compgraph emit c`: its refusals, and a tensor graph's file compiled and run (the C itself is
/// compiled and run against `Program` by `CExportTests` and `CTensorExportTests`).
@Suite struct EmitCommandTests {
  /// A tensor graph is written as loops over flat arrays: `emit c` of the README's model.cg
  /// with --hessian compiles with gcc under the strict flags, and at W = [[1,2],[3,4],[5,6]],
  /// x = (1, −2) it gives the loss, ∂loss/∂W and the 3×2×3×2 ∂²loss/∂W² (out[7..42]) that
  /// `eval --derivative W,W` prints; `grad --format c` writes the loops as statements. (It was
  /// "C code covers scalar graphs".)
  @Test func tensorGraphsAreWrittenAsLoops() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try TensorOrderCommandTests.model.write(
      to: directory.appendingPathComponent("model.cg"), atomically: true, encoding: .utf8)
    let driver = """
      #include <stdio.h>
      void f(const double *in, double *out);
      int main(void) {
        const double in[8] = {1, 2, 3, 4, 5, 6, 1, -2};
        double out[43];
        f(in, out);
        for (int j = 0; j < 43; j++) printf("%.17g\\n", out[j]);
        return 0;
      }

      """
    try driver.write(
      to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    let run = try shell(
      """
      set -e
      "$CG" emit c -f model.cg --grad W --hessian -o f.c
      gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -o f f.c main.c -lm
      ./f
      """, in: directory)
    #expect(run.status == 0 && run.stderr == "", "\(run.stderr)")
    let values = run.stdout.split(separator: "\n").compactMap { Double($0) }
    let source = try String(
      contentsOf: directory.appendingPathComponent("f.c"), encoding: .utf8)
    #expect(source.contains(" *   out[7..42]  ∂²loss/∂W²  3x2x3x2\n"), "\(source)")
    let eval = try TensorOrderCommandTests.json(
      ["eval", "-f", "-"] + TensorOrderCommandTests.at + ["--derivative", "W,W"])
    let hessian = TensorOrderCommandTests.flat((eval["derivatives"] as? [String: Any])?["W,W"])
    #expect(values.count == 43 && hessian == TensorOrderCommandTests.closedForm)
    #expect(Array(values.dropFirst(7)) == hessian)
    // loss = ½|W·x|², W·x = (−3, −5, −7).
    #expect(values.first == 41.5)
    let statements = try compgraph(
      "grad", "sum(A * A)", "--var", "A=2x3", "--wrt", "A", "--format", "c")
    #expect(statements.status == 0, "\(statements.stderr)")
    #expect(
      statements.stdout.contains("/* out[0..5] ∂f/∂A 2x3 */")
        && statements.stdout.contains("for (size_t i0 = 0; i0 < 2; i0++)"), "\(statements.stdout)")
  }

  /// `--grad VARS --order N` writes every derivative up to order N, as `export` does: f =
  /// x³y + sin y at order 3, compiled with gcc under the strict flags, gives each partial's
  /// closed form at (2, 3), found by the name the header comment gives it. `--order` without
  /// `--grad`, or beside a `--hessian` that contradicts it, says what to give instead (it was
  /// "Give either an expression or -f FILE, not both", exit 2).
  @Test func ordersPastTwo() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let driver = """
      #include <stdio.h>
      void f(const double *in, double *out);
      int main(void) {
        const double in[2] = {2, 3};
        double out[10];
        f(in, out);
        for (int j = 0; j < 10; j++) printf("%.17g\\n", out[j]);
        return 0;
      }

      """
    try driver.write(
      to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    let run = try shell(
      """
      set -e
      "$CG" emit c "x^3*y + sin(y)" --grad x,y --order 3 -o f.c
      gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -o f f.c main.c -lm
      ./f
      """, in: directory)
    #expect(run.status == 0 && run.stderr == "", "\(run.stderr)")
    let values = run.stdout.split(separator: "\n").compactMap { Double($0) }
    let source = try String(contentsOf: directory.appendingPathComponent("f.c"), encoding: .utf8)
    // The header's " *   j  name" lines, in output order.
    let names = source.split(separator: "\n").compactMap { line -> String? in
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count == 3, fields[0] == "*", Int(fields[1]) != nil else { return nil }
      return String(fields[2])
    }.dropFirst(2)  // the inputs x and y
    let (x, y) = (2.0, 3.0)
    let expected: [String: Double] = [
      "f": x * x * x * y + sin(y), "∂f/∂x": 3 * x * x * y, "∂f/∂y": x * x * x + cos(y),
      "∂²f/∂x²": 6 * x * y, "∂²f/∂x∂y": 3 * x * x, "∂²f/∂y²": -sin(y), "∂³f/∂x³": 6 * y,
      "∂³f/∂x²∂y": 6 * x, "∂³f/∂x∂y²": 0, "∂³f/∂y³": -cos(y),
    ]
    #expect(Set(names) == Set(expected.keys) && values.count == 10, "\(names) \(values)")
    for (name, value) in zip(names, values) {
      let e = expected[name]!
      #expect(abs(value - e) <= 1e-14 * max(1, abs(e)), "\(name) = \(value), not \(e)")
    }
    let withoutGrad = try compgraph("emit", "c", "x^3*y", "--order", "2")
    #expect(withoutGrad.status != 0 && withoutGrad.stdout == "")
    #expect(
      withoutGrad.stderr.contains(
        "--order needs --grad VARS (--hessian alone writes every variable's second derivatives)."),
      "\(withoutGrad.stderr)")
    let both = try compgraph("emit", "c", "x^3*y", "--grad", "x", "--hessian", "--order", "3")
    #expect(both.status != 0 && both.stderr.contains("--hessian is --order 2"), "\(both.stderr)")
    let hessian = try compgraph("emit", "c", "x^3*y", "--grad", "x", "--hessian", "--order", "2")
    #expect(hessian == (try compgraph("emit", "c", "x^3*y", "--grad", "x", "--hessian")))
  }

  /// A function name that the file's own helpers or libm already use is refused.
  @Test func namesTheFileUsesAreRefused() throws {
    for name in ["reduce", "fma", "while"] {
      #expect(
        try compgraph("emit", "c", "x * 2", "--name", name)
          == Run(
            status: 1, stdout: "",
            stderr:
              "compgraph: error: C export: '\(name)' cannot name a C function: use letters, digits and '_', not starting with a digit, and not a name C reserves (a keyword, a name <math.h>, <stddef.h>, <stdint.h>, <stdlib.h> or <string.h> declares, errno, or one beginning with '__' or '_' and a capital) nor a helper the file defines (exp_inline, reduce, …)\n"
          ))
    }
  }
}
