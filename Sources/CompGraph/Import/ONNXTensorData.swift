import Foundation

/// ONNX's element types (`TensorProto.DataType`) the importer reads, with what each becomes: a
/// float32 tensor is f32; float64 is f64; the integer and boolean types are f64 values, exact
/// for magnitudes below 2⁵³ (they index, count and shape things; CompGraph computes in reals);
/// float16 and bfloat16 widen to f32.
enum ONNXElementType: Int, CaseIterable {
  case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, bool = 9
  case float16 = 10, double = 11, uint32 = 12, uint64 = 13, bfloat16 = 16

  /// ONNX's name for the type, as `onnx.TensorProto.DataType.Name` spells it.
  var name: String {
    switch self {
    case .float: "FLOAT"
    case .uint8: "UINT8"
    case .int8: "INT8"
    case .uint16: "UINT16"
    case .int16: "INT16"
    case .int32: "INT32"
    case .int64: "INT64"
    case .bool: "BOOL"
    case .float16: "FLOAT16"
    case .double: "DOUBLE"
    case .uint32: "UINT32"
    case .uint64: "UINT64"
    case .bfloat16: "BFLOAT16"
    }
  }

  /// The CompGraph element type its values get.
  var dtype: DType {
    switch self {
    case .float, .float16, .bfloat16: .f32
    case .double, .uint8, .int8, .uint16, .int16, .int32, .int64, .bool, .uint32, .uint64: .f64
    }
  }

  /// Whether the values are real numbers (not integers or booleans).
  var isReal: Bool {
    switch self {
    case .float, .float16, .bfloat16, .double: true
    case .uint8, .int8, .uint16, .int16, .int32, .int64, .bool, .uint32, .uint64: false
    }
  }

  /// Bytes per element in `raw_data`.
  var size: Int {
    switch self {
    case .uint8, .int8, .bool: 1
    case .uint16, .int16, .float16, .bfloat16: 2
    case .float, .int32, .uint32: 4
    case .int64, .double, .uint64: 8
    }
  }

  /// The element at `offset` of little-endian `raw` bytes.
  func value(_ bytes: [UInt8], at offset: Int) -> Double {
    var bits: UInt64 = 0
    for i in 0..<size { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
    return value(bits: bits)
  }

  /// The element whose bits (in the low `size` bytes, or an `int32_data` entry) are `bits`.
  func value(bits: UInt64) -> Double {
    switch self {
    case .float: Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
    case .double: Double(bitPattern: bits)
    case .uint8: Double(UInt8(truncatingIfNeeded: bits))
    case .int8: Double(Int8(truncatingIfNeeded: bits))
    case .uint16: Double(UInt16(truncatingIfNeeded: bits))
    case .int16: Double(Int16(truncatingIfNeeded: bits))
    case .int32: Double(Int32(truncatingIfNeeded: bits))
    case .int64: Double(Int64(bitPattern: bits))
    case .uint32: Double(UInt32(truncatingIfNeeded: bits))
    case .uint64: Double(bits)
    case .bool: bits & 0xFF == 0 ? 0 : 1
    case .float16: Double(halfToFloat(UInt16(truncatingIfNeeded: bits)))
    case .bfloat16: Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits & 0xFFFF) << 16))
    }
  }

  /// ONNX's number for a type the importer does not read, named for messages.
  static func describe(_ raw: Int) -> String {
    if let known = ONNXElementType(rawValue: raw) { return known.name }
    let names = [
      0: "UNDEFINED", 8: "STRING", 14: "COMPLEX64", 15: "COMPLEX128", 17: "FLOAT8E4M3FN",
      18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4",
    ]
    return names[raw].map { "\($0) (\(raw))" } ?? "element type \(raw)"
  }
}

/// IEEE binary16 bits to a `Float` (exactly: every half is a float).
private func halfToFloat(_ h: UInt16) -> Float {
  let sign: Float = h & 0x8000 == 0 ? 1 : -1
  let exponent = Int(h >> 10 & 0x1F)
  let fraction = Float(h & 0x3FF)
  switch exponent {
  case 0: return sign * fraction * 0x1p-24
  case 31: return fraction == 0 ? sign * .infinity : .nan
  default:
    return sign * (1 + fraction / 1024)
      * Float(sign: .plus, exponent: exponent - 15, significand: 1)
  }
}

