/// Why an ONNX model (or an ONNX tensor file) could not be imported. Each message says what is
/// wrong, where (the message, node or tensor), and, where there is one, how to get past it.
public enum ONNXImportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The bytes are not a well-formed protobuf message of ONNX's schema: truncated, a length past
  /// the end, a wire type that does not fit its field.
  case malformed(String)
  /// The model is well-formed but not a valid ONNX graph: a value used before it is made or never
  /// made, a cycle, a shape that does not fit an op.
  case invalidModel(String)
  /// The model uses something the importer does not read: an op (`op`, with its node, domain
  /// and opset), an element type, an attribute form.
  case unsupported(op: String?, message: String)
  /// The model is larger than the limits it was imported with (`ONNXImportLimits`).
  case tooLarge(String)

  public var description: String {
    switch self {
    case .malformed(let message): "malformed ONNX file: \(message)"
    case .invalidModel(let message): "invalid ONNX model: \(message)"
    case .unsupported(_, let message), .tooLarge(let message): message
    }
  }

  /// The op an `unsupported` refusal names, if it names one.
  public var refusedOp: String? {
    if case .unsupported(let op, _) = self { return op }
    return nil
  }
}

/// The limits an import checks before it reads: how many ONNX nodes the graph may have, and how
/// many bytes its tensors may hold once read as values (8 bytes an element). The CLI passes its
/// `--node-budget` and `--max-memory`.
public struct ONNXImportLimits: Sendable {
  public var maxNodes: Int
  public var maxBytes: Int

  public init(maxNodes: Int = 2_000_000, maxBytes: Int = 2 << 30) {
    self.maxNodes = maxNodes
    self.maxBytes = maxBytes
  }
}
