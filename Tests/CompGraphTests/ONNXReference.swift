import Foundation
import Testing

@testable import CompGraph

/// Single ONNX operators run by ONNX's reference evaluator (or onnxruntime) through
/// `Tests/Python/onnx_reference_ops.py`: what the library's layer functions are checked against,
/// so that they mean what ONNX's operators of the same name mean.
struct ONNXCall {
  let op: String
  var attributes: [String: Any] = [:]
  /// Each input as float64 values, int64 values (`.ints`), or omitted (`nil`).
  var inputs: [ONNXInput?]
  var outputs = 1
  var opset = 21
  /// `"onnxruntime"` to run it there (in float32) instead of the reference evaluator.
  var engine: String? = nil

  /// Every call's outputs, in one run of the script.
  static func run(_ calls: [ONNXCall]) throws -> [[Tensor]] {
    let request = calls.map { call -> [String: Any] in
      var entry: [String: Any] = [
        "op": call.op, "outputs": call.outputs,
        // JSON writes 1.0 as 1: a Double is marked, so the script makes it a float attribute.
        "attributes": call.attributes.mapValues { value -> Any in
          value is Double ? ["float": value] : value
        },
        "opset": call.opset,
        "inputs": call.inputs.map { input -> Any in input?.json ?? NSNull() },
      ]
      if let engine = call.engine { entry["engine"] = engine }
      return entry
    }
    let input = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    let output = try PythonPeer.run("onnx_reference_ops.py", input: input)
    let json = try JSONSerialization.jsonObject(with: Data(output.utf8))
    let decoded = try #require(json as? [[[String: Any]]])
    return try decoded.map { outputs in
      try outputs.map { entry in
        let shape = try #require(entry["shape"] as? [Int])
        let values = try #require(entry["values"] as? [Any]).map { value -> Double in
          if let number = value as? Double { return number }
          return Double(value as? String ?? "") ?? .nan
        }
        return Tensor(shape: shape, scalars: values)
      }
    }
  }
}

enum ONNXInput {
  case float(Tensor)
  case ints([Int])

  var json: [String: Any] {
    switch self {
    case .float(let t):
      ["shape": t.shape, "values": t.scalars.map { $0.isFinite ? $0 as Any : "\($0)" as Any }]
    case .ints(let values): ["shape": [values.count], "values": values, "dtype": "int64"]
    }
  }
}
