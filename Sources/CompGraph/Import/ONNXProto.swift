/// The ONNX messages the importer reads (`onnx/onnx.proto`, field numbers as there), decoded
/// from the wire by `ProtobufReader`. Fields the importer has no use for (doc strings, metadata,
/// value_info, training info, functions) are skipped; a tensor's data stays a byte range in the
/// file until the importer has checked its size (`TensorProto.values`).
enum ONNXProto {
  /// `ModelProto`: `ir_version` 1, `graph` 7, `opset_import` 8 (`OperatorSetIdProto`: `domain`
  /// 1, `version` 2).
  struct Model {
    var irVersion = 0
    /// The opset of each domain ("" and "ai.onnx" are the default domain).
    var opsets: [String: Int] = [:]
    var graph: Graph?

    init(_ bytes: [UInt8]) throws(ONNXImportError) {
      var r = ProtobufReader(bytes, context: "ModelProto")
      while let (field, value) = try r.next() {
        switch field {
        case 1: irVersion = try r.int(value, field: "ir_version")
        case 7: graph = try Graph(r.nested(r.range(value, field: "graph"), context: "GraphProto"))
        case 8:
          var set = r.nested(
            try r.range(value, field: "opset_import"), context: "OperatorSetIdProto")
          var domain = "", version = 0
          while let (field, value) = try set.next() {
            switch field {
            case 1: domain = try set.string(value, field: "domain")
            case 2: version = try set.int(value, field: "version")
            default: break
            }
          }
          opsets[domain == "ai.onnx" ? "" : domain] = version
        default: break
        }
      }
    }
  }

  /// `GraphProto`: `node` 1, `name` 2, `initializer` 5, `sparse_initializer` 15, `input` 11,
  /// `output` 12.
  struct Graph {
    var name = ""
    var nodes: [Node] = []
    var initializers: [TensorProto] = []
    var sparseInitializers = 0
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []

    init(_ reader: ProtobufReader) throws(ONNXImportError) {
      var r = reader
      while let (field, value) = try r.next() {
        switch field {
        case 1:
          let range = try r.range(value, field: "node")
          nodes.append(try Node(r.nested(range, context: "NodeProto \(nodes.count)")))
        case 2: name = try r.string(value, field: "name")
        case 5:
          let range = try r.range(value, field: "initializer")
          initializers.append(
            try TensorProto(r.nested(range, context: "initializer \(initializers.count)")))
        case 15: sparseInitializers += 1
        case 11:
          let range = try r.range(value, field: "input")
          inputs.append(try ValueInfo(r.nested(range, context: "graph input \(inputs.count)")))
        case 12:
          let range = try r.range(value, field: "output")
          outputs.append(try ValueInfo(r.nested(range, context: "graph output \(outputs.count)")))
        default: break
        }
      }
    }
  }

  /// `NodeProto`: `input` 1, `output` 2, `name` 3, `op_type` 4, `attribute` 5, `domain` 7.
  struct Node {
    var name = ""
    var opType = ""
    var domain = ""
    var inputs: [String] = []
    var outputs: [String] = []
    var attributes: [Attribute] = []

    init(_ reader: ProtobufReader) throws(ONNXImportError) {
      var r = reader
      while let (field, value) = try r.next() {
        switch field {
        case 1: inputs.append(try r.string(value, field: "input"))
        case 2: outputs.append(try r.string(value, field: "output"))
        case 3: name = try r.string(value, field: "name")
        case 4: opType = try r.string(value, field: "op_type")
        case 5:
          let range = try r.range(value, field: "attribute")
          attributes.append(try Attribute(r.nested(range, context: "\(r.context) attribute")))
        case 7: domain = try r.string(value, field: "domain")
        default: break
        }
      }
      if domain == "ai.onnx" { domain = "" }
    }
  }

  /// `AttributeProto`: `name` 1, `f` 2, `i` 3, `s` 4, `t` 5, `g` 6, `floats` 7, `ints` 8,
  /// `strings` 9, `tensors` 10, `graphs` 11, `type` 20. Models written before `type` existed
  /// leave it 0; the value is then whichever field is set, as the spec allows.
  struct Attribute {
    enum Value {
      case float(Float)
      case int(Int)
      case string(String)
      case tensor(TensorProto)
      case floats([Float])
      case ints([Int])
      case strings([String])
      /// A graph, tensors, graphs, sparse tensors or type protos: no op the importer reads takes
      /// one, so it is kept by kind only, for the message that refuses it.
      case other(String)
    }

    var name = ""
    var value: Value?

