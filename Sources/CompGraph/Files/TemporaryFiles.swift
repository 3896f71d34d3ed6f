import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The temporary files `AtomicFile` (the CLI's outputs, `Safetensors.write`) renames over its targets: short names
/// (`.compgraph-PID-XXXXXX.tmp`, so a long target name still fits the
/// 255-byte limit), removed when SIGINT, SIGTERM or SIGHUP interrupts the
/// write, and — after a SIGKILL — removed by the next write into that
/// directory once their process is gone.
package enum TemporaryFiles {
  package struct File {
    let path: String
    let descriptor: Int32
  }

  private static let prefix = ".compgraph-"
  private static let suffix = ".tmp"

  /// The one temporary file being written, for the signal handler (a C
  /// string, so the handler only calls `unlink`, which is async-signal-safe).
  nonisolated(unsafe) private static var pending: UnsafeMutablePointer<CChar>?
  nonisolated(unsafe) private static var handlersInstalled = false

  /// Creates a new temporary file in `folder` for writing `path`.
  static func create(in folder: String, for path: String) throws(AtomicFileError) -> File {
    installHandlers()
    var template = Array("\(folder)/\(prefix)\(getpid())-XXXXXX\(suffix)".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer {
      mkstemps($0.baseAddress!, Int32(suffix.utf8.count))
    }
    guard descriptor >= 0 else {
      let reason = String(cString: strerror(errno))
      let hint =
        errno == ENOENT
        ? "the directory '\(displayText(folder))' does not exist"
        : "cannot create a file in '\(displayText(folder))': \(reason)"
      throw AtomicFileError("cannot write '\(displayText(path))': \(hint)")
    }
    let file = File(
      path: String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self),
      descriptor: descriptor)
    pending = strdup(file.path)
    return file
  }

  /// Stops tracking `file` once it was renamed or removed.
  static func forget(_ file: File) {
    let old = pending
    pending = nil
    free(old)
  }

  /// Removes this tool's temporary files in `folder` whose process no
  /// longer runs (left by a SIGKILL).
  static func removeStale(in folder: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
      let fields = name.dropFirst(prefix.count).split(separator: "-")
      guard fields.count == 2, let pid = pid_t(fields[0]), pid > 0, pid != getpid() else {
        continue
      }
      if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(folder)/\(name)") }
    }
  }

  /// The process's file-creation mask.
  package static var umaskValue: mode_t {
    let mask = umask(0)
    umask(mask)
    return mask
  }

  /// On SIGINT, SIGTERM and SIGHUP (unless ignored): remove the pending
  /// temporary file, then die of the signal as before.
  private static func installHandlers() {
    guard !handlersInstalled else { return }
    handlersInstalled = true
    let handler: @convention(c) (Int32) -> Void = { signalNumber in
      if let path = TemporaryFiles.pending { unlink(path) }
      signal(signalNumber, SIG_DFL)
      raise(signalNumber)
    }
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
      // A signal the process ignores (a background job's SIGINT, nohup's
      // SIGHUP) stays ignored.
      var previous = sigaction()
      sigaction(signalNumber, nil, &previous)
      #if canImport(Glibc)
        let current = previous.__sigaction_handler.sa_handler
      #else
        let current = previous.__sigaction_u.__sa_handler
      #endif
      if let current, unsafeBitCast(current, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
        continue
      }
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
      #else
        action.__sigaction_u.__sa_handler = handler
      #endif
      sigemptyset(&action.sa_mask)
      sigaction(signalNumber, &action, nil)
    }
  }
}
