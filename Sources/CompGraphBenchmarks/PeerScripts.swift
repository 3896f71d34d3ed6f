import Foundation

/// The JSON lines a peer's script in `Benchmarks/` prints, run in the same
/// invocation with `arguments` (with the test-only venv's Python when it is there, else
/// `python3`).  Empty, with a message on stderr, when it cannot be run.
func runPeerScript(_ name: String, arguments: [String] = []) -> [[String: Any]] {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  let script = root.appendingPathComponent("Benchmarks/" + name).path
  let venv = root.appendingPathComponent(".build/venv/bin/python").path
  let process = Process()
  if FileManager.default.isExecutableFile(atPath: venv) {
    process.executableURL = URL(fileURLWithPath: venv)
    process.arguments = [script] + arguments
  } else {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
  }
  let output = Pipe()
  process.standardOutput = output
  FileHandle.standardError.write(Data("\(name) (same run)\n".utf8))
  do { try process.run() } catch {
    FileHandle.standardError.write(Data("\(name) not run (\(error)); lines without it\n".utf8))
    return []
  }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    FileHandle.standardError.write(
      Data("\(name) exited with \(process.terminationStatus); lines without it\n".utf8))
    return []
  }
  return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
  }
}

/// NumPy's seconds per W4 case (`Benchmarks/w4_numpy.py`), same run.
func numpyW4Seconds() -> [String: Double] {
  var seconds: [String: Double] = [:]
  for object in runPeerScript("w4_numpy.py") {
    if let name = object["case"] as? String, let s = object["seconds"] as? Double {
      seconds[name] = s
    }
  }
  return seconds
}

/// `line` (one W4 JSON object) with NumPy's same-run seconds for its case
/// and our speed over NumPy's (above 1: faster than NumPy).
func withNumPy(_ line: String, _ numpy: [String: Double]) -> String {
  guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
    let name = object["case"] as? String, let theirs = numpy[name],
    let ours = object["seconds"] as? Double, line.hasSuffix("}")
  else { return line }
  let figures = String(
    format: #","numpy_same_run_seconds":%.4g,"speed_vs_numpy":%.3g}"#, theirs, theirs / ours)
  return String(line.dropLast()) + figures
}
