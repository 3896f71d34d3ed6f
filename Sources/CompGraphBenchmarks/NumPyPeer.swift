import Foundation

/// NumPy's side of W4, measured in the same invocation: runs
/// `Benchmarks/w4_numpy.py` (with the test-only venv's Python when it is
/// there, else `python3`) and returns its seconds per case.  Empty, with a
/// message on stderr, when NumPy cannot be run.
func numpyW4Seconds() -> [String: Double] {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  let venv = root.appendingPathComponent(".build/venv/bin/python").path
  let process = Process()
  if FileManager.default.isExecutableFile(atPath: venv) {
    process.executableURL = URL(fileURLWithPath: venv)
    process.arguments = [root.appendingPathComponent("Benchmarks/w4_numpy.py").path]
  } else {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", root.appendingPathComponent("Benchmarks/w4_numpy.py").path]
  }
  let output = Pipe()
  process.standardOutput = output
  FileHandle.standardError.write(Data("W4 numpy (same run)\n".utf8))
  do { try process.run() } catch {
    FileHandle.standardError.write(Data("W4: NumPy not run (\(error)); lines without it\n".utf8))
    return [:]
  }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    FileHandle.standardError.write(
      Data("W4: NumPy exited with \(process.terminationStatus); lines without it\n".utf8))
    return [:]
  }
  var seconds: [String: Double] = [:]
  for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
    if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      let name = object["case"] as? String, let s = object["seconds"] as? Double
    {
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
