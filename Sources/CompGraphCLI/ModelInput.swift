import CompGraph
import Foundation

/// Reading an ONNX model (`--onnx`, `compgraph import`) and ONNX or NumPy tensor files
/// (`--at x=@input_0.pb`), with the CLI's limits: the file within `--max-input`, the model's
/// nodes within the node budget and its tensors within the memory budget, checked before they
/// are read.
enum ModelInput {
  /// The model at `path`, imported; its errors are `UserError`s naming the file.
  static func importModel(
    _ path: String, parametersAsVariables: Bool, inputShapes: [String: Shape], maxInput: ByteCount,
    limits: ONNXImportLimits = ONNXImportLimits(
      maxNodes: NodeBudget.defaultLimit, maxBytes: Int(MemoryBudget.defaultLimit.bytes))
  ) throws -> ONNXImport {
    let data = try BoundedInput.read(path, name: "'\(path)'", limit: maxInput)
    do {
      return try importONNX(
        data, parametersAsVariables: parametersAsVariables, inputShapes: inputShapes,
        limits: limits)
    } catch {
      throw UserError("'\(path)': \(error)")
    }
  }

  /// Whether `path` names a tensor file this reads (`.pb`, `.npy`).
  static func isTensorFile(_ path: String) -> Bool {
    let lower = path.lowercased()
    return lower.hasSuffix(".pb") || lower.hasSuffix(".npy")
  }

  /// The tensor in the `.pb` or `.npy` file at `path`, for `option`'s binding of `name`.
  static func tensor(_ path: String, option: String, name: String, limit: ByteCount) throws
    -> Tensor
  {
    let data = try BoundedInput.read(
      path, name: "'\(path)'", context: "\(option) \(name): ", limit: limit)
    do {
      return try ONNXTensorFile.read(
        data, pathExtension: (path as NSString).pathExtension,
        maxBytes: Int(MemoryBudget.defaultLimit.bytes))
    } catch {
      throw UserError("\(option) \(name): '\(path)': \(error)")
    }
  }
}
