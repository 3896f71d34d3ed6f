import CompGraph
import Foundation

/// Writes `data` to `path` (`-` is standard output) without ever damaging
/// what is there:
/// - a regular file (or a new one) is written atomically (`AtomicFile`):
///   into a temporary file `.compgraph-PID-XXXXXX.tmp` in the same
///   directory, given the old file's permissions, then renamed over it, so a
///   failed or interrupted run leaves the old file untouched and no
///   temporary behind;
/// - anything else — a character device such as `/dev/null`, a FIFO, a
///   socket — is written through, never replaced;
/// - a symbolic link is followed: its target is written as above, and the
///   link stays a link.
///
/// Errors name the real cause (`No space left on device`, `File name too
/// long`, …).
func writeOutput(_ data: Data, to path: String) throws {
  if path == "-" { return try StandardStreams.write(data) }
  let target = try resolvedTarget(path)
  var status = stat()
  let exists = stat(target, &status) == 0
  if exists && (status.st_mode & S_IFMT) == S_IFDIR {
    throw UserError("cannot write '\(path)': it is a directory")
  }
  if exists && (status.st_mode & S_IFMT) != S_IFREG {
    try writeThrough(data, to: target, named: path)
  } else {
    do {
      try AtomicFile.replace(
        target, with: data, mode: exists ? status.st_mode & 0o7777 : nil, named: path)
    } catch {
      throw UserError(error.description)
    }
  }
}

/// `path`, or where its chain of symbolic links ends (a missing final
/// target is fine: it is created).
private func resolvedTarget(_ path: String) throws -> String {
  var link = stat()
  guard lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK else { return path }
  if let resolved = realpath(path, nil) {
    defer { free(resolved) }
    return String(cString: resolved)
  }
  throw UserError(
    "cannot write '\(path)': it is a symbolic link whose target cannot be resolved ("
      + "\(String(cString: strerror(errno)))); remove the link or point it at a file")
}

/// Writes into an existing non-regular file (device, FIFO) in place.
private func writeThrough(_ data: Data, to target: String, named path: String) throws {
  let descriptor = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY)
  guard descriptor >= 0 else { throw writeError(path) }
  defer { close(descriptor) }
  if let reason = writeAll(data, to: descriptor) {
    throw UserError("cannot write '\(path)': \(reason)")
  }
}

/// A `UserError` for `path` naming `errno`'s cause.
private func writeError(_ path: String) -> UserError {
  UserError("cannot write '\(path)': \(String(cString: strerror(errno)))")
}

/// Whether standard output is a terminal (binary output is refused there).
var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
