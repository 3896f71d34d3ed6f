import Foundation

/// NumPy's `.npy` format (versions 1–3), as `numpy.save` writes it:
///
///     "\x93NUMPY" major minor [header length: 2 bytes (v1) or 4 (v2, v3), little-endian]
///     header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
///     data: the elements, C order
///
/// Read for `compgraph eval --at name=@x.npy`. Little-endian (or byte-sized) floats, integers and
/// booleans in C order; the element types become CompGraph's as for ONNX tensors.
enum NumPyArray {
  static func read(_ bytes: [UInt8], maxBytes: Int) throws(ONNXImportError) -> Tensor {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw .malformed("not a .npy file: it does not begin with \\x93NUMPY")
    }
    let major = bytes[6]
    let lengthSize = major == 1 ? 2 : 4
    guard (1...3).contains(major), bytes.count >= 8 + lengthSize else {
      throw .malformed(".npy version \(major).\(bytes[7]) is not one NumPy writes (1, 2 or 3)")
    }
    var headerLength = 0
    for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
    let dataStart = 8 + lengthSize + headerLength
    guard dataStart <= bytes.count else {
      throw .malformed(".npy header of \(headerLength) bytes runs past the end of the file")
    }
    let header = String(decoding: bytes[(8 + lengthSize)..<dataStart], as: UTF8.self)
    guard let descr = quotedValue(of: "descr", in: header) else {
      throw .malformed(".npy header has no 'descr': \(header.prefix(120))")
    }
    guard let type = elementType(descr) else {
      throw .unsupported(
        op: nil,
        message: ".npy element type '\(descr)' is not read; save float32, float64, integers or "
          + "booleans, little-endian")
    }
    if header.contains("'fortran_order': True") {
      throw .unsupported(
        op: nil, message: ".npy array is in Fortran order; save np.ascontiguousarray(a) instead")
    }
    guard let shape = shape(in: header) else {
      throw .malformed(".npy header has no readable 'shape': \(header.prefix(120))")
    }
    guard let count = shape.checkedElementCount else {
      throw .malformed(".npy shape \(shape) holds no tensor")
    }
    guard count <= maxBytes / 8 else {
      throw .tooLarge(
        ".npy array (\(shape.shapeDescription)) needs \(count * 8) bytes as values, more than the "
          + "\(maxBytes)-byte limit; raise it with --max-memory")
    }
    guard bytes.count - dataStart == count * type.size else {
      throw .malformed(
        ".npy data has \(bytes.count - dataStart) bytes, but \(count) elements of '\(descr)' need "
          + "\(count * type.size)")
    }
    let values = (0..<count).map { type.value(bytes, at: dataStart + $0 * type.size) }
    return Tensor(shape: shape, scalars: values, dtype: type.dtype)
  }

  /// The ONNX type with `descr`'s meaning ('<f4', '|b1', '<i8', …).
  private static func elementType(_ descr: String) -> ONNXElementType? {
    let table: [String: ONNXElementType] = [
      "<f4": .float, "<f8": .double, "<f2": .float16, "|u1": .uint8, "|i1": .int8, "|b1": .bool,
      "<u2": .uint16, "<i2": .int16, "<i4": .int32, "<i8": .int64, "<u4": .uint32, "<u8": .uint64,
    ]
    return table[descr]
  }

  /// The text between quotes after `'key':`.
  private static func quotedValue(of key: String, in header: String) -> String? {
    guard let keyRange = header.range(of: "'\(key)'") else { return nil }
    let rest = header[keyRange.upperBound...]
    guard let open = rest.firstIndex(where: { $0 == "'" || $0 == "\"" }) else { return nil }
    let after = rest[rest.index(after: open)...]
    guard let close = after.firstIndex(of: rest[open]) else { return nil }
    return String(after[..<close])
  }

  /// The tuple after `'shape':`, `()` for a scalar.
  private static func shape(in header: String) -> Shape? {
    guard let keyRange = header.range(of: "'shape'") else { return nil }
    let rest = header[keyRange.upperBound...]
    guard let open = rest.firstIndex(of: "("), let close = rest.firstIndex(of: ")"), open < close
    else { return nil }
    var shape: Shape = []
    for part in rest[rest.index(after: open)..<close].split(separator: ",") {
      let text = part.trimmingCharacters(in: .whitespaces)
      if text.isEmpty { continue }
      guard let extent = Int(text.hasSuffix("L") ? String(text.dropLast()) : text), extent >= 0
      else { return nil }
      shape.append(extent)
    }
    return shape
  }
}
