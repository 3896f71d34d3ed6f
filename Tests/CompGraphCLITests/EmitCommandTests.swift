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
