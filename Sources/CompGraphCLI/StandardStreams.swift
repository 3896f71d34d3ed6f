import CompGraph
import Foundation

/// Standard output and error through `write(2)`, so a failed write is an
/// error rather than a trap (Foundation's `FileHandle.write` traps on
/// ENOSPC, and `print` drops the error).
enum StandardStreams {
  /// Writes `text` to standard output; a failure (a full device, a closed
  /// pipe) is a `UserError`, exit code 1.
  static func write(_ text: String) throws {
    try write(Data(text.utf8))
  }

  /// Writes `data` to standard output, or throws a `UserError`.
  static func write(_ data: Data) throws {
    if let reason = writeAll(data, to: STDOUT_FILENO) {
      throw UserError("cannot write to standard output: \(reason)")
    }
  }

  /// Writes `lines`, each followed by a newline, to standard output.
  static func write(lines: [String]) throws {
    try write(lines.map { $0 + "\n" }.joined())
  }

  /// The longest message line written: longer ones keep their start and
  /// end around a note of what was cut.
  static let messageLineLimit = 400

  /// Writes a message to standard error, control and invisible characters
  /// escaped (`displayText`: nothing in a message can drive the terminal)
  /// and every line cut to `messageLineLimit`.  A failure there is ignored:
  /// there is nowhere left to report it.
  static func writeError(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      let shown = displayText(line)
      guard shown.count > messageLineLimit else { return shown }
      let keep = messageLineLimit / 2
      return
        "\(shown.prefix(keep))… (\(shown.count - 2 * keep) characters cut) …\(shown.suffix(keep))"
    }
    _ = writeAll(Data((lines.joined(separator: "\n") + "\n").utf8), to: STDERR_FILENO)
  }

}