/// A tensor read from an ONNX file: its values and the ONNX type they had.
struct ONNXValue {
  var tensor: Tensor
  var elementType: ONNXElementType
}

extension ONNXProto.TensorProto {
  /// The tensor's values, after checking its element count against `maxBytes` (8 bytes an
  /// element) and that its data holds exactly that many elements. `what` names it in errors.
  func value(_ what: String, maxBytes: Int) throws(ONNXImportError) -> ONNXValue {
    guard let type = ONNXElementType(rawValue: dataType) else {
      throw .unsupported(
        op: nil,
        message: "\(what) has element type \(ONNXElementType.describe(dataType)), which the "
          + "importer does not read; it reads "
          + ONNXElementType.allCases.map(\.name).joined(separator: ", "))
    }
    guard !isExternal else {
      throw .unsupported(
        op: nil,
        message: "\(what) keeps its data in an external file, which the importer does not read; "
          + "save the model with its data inside (onnx.save_model(m, path, "
          + "save_as_external_data=False))")
    }
    guard !isSegmented else {
      throw .unsupported(op: nil, message: "\(what) is segmented, which the importer does not read")
    }
    guard dims.allSatisfy({ $0 >= 0 }), let count = Shape(dims).checkedElementCount else {
      throw .invalidModel("\(what) has dimensions \(dims), which no tensor has")
    }
    guard count <= maxBytes / 8 else {
      throw .tooLarge(
        "\(what) (\(Shape(dims).shapeDescription)) needs \(count * 8) bytes as values, more than "
          + "the \(maxBytes)-byte limit; raise it with --max-memory")
    }
    var values: [Double]
    if let raw {
      guard raw.count == count * type.size else {
        throw .invalidModel(
          "\(what) has \(raw.count) bytes of raw_data, but its \(count) elements of "
            + "\(type.name) need \(count * type.size)")
      }
      values = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count { buffer[i] = type.value(bytes, at: raw.lowerBound + i * type.size) }
        initialized = count
      }
    } else {
      switch type {
      case .float: values = floats.map(Double.init)
      case .double: values = doubles
      case .int64: values = int64s.map(Double.init)
      case .uint32, .uint64:
        values = uint64s.map { type.value(bits: UInt64(bitPattern: Int64($0))) }
      case .uint8, .int8, .uint16, .int16, .int32, .bool, .float16, .bfloat16:
        values = int32s.map { type.value(bits: UInt64(bitPattern: Int64($0))) }
      }
      guard values.count == count else {
        throw .invalidModel(
          "\(what) has \(values.count) values for its \(count) elements (dims \(dims))")
      }
    }
    return ONNXValue(
      tensor: Tensor(shape: dims, scalars: values, dtype: type.dtype), elementType: type)
  }
}

/// Reading one tensor from a file, as `onnx.numpy_helper` writes them: a serialized
/// `TensorProto` (`.pb`, the test data of ONNX's backend tests) or a NumPy `.npy` array.
public enum ONNXTensorFile {
  /// The tensor in `data`, read as the file's extension `pathExtension` says (`pb` or `npy`).
  /// Values larger than `maxBytes` (8 bytes an element) are refused before they are read.
  public static func read(_ data: Data, pathExtension: String, maxBytes: Int = 2 << 30)
    throws(ONNXImportError) -> Tensor
  {
    switch pathExtension.lowercased() {
    case "pb":
      let proto = try ONNXProto.TensorProto(ProtobufReader([UInt8](data), context: "TensorProto"))
      return try proto.value("the tensor", maxBytes: maxBytes).tensor
    case "npy": return try NumPyArray.read([UInt8](data), maxBytes: maxBytes)
    default:
      throw .unsupported(
        op: nil,
        message: "a tensor file must end in .pb (an ONNX TensorProto) or .npy (a NumPy array), "
          + "not '.\(pathExtension)'")
    }
  }
}
