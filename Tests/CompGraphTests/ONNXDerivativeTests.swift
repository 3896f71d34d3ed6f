import Foundation
import Testing

@testable import CompGraph

/// Derivatives of imported models, checked by the real engine: the gradient of the sum of a
/// model's output with respect to its input and to every parameter, exported to ONNX, passes
/// `onnx.checker` (full check), runs in onnxruntime, and agrees with central finite differences
/// of the original model in onnxruntime along a random direction per variable — in float64 where
/// onnxruntime has float64 kernels for the model's ops (tolerance 1e-4), else in float32
/// (2e-2), relative to |g|·|v| + |fd| (`Tests/Python/onnx_gradient_check.py`).
@Suite struct ONNXDerivativeTests {
  /// `pytorch-converted` models (PyTorch modules exported by PyTorch's own exporter).
  static let models = [
    "test_Linear", "test_SELU", "test_BatchNorm2d_eval", "test_ELU", "test_GLU",
    "test_LogSoftmax", "test_PixelShuffle", "test_ReflectionPad2d", "test_Softplus",
    "test_Embedding",
  ]

  /// Writes the gradient model of `directory/model.onnx` into `out`; returns the check's entry.
  static func gradientEntry(model directory: URL, out: URL) throws -> [String: Any] {
    let original = directory.appendingPathComponent("model.onnx")
    let imported = try importONNX(Data(contentsOf: original), parametersAsVariables: true)
    let output = imported.program.outputs[0].expr
    let builder = output.builder
    let f = output.sum()
    var wrt: [(String, Expr)] = []
    for input in imported.inputs {
      let isReal = try ONNXProto.Model([UInt8](Data(contentsOf: original))).graph?.inputs
        .first { $0.name == input.name }?.elementType.flatMap(ONNXElementType.init)?.isReal
      if isReal == true {
        wrt.append((input.name, try builder.variable(input.name, input.shape, dtype: input.dtype)))
      }
    }
    for parameter in imported.parameters {
      wrt.append(
        (
          parameter.name,
          try builder.variable(
            parameter.name, parameter.tensor.shape, dtype: parameter.tensor.dtype)
        ))
    }
    let grads = try gradient(of: f, wrt: wrt.map(\.1))
    let graph = try grads[0].graph(names: wrt.map { "d/\($0.0)" }, with: Array(grads.dropFirst()))
    try Data(try graph.onnxModel()).write(to: out)
    var inputs: [String: String] = [:]
    for (k, name) in imported.modelInputs.enumerated() {
      inputs[name] = directory.appendingPathComponent("test_data_set_0/input_\(k).pb").path
    }
    return ["original": original.path, "gradient": out.path, "inputs": inputs, "wrt": wrt.map(\.0)]
  }

  static func check(_ entries: [[String: Any]]) throws -> [[String: Any]] {
    let input = String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self)
    let output = try PythonPeer.run("onnx_gradient_check.py", input: input)
    return try #require(
      try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
  }

  @Test(.enabled(if: PythonPeer.shouldRun)) func pytorchConvertedGradients() throws {
    let data = try #require(ONNXBackendDataTests.dataDirectory).appendingPathComponent(
      "pytorch-converted")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-onnx-grad-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let entries = try Self.models.map { name in
      try Self.gradientEntry(
        model: data.appendingPathComponent(name),
        out: directory.appendingPathComponent("\(name).onnx"))
    }
    let results = try Self.check(entries)
    #expect(results.count == Self.models.count)
    for (name, result) in zip(Self.models, results) {
      let errors = result["errors"] as? [String] ?? ["no result"]
      #expect(errors.isEmpty, "\(name): \(errors)")
      #expect((result["checked"] as? [String])?.isEmpty == false, "\(name) checked nothing")
    }
  }
}
