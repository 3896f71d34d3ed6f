import Foundation

/// Writes `data` to `path` (`-` is standard output) without ever damaging
/// what is there:
/// - a regular file (or a new one) is written atomically: into a temporary
///   file `.compgraph-PID-XXXXXX.tmp` in the same directory, given the old
///   file's permissions, then renamed over it, so a failed or interrupted
///   run leaves the old file untouched and no temporary behind;
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
    try replaceAtomically(
      target, with: data, mode: exists ? status.st_mode & 0o7777 : nil, named: path)
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
  if let reason = StandardStreams.writeAll(data, to: descriptor) {
    throw UserError("cannot write '\(path)': \(reason)")
  }
}

/// Writes a temporary file next to `target` and renames it over `target`.
private func replaceAtomically(
  _ target: String, with data: Data, mode: mode_t?, named path: String
) throws {
  let directory = (target as NSString).deletingLastPathComponent
  let folder = directory.isEmpty ? "." : directory
  TemporaryFiles.removeStale(in: folder)
  let temporary = try TemporaryFiles.create(in: folder, for: path)
  defer { TemporaryFiles.forget(temporary) }
  // A new file gets the usual permissions (0666 less the umask), an
  // existing one keeps its own.
  let permissions = mode ?? (0o666 & ~TemporaryFiles.umaskValue)
  var failure = StandardStreams.writeAll(data, to: temporary.descriptor)
  if failure == nil,
    fchmod(temporary.descriptor, permissions) != 0 || fsync(temporary.descriptor) != 0
  {
    failure = String(cString: strerror(errno))
  }
  if close(temporary.descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
  if failure == nil, rename(temporary.path, target) != 0 {
    failure = String(cString: strerror(errno))
  }
  if let failure {
    unlink(temporary.path)
    throw UserError("cannot write '\(path)': \(failure)")
  }
}

/// A `UserError` for `path` naming `errno`'s cause.
private func writeError(_ path: String) -> UserError {
  UserError("cannot write '\(path)': \(String(cString: strerror(errno)))")
}

/// Whether standard output is a terminal (binary output is refused there).
var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
