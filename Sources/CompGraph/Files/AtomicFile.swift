import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file written whole or not at all: into a temporary file `.compgraph-PID-XXXXXX.tmp` in the
/// same folder (`TemporaryFiles`: removed on SIGINT, SIGTERM and SIGHUP, and after a SIGKILL by
/// the next write into that folder), given the old file's permissions (a new file 0666 less the
/// umask), synced, then renamed over the target. A failed or interrupted write leaves the old
/// file untouched and no temporary behind. The CLI's outputs and `Safetensors.write` (a
/// checkpoint) are written so.
package enum AtomicFile {
  /// Writes `data` to the regular file (or new file) `target`; `name` is how messages call it.
  package static func write(_ data: Data, to target: String, named name: String? = nil)
    throws(AtomicFileError)
  {
    var status = stat()
    let mode = stat(target, &status) == 0 ? status.st_mode & 0o7777 : nil
    try replace(target, with: data, mode: mode, named: name ?? target)
  }

  /// Writes a temporary file next to `target` and renames it over `target`.
  package static func replace(_ target: String, with data: Data, mode: mode_t?, named path: String)
    throws(AtomicFileError)
  {
    let directory = (target as NSString).deletingLastPathComponent
    let folder = directory.isEmpty ? "." : directory
    TemporaryFiles.removeStale(in: folder)
    let temporary = try TemporaryFiles.create(in: folder, for: path)
    defer { TemporaryFiles.forget(temporary) }
    // A new file gets the usual permissions (0666 less the umask), an
    // existing one keeps its own.
    let permissions = mode ?? (0o666 & ~TemporaryFiles.umaskValue)
    var failure = writeAll(data, to: temporary.descriptor)
    if failure == nil,
      fchmod(temporary.descriptor, permissions) != 0 || fsync(temporary.descriptor) != 0
    {
      failure = String(cString: strerror(errno))
    }
    if close(temporary.descriptor) != 0, failure == nil {
      failure = String(cString: strerror(errno))
    }
    if failure == nil, rename(temporary.path, target) != 0 {
      failure = String(cString: strerror(errno))
    }
    if let failure {
      unlink(temporary.path)
      throw AtomicFileError("cannot write '\(displayText(path))': \(failure)")
    }
  }
}

/// Writes all of `data` to `descriptor`, retrying short writes and EINTR; the reason on failure.
package func writeAll(_ data: Data, to descriptor: Int32) -> String? {
  data.withUnsafeBytes { buffer -> String? in
    var offset = 0
    while offset < buffer.count {
      let n = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return String(cString: strerror(errno))
      }
      offset += n
    }
    return nil
  }
}

/// A file that could not be written, and why.
package struct AtomicFileError: Error, CustomStringConvertible {
  package let description: String
  init(_ description: String) { self.description = description }
}
