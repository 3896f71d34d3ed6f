/// The read side of the Protocol Buffers wire format, for the ONNX messages `ONNXProto.swift`
/// decodes: the partner of `ProtobufWriter`.
///
/// Written by hand rather than generated with swift-protobuf: generating needs `protoc`, the
/// library would gain a dependency for five messages, and a generated decoder materialises every
/// field (a 100 MB `raw_data` included) before the importer could check the tensor against the
/// memory budget. This reader hands out byte ranges into the file, so sizes are checked before
/// anything is copied, and every malformed input — a truncated varint, a length past the end, a
/// wire type that does not fit the field, a group — is a thrown `ONNXImportError` naming the
/// message and the field, never a trap.
///
/// A message is a sequence of fields, each a key `(field number << 3) | wire type` as a varint
/// followed by its value: wire type 0 a varint, 1 eight little-endian bytes, 2 a varint length
/// and that many bytes (strings, bytes, nested messages, packed repeated scalars), 5 four
/// little-endian bytes.
struct ProtobufReader {
  /// The whole file; a nested message reads the part `position..<end` of it.
  let bytes: [UInt8]
  private(set) var position: Int
  let end: Int
  /// The message being read, for errors (`NodeProto 'conv1' (node 3)`).
  let context: String

  /// The value of one field, as its wire type gives it.
  enum Value {
    case varint(UInt64)
    case fixed64(UInt64)
    case fixed32(UInt32)
    /// A length-delimited value: its bytes' range in the file.
    case bytes(Range<Int>)

    var wireTypeName: String {
      switch self {
      case .varint: "varint (0)"
      case .fixed64: "64-bit (1)"
      case .fixed32: "32-bit (5)"
      case .bytes: "length-delimited (2)"
      }
    }
  }

  init(_ bytes: [UInt8], context: String) {
    self.init(bytes, range: 0..<bytes.count, context: context)
  }

  init(_ bytes: [UInt8], range: Range<Int>, context: String) {
    self.bytes = bytes
    self.position = range.lowerBound
    self.end = range.upperBound
    self.context = context
  }

  /// A reader of the nested message in `range`, named `context` in errors.
  func nested(_ range: Range<Int>, context: String) -> ProtobufReader {
    ProtobufReader(bytes, range: range, context: context)
  }

