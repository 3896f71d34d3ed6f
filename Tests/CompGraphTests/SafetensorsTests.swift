import Foundation
import Testing

@testable import CompGraph

@Suite struct SafetensorsTests {
  let tensors: [String: Tensor] = [
    "rnn.cell.W": Tensor(shape: [2, 3], scalars: [1, -2.5, .pi, 0, -0.0, 1e-300]),
    "rnn.cell.b": Tensor(shape: [3], scalars: [0.1, 0.2, 0.3]),
    "optimizer.beta1_power": Tensor(0.9),
    "mlp.W": Tensor(shape: [2, 2], scalars: [0.1, -0.0, 3e38, 1e-40], dtype: .f32),
  ]

  @Test func roundTripIsBitExact() throws {
    let data = Safetensors.encode(tensors)
    let back = try Safetensors.decode(data)
    #expect(back == tensors)
    // Header length field, then a header padded to a multiple of 8.
    let headerLength = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    #expect(headerLength % 8 == 0)
    #expect(data.count == 8 + headerLength + (6 + 3 + 1) * 8 + 4 * 4)
    #expect(back["mlp.W"]?.dtype == .f32)
    #expect(back["mlp.W"]?.scalars[0] == Double(Float(0.1)))
  }

  @Test func fileRoundTrip() throws {
    let url = FileManager.default.temporaryDirectory.appending(path: "cg-\(UUID()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try Safetensors.write(tensors, to: url)
    #expect(try Safetensors.read(from: url) == tensors)
  }

  @Test(arguments: [
    ([UInt8](), "the file is 0 bytes, shorter than the 8-byte header length"),
    ([8, 0, 0, 0, 0, 0, 0, 0, 0x7B], "says 8 bytes, but only 1 follow it: the file is truncated"),
    (Array("\u{4}\0\0\0\0\0\0\0{x: ".utf8), "header is not valid JSON"),
    (Array("\u{2}\0\0\0\0\0\0\0[]".utf8), "the header is JSON but not an object"),
  ])
  func malformedHeaders(bytes: [UInt8], message: String) {
    #expect {
      try Safetensors.decode(Data(bytes))
    } throws: { error in
      (error as? SafetensorsError)?.message.contains(message) == true
    }
  }

  /// A header with one entry, padded, then `dataBytes` zero bytes.
  func file(_ entry: String, dataBytes: Int) -> Data {
    var header = Array("{\"t\":\(entry)}".utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var data = Data()
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    data.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
    return data
  }

  @Test(arguments: [
    (
      #"{"dtype":"F64","shape":[2],"data_offsets":[0,16]}"#, 8,
      "tensor 't': data_offsets [0, 16] reach outside the 8 data bytes: the file is truncated"
    ),
    (
      #"{"dtype":"F64","shape":[3],"data_offsets":[0,16]}"#, 16,
      "tensor 't': shape [3] of F64 needs 3 × 8 bytes, but data_offsets give 16"
    ),
    (
      #"{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}"#, 2,
      "tensor 't': dtype F8_E4M3 is not supported; CompGraph reads F64, F32, I64 and I32"
    ),
    (#"{"dtype":"F64","shape":[2]}"#, 16, "tensor 't': the entry needs \"dtype\""),
    (
      #"{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,16]}"#, 16,
      "tensor 't': invalid shape"
    ),
  ])
  func malformedEntries(entry: String, dataBytes: Int, message: String) {
    #expect {
      try Safetensors.decode(file(entry, dataBytes: dataBytes))
    } throws: { error in
      (error as? SafetensorsError)?.message == message
        || (error as? SafetensorsError)?.message.hasPrefix(message) == true
    }
  }

  @Test func missingFileSaysWhich() {
    #expect {
      try Safetensors.read(from: URL(filePath: "/nonexistent/w.safetensors"))
    } throws: { error in
      "\(error)".contains("cannot read /nonexistent/w.safetensors")
    }
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func readsAFileWrittenByThePythonPackage() throws {
    let url = FileManager.default.temporaryDirectory.appending(path: "py-\(UUID()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    _ = try PythonPeer.run("safetensors_peer.py", ["write", url.path])
    let read = try Safetensors.read(from: url)
    #expect(
      read["layer.W"] == Tensor(shape: [2, 3], scalars: (0..<6).map { Double($0) / 7 - 0.25 }))
    #expect(read["layer.b"] == Tensor(shape: [3], scalars: [0.5, -1.5, 2.25], dtype: .f32))
    #expect(read["steps"] == Tensor(shape: [2], scalars: [3, -4]))
    #expect(read["scalar"] == Tensor(.pi))
    #expect(read.count == 4)
  }

  @Test(.enabled(if: PythonPeer.shouldRun))
  func thePythonPackageReadsOurFile() throws {
    let url = FileManager.default.temporaryDirectory.appending(path: "cg-\(UUID()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try Safetensors.write(tensors, to: url)
    let json = try PythonPeer.run("safetensors_peer.py", ["read", url.path])
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]])
    #expect(Set(parsed.keys) == Set(tensors.keys))
    for (name, tensor) in tensors {
      #expect(parsed[name]?["shape"] as? [Int] == tensor.shape)
      #expect(parsed[name]?["dtype"] as? String == (tensor.dtype == .f32 ? "float32" : "float64"))
      let values = try #require(parsed[name]?["values"] as? [Double])
      // An f32 element compared as an f32 (Foundation's JSON reader can miss a double's
      // last bit).
      #expect(
        zip(values, tensor.scalars).allSatisfy {
          $0.bitPattern == $1.bitPattern || ($0 == 0 && $1 == 0)
            || (tensor.dtype == .f32 && Float($0).bitPattern == Float($1).bitPattern)
        })
    }
  }
}