    init(_ reader: ProtobufReader) throws(ONNXImportError) {
      var r = reader
      var declared = 0
      var floats: [Float] = [], ints: [Int] = [], strings: [String] = []
      var single: Value?
      var other: String?
      while let (field, value) = try r.next() {
        switch field {
        case 1: name = try r.string(value, field: "name")
        case 2: single = .float(try r.float(value, field: "f"))
        case 3: single = .int(try r.int(value, field: "i"))
        case 4: single = .string(try r.string(value, field: "s"))
        case 5:
          let range = try r.range(value, field: "t")
          single = .tensor(try TensorProto(r.nested(range, context: "\(r.context) '\(name)'")))
        case 6: other = "a graph"
        case 7: floats += try r.floats(value, field: "floats")
        case 8: ints += try r.ints(value, field: "ints")
        case 9: strings.append(try r.string(value, field: "strings"))
        case 10: other = "tensors"
        case 11: other = "graphs"
        case 22, 23: other = "a sparse tensor"
        case 14, 15: other = "a type"
        case 20: declared = try r.int(value, field: "type")
        default: break
        }
      }
      switch declared {
      case 6: value = .floats(floats)
      case 7: value = .ints(ints)
      case 8: value = .strings(strings)
      case 1, 2, 3, 4: value = single
      case 0:
        value =
          single
          ?? (!floats.isEmpty
            ? .floats(floats)
            : !ints.isEmpty
              ? .ints(ints)
              : !strings.isEmpty ? .strings(strings) : other.map(Value.other))
      default: value = .other(other ?? "a value of type \(declared)")
      }
    }
  }

  /// `ValueInfoProto`: `name` 1, `type` 2 → `TypeProto.tensor_type` 1 → (`elem_type` 1,
  /// `shape` 2 → `dim` 1 → (`dim_value` 1, `dim_param` 2)). A sequence, map or optional type
  /// leaves `elementType` nil.
  struct ValueInfo {
    var name = ""
    var elementType: Int?
    /// Each axis's extent, `nil` for a symbolic (`dim_param`) or unknown one; `nil` with no shape.
    var shape: [Int?]?
    var kind = "tensor"

    init(_ reader: ProtobufReader) throws(ONNXImportError) {
      var r = reader
      while let (field, value) = try r.next() {
        switch field {
        case 1: name = try r.string(value, field: "name")
        case 2:
          var type = r.nested(try r.range(value, field: "type"), context: "\(r.context) type")
          while let (field, value) = try type.next() {
            switch field {
            case 1:
              try readTensorType(
                type.nested(type.range(value, field: "tensor_type"), context: type.context))
            case 4: kind = "sequence"
            case 5: kind = "map"
            case 8: kind = "sparse tensor"
            case 9: kind = "optional"
            default: break
            }
          }
        default: break
        }
      }
    }

    private mutating func readTensorType(_ reader: ProtobufReader) throws(ONNXImportError) {
      var r = reader
      while let (field, value) = try r.next() {
        switch field {
        case 1: elementType = try r.int(value, field: "elem_type")
        case 2:
          var dims: [Int?] = []
          var shape = r.nested(try r.range(value, field: "shape"), context: "\(r.context) shape")
          while let (field, value) = try shape.next() {
            guard field == 1 else { continue }
            var dim = shape.nested(try shape.range(value, field: "dim"), context: shape.context)
            var extent: Int?
            while let (field, value) = try dim.next() {
              if field == 1 { extent = try dim.int(value, field: "dim_value") }
            }
            dims.append(extent)
          }
          self.shape = dims
        default: break
        }
      }
    }
  }

  /// `TensorProto`: `dims` 1, `data_type` 2, `segment` 3, `float_data` 4, `int32_data` 5,
  /// `string_data` 6, `int64_data` 7, `name` 8, `raw_data` 9, `double_data` 10, `uint64_data`
  /// 11, `external_data` 13, `data_location` 14.
  struct TensorProto {
    var name = ""
    var dims: [Int] = []
    var dataType = 0
    var raw: Range<Int>?
    /// The typed fields' values, decoded (they are small in practice: big tensors use raw_data).
    var floats: [Float] = []
    var int32s: [Int] = []
    var int64s: [Int] = []
    var doubles: [Double] = []
    var uint64s: [Int] = []
    var strings = 0
    var isExternal = false
    var isSegmented = false
    let bytes: [UInt8]

    init(_ reader: ProtobufReader) throws(ONNXImportError) {
      var r = reader
      bytes = r.bytes
      while let (field, value) = try r.next() {
        switch field {
        case 1: dims += try r.ints(value, field: "dims")
        case 2: dataType = try r.int(value, field: "data_type")
        case 3: isSegmented = true
        case 4: floats += try r.floats(value, field: "float_data")
        case 5: int32s += try r.ints(value, field: "int32_data")
        case 6: strings += 1
        case 7: int64s += try r.ints(value, field: "int64_data")
        case 8: name = try r.string(value, field: "name")
        case 9: raw = try r.range(value, field: "raw_data")
        case 10: doubles += try r.doubles(value, field: "double_data")
        case 11: uint64s += try r.ints(value, field: "uint64_data")
        case 13: isExternal = true
        case 14:
          let location = try r.int(value, field: "data_location")
          isExternal = isExternal || location == 1
        default: break
        }
      }
    }
  }
}
