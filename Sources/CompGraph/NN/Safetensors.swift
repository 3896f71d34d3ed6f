import Foundation

/// The safetensors file format (as written by Hugging Face's `safetensors`
/// package, read by PyTorch and JAX tooling):
///
///     [8 bytes: N, little-endian UInt64] [N bytes: JSON header] [data]
///
/// The header maps each tensor name to `{"dtype", "shape", "data_offsets":
/// [begin, end]}` (byte offsets into the data, little-endian, row-major);
/// an optional `"__metadata__"` maps strings to strings.  CompGraph writes
/// an f64 tensor as `F64` and an f32 one as `F32`, and reads `F64`, `F32`
/// (as f32 tensors), `I64` and `I32` (converted to f64).
public enum Safetensors {
  /// The file bytes for `tensors` (names sorted, data packed in that order,
  /// the header padded with spaces to a multiple of 8 bytes as the Python
  /// package does).
  public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    let names = tensors.keys.sorted()
    for name in names {
      let t = tensors[name]!
      let format = ElementFormat(t.dtype)
      let size = t.scalars.count * format.size
      header[name] =
        [
          "dtype": format.rawValue, "shape": t.shape, "data_offsets": [offset, offset + size],
        ] as [String: Any]
      offset += size
    }
    var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
    var data = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for name in names {
      let t = tensors[name]!
      for value in t.scalars {
        switch t.dtype {
        case .f64:
          withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        case .f32:
          withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
      }
    }
    return data
  }

  /// Every tensor in safetensors `data`, by name.  Throws a
  /// `SafetensorsError` saying what is wrong and where for a truncated or
  /// malformed file.
  public static func decode(_ data: Data) throws(SafetensorsError) -> [String: Tensor] {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else {
      throw SafetensorsError(
        "the file is \(bytes.count) bytes, shorter than the 8-byte header length every safetensors file starts with"
      )
    }
    let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw SafetensorsError(
        "the header length field says \(headerLength) bytes, but only \(bytes.count - 8) follow it: the file is truncated or not a safetensors file"
      )
    }
    let dataStart = 8 + Int(headerLength)
    let header: [String: Any]
    do {
      guard
        let object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
          as? [String: Any]
      else { throw SafetensorsError("the header is JSON but not an object of tensor entries") }
      header = object
    } catch let error as SafetensorsError {
      throw error
    } catch {
      throw SafetensorsError(
        "the \(headerLength)-byte header is not valid JSON (\(error.localizedDescription))")
    }
    let available = bytes.count - dataStart
    var tensors: [String: Tensor] = [:]
    for (name, entry) in header where name != "__metadata__" {
      guard let fields = entry as? [String: Any], let dtype = fields["dtype"] as? String,
        let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
        offsets.count == 2
      else {
        throw SafetensorsError(
          "tensor '\(name)': the entry needs \"dtype\" (a string), \"shape\" (integers) and \"data_offsets\" ([begin, end])"
        )
      }
      guard let width = ElementFormat(rawValue: dtype) else {
        throw SafetensorsError(
          "tensor '\(name)': dtype \(dtype) is not supported; CompGraph reads F64, F32, I64 and I32"
        )
      }
      guard let count = Self.elementCount(shape) else {
        throw SafetensorsError("tensor '\(name)': invalid shape \(shape)")
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard 0 <= begin, begin <= end, end <= available else {
        throw SafetensorsError(
          "tensor '\(name)': data_offsets [\(begin), \(end)] reach outside the \(available) data bytes: the file is truncated"
        )
      }
      guard count <= available / width.size, end - begin == count * width.size else {
        throw SafetensorsError(
          "tensor '\(name)': shape \(shape) of \(dtype) needs \(count) × \(width.size) bytes, but data_offsets give \(end - begin)"
        )
      }
      let start = dataStart + begin
      let values = (0..<count).map { width.value(bytes, at: start + $0 * width.size) }
      tensors[name] = Tensor(shape: Shape(shape), scalars: values, dtype: width.dtype)
    }
    return tensors
  }

  /// The product of `shape`, or nil for a negative extent or an overflow.
  private static func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for extent in shape {
      guard extent >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// Writes `tensors` to `url` atomically.
  public static func write(_ tensors: [String: Tensor], to url: URL) throws {
    try encode(tensors).write(to: url, options: .atomic)
  }

  /// Reads every tensor of the safetensors file at `url`.
  public static func read(from url: URL) throws -> [String: Tensor] {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw SafetensorsError("cannot read \(url.path): \(error.localizedDescription)")
    }
    do { return try decode(data) } catch {
      throw SafetensorsError("\(url.path): \(error.message)")
    }
  }

  /// The element types CompGraph reads.
  private enum ElementFormat: String {
    case f64 = "F64", f32 = "F32", i64 = "I64", i32 = "I32"

    /// The format a tensor of `dtype` is written in.
    init(_ dtype: CompGraph.DType) {
      switch dtype {
      case .f64: self = .f64
      case .f32: self = .f32
      }
    }

    /// The element type of the tensor read: integers become f64 values.
    var dtype: CompGraph.DType {
      switch self {
      case .f32: .f32
      case .f64, .i64, .i32: .f64
      }
    }

    var size: Int {
      switch self {
      case .f64, .i64: 8
      case .f32, .i32: 4
      }
    }

    /// The little-endian element at `offset`, as a Double.
    func value(_ bytes: [UInt8], at offset: Int) -> Double {
      var bits: UInt64 = 0
      for k in (0..<size).reversed() { bits = bits << 8 | UInt64(bytes[offset + k]) }
      switch self {
      case .f64: return Double(bitPattern: bits)
      case .f32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
      case .i64: return Double(Int64(bitPattern: bits))
      case .i32: return Double(Int32(truncatingIfNeeded: bits))
      }
    }
  }
}

/// A safetensors file that cannot be read: what is wrong, in words.
public struct SafetensorsError: Error, Equatable, CustomStringConvertible {
  public let message: String
  init(_ message: String) { self.message = message }
  public var description: String { "safetensors: \(message)" }
}
