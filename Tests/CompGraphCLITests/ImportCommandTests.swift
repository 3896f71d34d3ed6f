import Foundation
import Testing

@testable import CompGraph

/// `compgraph import` and `--onnx` on the other commands: a model exported by `compgraph export`
/// reads back to the same values and derivatives as its `.cg` source, inputs come from `.pb` and
/// `.npy` files, ONNX's value names (`gpu_0/data_0`) bind with `--at`, and bad files are errors.
@Suite struct ImportCommandTests {
  static let source = "var W: 2x3, x: 3\nout y = sum(tanh(matmul(W, x)))\n"

  /// A directory holding `model.cg` and its export `model.onnx`.
  static func exported() throws -> URL {
    let directory = try temporaryDirectory()
    let cg = directory.appendingPathComponent("model.cg")
    try source.write(to: cg, atomically: true, encoding: .utf8)
    let run = try compgraph(
      "export", "-f", cg.path, "--no-stabilize", "-o",
      directory.appendingPathComponent("model.onnx").path)
    #expect(run == Run(status: 0, stdout: "", stderr: ""))
    return directory
  }

  @Test func summary() throws {
    let directory = try Self.exported()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = directory.appendingPathComponent("model.onnx").path
    let run = try compgraph("import", model)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(
      run.stdout.hasPrefix(
        """
        model: \(model) (opset 21)
        inputs:
          W: 2x3 f64
          x: 3 f64
        outputs:
          y: scalar f64
        ops (5 nodes): Einsum 1, Identity 1, ReduceSum 1, Reshape 1, Tanh 1
        parameters: 0 tensors, 0 values, constants
        graph:
        """))
  }

  /// `eval` and `grad` of the model read with `--onnx` print what they print for its source.
  @Test func evalAndGradAgreeWithTheSource() throws {
    let directory = try Self.exported()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = directory.appendingPathComponent("model.onnx").path
    let cg = directory.appendingPathComponent("model.cg").path
    let at = ["--at", "W=[[0.1,0.2,0.3],[-0.4,0.5,0.6]]", "--at", "x=1,-2,0.5", "--grad", "--json"]
    let fromModel = try compgraph(arguments: ["eval", "--onnx", model] + at)
    let fromSource = try compgraph(arguments: ["eval", "-f", cg] + at)
    #expect(fromModel.status == 0, "\(fromModel.stderr)")
    #expect(fromModel == fromSource)
    let grad = try compgraph("grad", "--onnx", model, "--wrt", "x", "--order", "2")
    #expect(grad.status == 0, "\(grad.stderr)")
    #expect(grad.stdout.contains("∂y/∂x = ") && grad.stdout.contains("∂²y/∂x² = "))
  }

  /// ONNX names that are not identifiers bind with `--at`, from `.pb` and `.npy` files.
  @Test func tensorFilesAndModelNames() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var graph = ONNX.Graph(name: "names")
    graph.nodes = [ONNX.Node(opType: "Relu", inputs: ["gpu_0/data_0"], outputs: ["gpu_0/out"])]
    graph.inputs = [ONNX.ValueInfo(name: "gpu_0/data_0", shape: [1, 3], elementType: .float)]
    graph.outputs = [ONNX.ValueInfo(name: "gpu_0/out", shape: [1, 3], elementType: .float)]
    let model = directory.appendingPathComponent("m.onnx")
    try Data(ONNX.Model(irVersion: 8, opset: 13, producer: "test", graph: graph).encoded()).write(
      to: model)
    var tensor = ProtobufWriter()
    ONNX.Tensor.reals("x", dims: [1, 3], [-1.5, 0.25, 2], .f32).encode(into: &tensor)
    let pb = directory.appendingPathComponent("input_0.pb")
    try Data(tensor.bytes).write(to: pb)
    let run = try compgraph("eval", "--onnx", model.path, "--at", "gpu_0/data_0=@\(pb.path)")
    #expect(run == Run(status: 0, stdout: "gpu_0/out = [[0, 0.25, 2]]\n", stderr: ""))
    var npy: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    npy += [UInt8(header.utf8.count), 0] + Array(header.utf8)
    for v in [3.0, -4, 0.5] { npy += withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
    let npyFile = directory.appendingPathComponent("x.npy")
    try Data(npy).write(to: npyFile)
    let fromNumPy = try compgraph(
      "eval", "--onnx", model.path, "--at", "gpu_0/data_0=@\(npyFile.path)")
    #expect(fromNumPy == Run(status: 0, stdout: "gpu_0/out = [[3, 0, 0.5]]\n", stderr: ""))
  }

  @Test func errors() throws {
    let directory = try Self.exported()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = directory.appendingPathComponent("model.onnx")
    let truncated = directory.appendingPathComponent("cut.onnx")
    let bytes = try Data(contentsOf: model)
    try bytes.prefix(bytes.count / 2).write(to: truncated)
    let run = try compgraph("import", truncated.path)
    #expect(run.status == 1)
    #expect(run.stderr.hasPrefix("compgraph: error: '\(truncated.path)': malformed ONNX file: "))
    #expect(try compgraph("eval", "x", "--params-as-variables").status == 2)
    #expect(try compgraph("eval", "x", "--onnx", model.path).status == 2)
    let missing = try compgraph("eval", "--onnx", model.path, "--at", "x=1,2,3")
    #expect(
      missing
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: variable 'W' has no value; bind it with --at W=@values.csv or a "
            + "nested array, as its shape 2x3 needs (6 value(s))\n"))
    let notTensor = directory.appendingPathComponent("x.pb")
    try Data([0x08]).write(to: notTensor)
    let bad = try compgraph("eval", "--onnx", model.path, "--at", "x=@\(notTensor.path)")
    #expect(bad.status == 1)
    #expect(
      bad.stderr.hasPrefix(
        "compgraph: error: --at x: '\(notTensor.path)': malformed ONNX file: TensorProto: a varint at byte 1 runs past the end"
      ))
  }
}
