import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The native backend's cache folder: for each KEY, the library `KEY.so`, its source `KEY.c`
/// and `KEY.sha256`, the library's SHA-256, written last (see `NativeCode`).
///
/// **Trust.** The folder is created 0700 and its files 0600 (the libraries 0700), whatever the
/// umask; a folder that another user owns, or that its group or others may write, is refused
/// (the caller falls back to the interpreter), since whoever can write it can make this
/// process load their code. A library is loaded only when its bytes, read through the
/// descriptor that is checked to be the file `dlopen` then loads, match its digest: a
/// replaced, damaged or truncated library (which `ld.so` would run, or crash on with SIGBUS)
/// is compiled again, never loaded.
///
/// **Temporaries.** Each compile writes `.tmp-PID-UUID.c`, `.so` and `.sha256` and renames them
/// into place; cleanup removes only files named exactly so, regular files of this user an hour
/// old — never a folder, never through a link.
struct NativeCache {
  let folder: URL

  /// The cache folder: `$COMPGRAPH_CACHE_DIR`, else `$XDG_CACHE_HOME/compgraph/native`, else
  /// `~/.cache/compgraph/native`; created 0700 if missing, refused if unsafe, and cleared of
  /// this cache's stale temporaries.
  static func prepare() throws(NativeCode.Unavailable) -> NativeCache {
    let environment = ProcessInfo.processInfo.environment
    let folder: URL
    if let chosen = environment["COMPGRAPH_CACHE_DIR"], !chosen.isEmpty {
      folder = URL(fileURLWithPath: chosen)
    } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
      folder = URL(fileURLWithPath: xdg).appendingPathComponent("compgraph/native")
    } else {
      folder = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".cache/compgraph/native")
    }
    var info = stat()
    if stat(folder.path, &info) != 0 {
      do {
        try FileManager.default.createDirectory(
          at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
      } catch {
        throw NativeCode.Unavailable(
          description:
            "cannot create the cache folder \(folder.path): \(error.localizedDescription)")
      }
      if mkdir(folder.path, 0o700) != 0, errno != EEXIST {
        throw NativeCode.Unavailable(
          description:
            "cannot create the cache folder \(folder.path): \(String(cString: strerror(errno)))")
      }
      // mkdir's mode passes through the umask; this one does not.
      if stat(folder.path, &info) == 0, info.st_uid == geteuid() {
        chmod(folder.path, 0o700)
        _ = stat(folder.path, &info)
      }
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw NativeCode.Unavailable(description: "the cache folder \(folder.path) is not a folder")
    }
    guard info.st_uid == geteuid() else {
      throw NativeCode.Unavailable(
        description:
          "the cache folder \(folder.path) belongs to another user (uid \(info.st_uid)); set COMPGRAPH_CACHE_DIR to a folder of your own"
      )
    }
    guard info.st_mode & 0o022 == 0 else {
      throw NativeCode.Unavailable(
        description:
          "the cache folder \(folder.path) may be written by others (mode \(String(info.st_mode & 0o7777, radix: 8))); make it private with chmod 700, or set COMPGRAPH_CACHE_DIR"
      )
    }
    let cache = NativeCache(folder: folder)
    cache.removeStaleTemporaries()
    return cache
  }

  /// Where a compile writes before renaming: `.tmp-PID-UUID` and a suffix.
  static func temporaryStem() -> String { ".tmp-\(getpid())-\(UUID().uuidString)" }

  /// Whether `file` is named as `temporaryStem()` and a suffix of the cache's own.
  static func isTemporary(_ file: String) -> Bool {
    let parts = file.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == ".tmp", !parts[1].isEmpty,
      parts[1].allSatisfy({ ("0"..."9").contains($0) })
    else { return false }
    let rest = parts[2]
    guard let dot = rest.firstIndex(of: "."),
      ["c", "so", "sha256"].contains(rest[rest.index(after: dot)...])
    else { return false }
    return UUID(uuidString: String(rest[..<dot])) != nil && rest[..<dot].count == 36
  }

  /// Removes the temporaries of compiles that were killed: files named as `temporaryStem()`
  /// makes them, regular (not links, not folders), this user's, unchanged for an hour.
  func removeStaleTemporaries() {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    let hourAgo = time(nil) - 3600
    for file in files where Self.isTemporary(file) {
      let path = folder.appendingPathComponent(file).path
      var info = stat()
      guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
        info.st_uid == geteuid(), modified(info) < hourAgo
      else { continue }
      unlink(path)
    }
  }

  /// The library of `key`, open for `dlopen`, if `KEY.c` holds `source` and the library's bytes
  /// match `KEY.sha256`; nil when anything is missing, differs or is not this user's regular
  /// file (the caller compiles it again).
  func verifiedLibrary(key: String, source: String) -> VerifiedLibrary? {
    guard let stored = readFile("\(key).c", limit: source.utf8.count + 1),
      stored.elementsEqual(source.utf8),
      let digest = readFile("\(key).sha256", limit: 64),
      let library = VerifiedLibrary(path: folder.appendingPathComponent("\(key).so").path)
    else { return nil }
    guard library.digest == String(decoding: digest, as: UTF8.self) else {
      library.release()
      return nil
    }
    return library
  }

  /// The bytes of `file` in the folder, this user's regular file of at most `limit` bytes.
  private func readFile(_ file: String, limit: Int) -> [UInt8]? {
    let fd = open(folder.appendingPathComponent(file).path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == geteuid(),
      Int(info.st_size) <= limit
    else { return nil }
    return readAll(fd, count: Int(info.st_size))
  }

  /// Stores the compiled library (at `temporaryLibrary`), then its source (at
  /// `temporarySource`), each renamed into place, then the library's digest, written through a
  /// temporary of the cache's pattern.
  func store(key: String, temporarySource: String, temporaryLibrary: String, stem: String)
    throws(NativeCode.Unavailable)
  {
    guard let library = VerifiedLibrary(path: temporaryLibrary) else {
      throw NativeCode.Unavailable(description: "the compiler wrote no library")
    }
    let digest = library.digest
    library.release()
    chmod(temporaryLibrary, 0o700)
    try moveIntoPlace(temporaryLibrary, to: "\(key).so")
    try moveIntoPlace(temporarySource, to: "\(key).c")
    try writeFile(Array(digest.utf8), to: "\(key).sha256", through: stem + ".sha256")
  }

  /// Writes `bytes` to the temporary `temporary` (created 0600, refusing an existing file or
  /// link) and renames it to `file`.
  private func writeFile(_ bytes: [UInt8], to file: String, through temporary: String)
    throws(NativeCode.Unavailable)
  {
    let path = folder.appendingPathComponent(temporary).path
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw failure() }
    fchmod(fd, 0o600)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else {
      unlink(path)
      throw failure()
    }
    try moveIntoPlace(path, to: file)
  }

  private func moveIntoPlace(_ path: String, to file: String) throws(NativeCode.Unavailable) {
    guard rename(path, folder.appendingPathComponent(file).path) == 0 else {
      let error = failure()
      unlink(path)
      throw error
    }
  }

  private func failure() -> NativeCode.Unavailable {
    NativeCode.Unavailable(
      description: "cannot write into \(folder.path): \(String(cString: strerror(errno)))")
  }
}

