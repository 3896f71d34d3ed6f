import Foundation
import Testing

/// `compgraph export`'s files and errors (the models themselves are run in onnxruntime by
/// `ONNXExportTests`).
@Suite struct ExportCommandTests {
  @Test func writesAModelAtomically() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("m.onnx").path
    #expect(
      try compgraph("export", "x * y", "--grad", "x", "-o", path)
        == Run(status: 0, stdout: "", stderr: ""))
    let bytes = try #require(FileManager.default.contents(atPath: path))
    // ModelProto field 1 (ir_version) = 10, then field 2 (producer_name) = "compgraph".
    #expect(Array(bytes.prefix(4)) == [0x08, 10, 0x12, 9])
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["m.onnx"])
  }

  @Test func errors() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("m.onnx").path
    #expect(
      try compgraph("export", "x * y", "--grad", "z", "-o", path)
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: cannot differentiate with respect to 'z': the expression has no variable of that name (its variables are 'x', 'y')\n"
        ))
    #expect(
      try compgraph("export", "-", "-o", path, input: "out x = x * 2\n")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: ONNX export: output 'x' has the name of an input variable; ONNX names every value once, so rename the output\n"
        ))
    let missing = try compgraph("export", "x * y")
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("Missing expected argument '--output <output>'"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }
}
