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

  /// A header of `entries` (JSON object members) padded to 8 bytes, then `dataBytes` zeros.
  func file(entries: String, dataBytes: Int) -> Data {
    var header = Array("{\(entries)}".utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var data = Data()
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    data.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
    return data
  }

  /// Tensors must tile the data from its start to its end, as the Python package requires:
  /// overlapping offsets (which made CharRNN trap), gaps and trailing bytes are refused.
  @Test(arguments: [
    (
      #""a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}"#,
      24, "tensors 'a' and 'b' overlap: data_offsets [0, 16] and [8, 24]"
    ),
    (
      #""a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}"#,
      24, "data bytes [8, 16) belong to no tensor (before 'b'): the file is damaged"
    ),
    (
      #""a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}"#, 8 + 4096,
      "4096 bytes follow the last tensor, which ends at data byte 8: the file is padded or damaged"
    ),
    (
      #""a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}"#, 16,
      "data bytes [0, 8) belong to no tensor (before 'a'): the file is damaged"
    ),
  ])
  func tensorsTileTheData(entries: String, dataBytes: Int, message: String) {
    #expect {
      try Safetensors.decode(file(entries: entries, dataBytes: dataBytes))
    } throws: { error in
      (error as? SafetensorsError)?.message == message
    }
  }

  /// The Python package refuses the same files (overlap, gap, trailing bytes).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func thePythonPackageRefusesTheSameFiles() throws {
    for (entries, bytes) in [
      (
        #""a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}"#,
        24
      ),
      (#""a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}"#, 8 + 4096),
    ] {
      let url = FileManager.default.temporaryDirectory.appending(path: "bad-\(UUID()).safetensors")
      defer { try? FileManager.default.removeItem(at: url) }
      try file(entries: entries, dataBytes: bytes).write(to: url)
      #expect(throws: (any Error).self) {
        try PythonPeer.run("safetensors_peer.py", ["read", url.path])
      }
      #expect(throws: SafetensorsError.self) { try Safetensors.read(from: url) }
    }
  }

  /// Messages stay short whatever the file holds: a 100,000-dimension shape (a 200 KB message
  /// before), a long name with a newline in it.
  @Test func messagesAreCut() throws {
    let shape = "[" + Array(repeating: "1", count: 100_000).joined(separator: ",") + ",-1]"
    let name = String(repeating: "n", count: 10_000) + "\nINJECTED"
    for entries in [
      #""t":{"dtype":"F64","shape":\#(shape),"data_offsets":[0,8]}"#,
      #""\#(name.replacingOccurrences(of: "\n", with: "\\n"))":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}"#,
    ] {
      do {
        _ = try Safetensors.decode(file(entries: entries, dataBytes: 8))
        Issue.record("accepted")
      } catch {
        #expect(error.message.utf8.count < 600, "\(error.message.prefix(300))")
        #expect(!error.message.contains("\n"))
      }
    }
  }

  /// `write` names its temporary as the CLI does (`.compgraph-PID-XXXXXX.tmp`, no
  /// `.dat.nosync` copies) and removes those a killed writer left.
  @Test func writeCleansUpAsTheCLIDoes() throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "st-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    // A pid no process has (beyond pid_max), as a SIGKILL'd writer leaves.
    let stale = folder.appending(path: ".compgraph-99999999-abcdef.tmp")
    try Data(count: 886_000).write(to: stale)
    let url = folder.appending(path: "w.safetensors")
    try Safetensors.write(tensors, to: url)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["w.safetensors"])
    #expect(try Safetensors.read(from: url) == tensors)
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