  /// The next field, or `nil` at the end of the message.
  mutating func next() throws(ONNXImportError) -> (field: Int, value: Value)? {
    guard position < end else { return nil }
    let at = position
    let key = try varint()
    let field = key >> 3
    guard field > 0, field < 1 << 29 else {
      throw malformed("a field number \(field) at byte \(at) (field numbers are 1 … 2^29 − 1)")
    }
    switch key & 7 {
    case 0: return (Int(field), .varint(try varint()))
    case 1: return (Int(field), .fixed64(try fixed(8)))
    case 5: return (Int(field), .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
    case 2:
      let length = try varint()
      guard length <= UInt64(end - position) else {
        throw malformed(
          "field \(field) at byte \(at) is \(length) bytes long, but only \(end - position) bytes "
            + "of the message are left (the file is truncated or corrupt)")
      }
      let start = position
      position += Int(length)
      return (Int(field), .bytes(start..<position))
    case let wire:
      throw malformed(
        "field \(field) at byte \(at) has wire type \(wire)"
          + (wire == 3 || wire == 4 ? " (a group, which ONNX never uses)" : ", which is not one")
          + "; the file is not an ONNX model or is corrupt")
    }
  }

  /// A base-128 varint of at most 10 bytes.
  private mutating func varint() throws(ONNXImportError) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    let start = position
    while true {
      guard position < end else {
        throw malformed("a varint at byte \(start) runs past the end (the file is truncated)")
      }
      let byte = bytes[position]
      position += 1
      guard shift < 64, shift < 63 || byte & 0x7E == 0 else {
        throw malformed("a varint at byte \(start) is longer than 10 bytes")
      }
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return result }
      shift += 7
    }
  }

  /// `count` little-endian bytes.
  private mutating func fixed(_ count: Int) throws(ONNXImportError) -> UInt64 {
    guard end - position >= count else {
      throw malformed(
        "a \(count * 8)-bit value at byte \(position) runs past the end (the file is truncated)")
    }
    var result: UInt64 = 0
    for i in 0..<count { result |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
    position += count
    return result
  }

  func malformed(_ detail: String) -> ONNXImportError {
    .malformed("\(context): \(detail)")
  }

  // MARK: Field values, checked against the wire type the schema gives the field

  /// An integer field (`int32`, `int64`, enums): a varint, negative values as 64-bit two's
  /// complement.
  func int(_ value: Value, field: String) throws(ONNXImportError) -> Int {
    guard case .varint(let v) = value else { throw wrongType(value, field: field, "a varint") }
    return Int(truncatingIfNeeded: Int64(bitPattern: v))
  }

  /// A `float` field.
  func float(_ value: Value, field: String) throws(ONNXImportError) -> Float {
    guard case .fixed32(let v) = value else { throw wrongType(value, field: field, "32-bit") }
    return Float(bitPattern: v)
  }

  /// A `string` field, as UTF-8 (invalid sequences replaced).
  func string(_ value: Value, field: String) throws(ONNXImportError) -> String {
    String(decoding: bytes[try range(value, field: field)], as: UTF8.self)
  }

  /// A `bytes` or message field's range.
  func range(_ value: Value, field: String) throws(ONNXImportError) -> Range<Int> {
    guard case .bytes(let r) = value else {
      throw wrongType(value, field: field, "length-delimited")
    }
    return r
  }

  /// One or more elements of a repeated integer field, packed or not (decoders must accept both).
  func ints(_ value: Value, field: String) throws(ONNXImportError) -> [Int] {
    switch value {
    case .varint(let v): return [Int(truncatingIfNeeded: Int64(bitPattern: v))]
    case .bytes(let r):
      var packed = nested(r, context: "\(context).\(field)")
      var result: [Int] = []
      while packed.position < packed.end {
        result.append(Int(truncatingIfNeeded: Int64(bitPattern: try packed.varint())))
      }
      return result
    default: throw wrongType(value, field: field, "a varint or packed")
    }
  }

  /// One or more elements of a repeated `float` field, packed or not.
  func floats(_ value: Value, field: String) throws(ONNXImportError) -> [Float] {
    try fixedElements(value, field: field, size: 4).map { Float(bitPattern: UInt32($0)) }
  }

  /// One or more elements of a repeated `double` field, packed or not.
  func doubles(_ value: Value, field: String) throws(ONNXImportError) -> [Double] {
    try fixedElements(value, field: field, size: 8).map { Double(bitPattern: $0) }
  }

  private func fixedElements(_ value: Value, field: String, size: Int) throws(ONNXImportError)
    -> [UInt64]
  {
    switch (value, size) {
    case (.fixed32(let v), 4): return [UInt64(v)]
    case (.fixed64(let v), 8): return [v]
    case (.bytes(let r), _):
      guard r.count % size == 0 else {
        throw malformed(
          "the packed field \(field) holds \(r.count) bytes, not a multiple of \(size)")
      }
      var packed = nested(r, context: "\(context).\(field)")
      var result: [UInt64] = []
      result.reserveCapacity(r.count / size)
      while packed.position < packed.end { result.append(try packed.fixed(size)) }
      return result
    default: throw wrongType(value, field: field, "\(size * 8)-bit or packed")
    }
  }

  private func wrongType(_ value: Value, field: String, _ expected: String) -> ONNXImportError {
    malformed(
      "the field \(field) has wire type \(value.wireTypeName), not \(expected) as ONNX's schema gives it"
    )
  }
}
