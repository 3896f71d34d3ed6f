/// The subset of ONNX's messages (`onnx/onnx.proto`, field numbers as there) that an exported
/// CompGraph model uses: one graph of float64 and float32 tensors with static shapes, its nodes
/// with integer, integer-list and string attributes, and float64/float32/int64 initializers.
enum ONNX {
  /// `TensorProto.DataType`.
  enum ElementType: Int {
    case float = 1
    case int64 = 7
    case double = 11

    /// The type of `dtype`'s tensors.
    init(_ dtype: DType) {
      switch dtype {
      case .f32: self = .float
      case .f64: self = .double
      }
    }
  }

  /// `ModelProto`: `ir_version` 1, `producer_name` 2, `graph` 7, `opset_import` 8.
  struct Model {
    var irVersion: Int
    var opset: Int
    var producer: String
    var graph: Graph

    func encoded() -> [UInt8] {
      var w = ProtobufWriter()
      w.int(1, irVersion)
      w.string(2, producer)
      w.message(7, graph.encode)
      // OperatorSetIdProto: domain 1 (the default domain is ""), version 2.
      w.message(8) { $0.int(2, opset) }
      return w.bytes
    }
  }

  /// `GraphProto`: `node` 1, `name` 2, `initializer` 5, `input` 11, `output` 12.
  struct Graph {
    var name: String
    var nodes: [Node] = []
    var initializers: [Tensor] = []
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []

    func encode(into w: inout ProtobufWriter) {
      for node in nodes { w.message(1, node.encode) }
      w.string(2, name)
      for tensor in initializers { w.message(5, tensor.encode) }
      for input in inputs { w.message(11, input.encode) }
      for output in outputs { w.message(12, output.encode) }
    }
  }

  /// `NodeProto`: `input` 1, `output` 2, `op_type` 4, `attribute` 5.
  struct Node {
    var opType: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [Attribute] = []

    func encode(into w: inout ProtobufWriter) {
      for input in inputs { w.string(1, input) }
      for output in outputs { w.string(2, output) }
      w.string(4, opType)
      for attribute in attributes { w.message(5, attribute.encode) }
    }
  }

  /// `AttributeProto`: `name` 1, `i` 3, `s` 4, `ints` 8, `type` 20 (`INT` 2, `STRING` 3,
  /// `INTS` 7).
  struct Attribute {
    enum Value {
      case int(Int)
      case string(String)
      case ints([Int])
    }
    var name: String
    var value: Value

    func encode(into w: inout ProtobufWriter) {
      w.string(1, name)
      switch value {
      case .int(let i):
        w.int(3, i)
        w.int(20, 2)
      case .string(let s):
        w.string(4, s)
        w.int(20, 3)
      case .ints(let list):
        for i in list { w.int(8, i) }
        w.int(20, 7)
      }
    }
  }

  /// `TensorProto`: `dims` 1, `data_type` 2, `name` 8, `raw_data` 9 (little-endian elements).
  struct Tensor {
    var name: String
    var dims: [Int]
    var elementType: ElementType
    var raw: [UInt8]

    /// `values` as float64 or (each rounded to nearest) float32 elements.
    static func reals(_ name: String, dims: [Int], _ values: [Double], _ dtype: DType) -> Tensor {
      switch dtype {
      case .f64:
        Tensor(
          name: name, dims: dims, elementType: .double,
          raw: values.flatMap { littleEndianBytes($0.bitPattern) })
      case .f32:
        Tensor(
          name: name, dims: dims, elementType: .float,
          raw: values.flatMap { littleEndianBytes(UInt64(Float($0).bitPattern), count: 4) })
      }
    }

    static func int64s(_ name: String, _ values: [Int]) -> Tensor {
      Tensor(
        name: name, dims: [values.count], elementType: .int64,
        raw: values.flatMap { littleEndianBytes(UInt64(bitPattern: Int64($0))) })
    }

    func encode(into w: inout ProtobufWriter) {
      for d in dims { w.int(1, d) }
      w.int(2, elementType.rawValue)
      w.string(8, name)
      w.bytes(9, raw)
    }
  }

  /// `ValueInfoProto` of a float64 or float32 tensor: `name` 1, `type` 2 →
  /// `TypeProto.tensor_type` 1 → (`elem_type` 1, `shape` 2 → `dim` 1 → `dim_value` 1).
  struct ValueInfo {
    var name: String
    var shape: [Int]
    var elementType: ElementType

    func encode(into w: inout ProtobufWriter) {
      w.string(1, name)
      w.message(2) { type in
        type.message(1) { tensor in
          tensor.int(1, self.elementType.rawValue)
          tensor.message(2) { shape in
            for extent in self.shape { shape.message(1) { $0.int(1, extent) } }
          }
        }
      }
    }
  }
}

/// The low `count` bytes of `value`, least significant first.
private func littleEndianBytes(_ value: UInt64, count: Int = 8) -> [UInt8] {
  (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}
