import Foundation
import Testing

/// `compgraph emit c`'s refusals (the C itself is compiled and run against `Program` by
/// `CExportTests`).
@Suite struct EmitCommandTests {
  /// C code covers scalar graphs: a tensor graph gets an error that names the first tensor
  /// node and its shape and points to ONNX, exit status 1, and no file.
  @Test func tensorGraphsAreRefusedWithTheWayOut() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("f.c").path
    let refusal =
      "compgraph: error: C export: node %0 (A) has shape 2x3; C code covers scalar graphs — export tensor graphs with `compgraph export` (ONNX)\n"
    #expect(
      try compgraph("emit", "c", "sum(A * A) + x", "--var", "A=2x3", "-o", path)
        == Run(status: 1, stdout: "", stderr: refusal))
    #expect(
      try compgraph("emit", "c", "sum(A * A)", "--var", "A=2x3", "--grad", "A", "-o", path)
        == Run(status: 1, stdout: "", stderr: refusal))
    #expect(
      try compgraph("grad", "sum(A * A)", "--var", "A=2x3", "--wrt", "A", "--format", "c")
        == Run(status: 1, stdout: "", stderr: refusal))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
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