/// A library file held open with its SHA-256: this user's regular file, not reached through a
/// link, read through the descriptor that stays open until it is loaded.
struct VerifiedLibrary {
  let path: String
  let fd: Int32
  let digest: String
  let device: UInt
  let inode: UInt

  init?(path: String) {
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == geteuid(),
      let bytes = readAll(fd, count: Int(info.st_size))
    else {
      close(fd)
      return nil
    }
    self.path = path
    self.fd = fd
    digest = bytes.withUnsafeBytes { SHA256.hex($0) }
    device = UInt(info.st_dev)
    inode = UInt(info.st_ino)
  }

  /// Whether `path` still names the file that was read (not replaced since).
  var isUnchanged: Bool {
    var info = stat()
    return lstat(path, &info) == 0 && UInt(info.st_dev) == device && UInt(info.st_ino) == inode
  }

  func release() { close(fd) }
}

/// When the file `info` describes was last written, in seconds since 1970.
private func modified(_ info: stat) -> time_t {
  #if canImport(Darwin)
    info.st_mtimespec.tv_sec
  #else
    info.st_mtim.tv_sec
  #endif
}

/// `count` bytes read from `fd`, or nil when the file holds fewer.
private func readAll(_ fd: Int32, count: Int) -> [UInt8]? {
  var bytes = [UInt8](repeating: 0, count: count)
  var done = 0
  while done < count {
    let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, count - done) }
    if n < 0, errno == EINTR { continue }
    guard n > 0 else { return nil }
    done += n
  }
  return bytes
}
