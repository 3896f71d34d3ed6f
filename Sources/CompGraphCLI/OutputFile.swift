import Foundation

/// Writes `data` to `path` atomically: into a temporary file in the same
/// directory, then renamed over `path`.  A failure leaves no file behind
/// (and an existing file untouched).
func writeAtomically(_ data: Data, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let directory = url.deletingLastPathComponent()
  let temporary = directory.appendingPathComponent(
    ".\(url.lastPathComponent).\(UUID().uuidString).tmp")
  guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
    throw UserError(
      "cannot write '\(path)': the directory '\(directory.path)' does not exist or is not writable")
  }
  guard rename(temporary.path, url.path) == 0 else {
    let reason = String(cString: strerror(errno))
    try? FileManager.default.removeItem(at: temporary)
    throw UserError("cannot write '\(path)': \(reason)")
  }
}

/// Whether standard output is a terminal (binary output is refused there).
var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
