/// The write side of the Protocol Buffers wire format, for the few field kinds the ONNX messages
/// in `ONNXModel.swift` use.
///
/// A message is a sequence of fields, each a key `(field number << 3) | wire type` as a varint
/// followed by the value: wire type 0 is a varint (integers), 2 is a length-delimited byte string
/// (strings, bytes, nested messages). Repeated fields are written one key per element, which
/// every decoder accepts whether the schema declares them packed or not.
struct ProtobufWriter {
  private(set) var bytes: [UInt8] = []

  /// Base-128 little-endian groups of 7 bits, high bit set on all but the last.
  private mutating func varint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  private mutating func key(_ field: Int, wireType: UInt64) {
    varint(UInt64(field) << 3 | wireType)
  }

  /// An `int32`/`int64`/enum field; negative values are their 64-bit two's complement.
  mutating func int(_ field: Int, _ value: Int) {
    key(field, wireType: 0)
    varint(UInt64(bitPattern: Int64(value)))
  }

  /// A `bytes` field.
  mutating func bytes(_ field: Int, _ value: [UInt8]) {
    key(field, wireType: 2)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A `string` field, UTF-8.
  mutating func string(_ field: Int, _ value: String) {
    bytes(field, Array(value.utf8))
  }

  /// A nested message field, written by `body` into its own buffer.
  mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
    var nested = ProtobufWriter()
    body(&nested)
    bytes(field, nested.bytes)
  }
}
