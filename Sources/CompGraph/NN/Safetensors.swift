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

  /// The largest header read, as the Python package's `MAX_HEADER_SIZE`.
  static let maxHeaderBytes = 100_000_000

  /// Every tensor in safetensors `data`, by name.  Throws a
  /// `SafetensorsError` saying what is wrong and where for a truncated or
  /// malformed file, as the Python package refuses them: the tensors' bytes
  /// must follow each other from the start of the data to its end, with no
  /// overlap, no gap and nothing after the last tensor.
  public static func decode(_ data: Data) throws(SafetensorsError) -> [String: Tensor] {
    let result = data.withUnsafeBytes { bytes in
      Result { () throws(SafetensorsError) in try decode(bytes) }
    }
    return try result.get()
  }

  /// `decode(_:)` on bytes in memory (a mapped file's, so nothing is copied but the values).
  static func decode(_ bytes: UnsafeRawBufferPointer) throws(SafetensorsError) -> [String: Tensor] {
    let (dataStart, entries) = try layout(bytes, fileSize: bytes.count)
    var tensors: [String: Tensor] = [:]
    for entry in entries {
      let start = dataStart + entry.begin
      let values = [Double](unsafeUninitializedCapacity: entry.count) { buffer, initialized in
        for i in 0..<entry.count {
          buffer[i] = entry.dtype.value(bytes, at: start + i * entry.dtype.size)
        }
        initialized = entry.count
      }
      tensors[entry.name] = Tensor(
        shape: Shape(entry.shape), scalars: values, dtype: entry.dtype.dtype)
    }
    return tensors
  }

  /// Where a file's data starts, and its tensors' entries in the order their bytes tile it.
  private typealias Layout = (dataStart: Int, entries: [Entry])

  /// The header of a file of `fileSize` bytes, read from `prefix` (the file's first bytes, at
  /// least its 8-byte length and its header), checked against the data that follows: where the
  /// data starts, and the tensors' entries in the order their bytes tile it.
  private static func layout(_ prefix: UnsafeRawBufferPointer, fileSize: Int)
    throws(SafetensorsError) -> Layout
  {
    guard fileSize >= 8, prefix.count >= 8 else {
      throw SafetensorsError(
        "the file is \(fileSize) bytes, shorter than the 8-byte header length every safetensors file starts with"
      )
    }
    let headerLength = (0..<8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(prefix[$1]) }
    guard headerLength <= UInt64(fileSize - 8) else {
      throw SafetensorsError(
        "the header length field says \(headerLength) bytes, but only \(fileSize - 8) follow it: the file is truncated or not a safetensors file"
      )
    }
    guard headerLength <= UInt64(maxHeaderBytes) else {
      throw SafetensorsError(
        "the header is \(headerLength) bytes, more than the \(maxHeaderBytes) safetensors allows")
    }
    guard headerLength <= UInt64(prefix.count - 8) else {
      throw SafetensorsError("the file changed while its header was read")
    }
    let dataStart = 8 + Int(headerLength)
    let header: [String: Any]
    do {
      guard
        let object = try JSONSerialization.jsonObject(
          with: Data(prefix[8..<dataStart]), options: [.fragmentsAllowed]) as? [String: Any]
      else { throw SafetensorsError("the header is JSON but not an object of tensor entries") }
      header = object
    } catch let error as SafetensorsError {
      throw error
    } catch {
      throw SafetensorsError(
        "the \(headerLength)-byte header is not valid JSON (\(displayText(error.localizedDescription, limit: 200)))"
      )
    }
    let available = fileSize - dataStart
    var entries: [Entry] = []
    for (name, value) in header where name != "__metadata__" {
      entries.append(try Entry(name: name, value, available: available))
    }
    // Each tensor starts where the one before it ends, from byte 0 to the end of the data.
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var end = 0
    for (k, entry) in entries.enumerated() {
      if entry.begin < end {
        let previous = entries[k - 1]
        throw SafetensorsError(
          "tensors \(previous.label) and \(entry.label) overlap: data_offsets [\(previous.begin), \(previous.end)] and [\(entry.begin), \(entry.end)]"
        )
      }
      if entry.begin > end {
        throw SafetensorsError(
          "data bytes [\(end), \(entry.begin)) belong to no tensor (before \(entry.label)): the file is damaged"
        )
      }
      end = entry.end
    }
    guard end == available else {
      throw SafetensorsError(
        "\(available - end) bytes follow the last tensor, which ends at data byte \(end): the file is padded or damaged"
      )
    }
    return (dataStart, entries)
  }

  /// One tensor's header entry, checked against the `available` data bytes.
  private struct Entry {
    let name: String
    let dtype: ElementFormat
    let shape: [Int]
    let count: Int
    let begin: Int
    let end: Int

    /// The name as messages quote it: escaped, and cut.
    var label: String { "'\(displayText(name, limit: 80))'" }

    init(name: String, _ value: Any, available: Int) throws(SafetensorsError) {
      self.name = name
      let label = "tensor '\(displayText(name, limit: 80))'"
      guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
        let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
        offsets.count == 2
      else {
        throw SafetensorsError(
          "\(label): the entry needs \"dtype\" (a string), \"shape\" (integers) and \"data_offsets\" ([begin, end])"
        )
      }
      guard let width = ElementFormat(rawValue: dtype) else {
        throw SafetensorsError(
          "\(label): dtype \(displayText(dtype, limit: 40)) is not supported; CompGraph reads F64, F32, I64 and I32"
        )
      }
      let shown = Safetensors.shapeText(shape)
      guard let count = Safetensors.elementCount(shape) else {
        throw SafetensorsError("\(label): invalid shape \(shown)")
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard 0 <= begin, begin <= end, end <= available else {
        throw SafetensorsError(
          "\(label): data_offsets [\(begin), \(end)] reach outside the \(available) data bytes: the file is truncated"
        )
      }
      guard count <= available / width.size, end - begin == count * width.size else {
        throw SafetensorsError(
          "\(label): shape \(shown) of \(dtype) needs \(count) × \(width.size) bytes, but data_offsets give \(end - begin)"
        )
      }
      (self.dtype, self.shape, self.count, self.begin, self.end) = (width, shape, count, begin, end)
    }
  }

  /// A shape as messages show it: `[2, 3]`, or its first eight extents and how many there are.
  static func shapeText(_ shape: [Int]) -> String {
    guard shape.count > 8 else { return "\(shape)" }
    return "[" + shape.prefix(8).map(String.init).joined(separator: ", ")
      + ", … (\(shape.count) dimensions)]"
  }

  /// The product of `shape`, or nil for a negative extent or an overflow.
  static func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for extent in shape {
      guard extent >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// Writes `tensors` to `url` atomically (`AtomicFile`).
  public static func write(_ tensors: [String: Tensor], to url: URL) throws {
    try AtomicFile.write(encode(tensors), to: url.path)
  }

  /// Reads every tensor of the safetensors file at `url`, mapped into memory rather than read
  /// (a checkpoint is read once, into its tensors). The header is read first and checked against
  /// the file's size, so a padded, truncated or damaged file is refused before it is mapped.
  public static func read(from url: URL) throws -> [String: Tensor] {
    let path = displayText(url.path, limit: 200)
    let size: Int
    do {
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      size = Int(try handle.seekToEnd())
      try handle.seek(toOffset: 0)
      var prefix = try handle.read(upToCount: 8) ?? Data()
      if prefix.count == 8 {
        let headerLength = prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if headerLength <= UInt64(min(maxHeaderBytes, size - 8)) {
          prefix += try handle.read(upToCount: Int(headerLength)) ?? Data()
        }
      }
      let header = prefix
      let checked = header.withUnsafeBytes { bytes in
        Result { () throws(SafetensorsError) in try layout(bytes, fileSize: size) }
      }
      do { _ = try checked.get() } catch { throw SafetensorsError("\(path): \(error.message)") }
    } catch let error as SafetensorsError {
      throw error
    } catch {
      throw SafetensorsError("cannot read \(path): \(error.localizedDescription)")
    }
    let data: Data
    do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
      throw SafetensorsError(
        "cannot map \(path) (\(size) bytes) into memory: \(error.localizedDescription); raise the process's memory limit (ulimit -v)"
      )
    }
    do { return try decode(data) } catch {
      throw SafetensorsError("\(path): \(error.message)")
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
    func value(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Double {
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
