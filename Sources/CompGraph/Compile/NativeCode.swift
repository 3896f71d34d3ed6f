import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A scalar graph's C code (`Graph.cCode`) compiled by clang into a shared library at run time
/// and loaded with `dlopen`: the native backend `Program` opts into (`Program.Backend.native`).
///
/// **Cache.** Libraries are kept in `$COMPGRAPH_CACHE_DIR`, else `$XDG_CACHE_HOME/compgraph/native`,
/// else `~/.cache/compgraph/native`, as `KEY.so` beside its source `KEY.c`, where KEY hashes the
/// source, the compiler, its flags and the CPU (the code is built for the CPU at hand). A library
/// is reused only when the stored source equals the new one, so a hash collision recompiles.
/// Concurrent processes are safe: each compiles into its own temporary files in the cache folder
/// and renames them into place (atomic on one file system), the library before its source, so a
/// reader that finds the source finds a complete library; temporaries are removed on every path
/// (those of a killed compile, an hour later).
///
/// **Compiler.** `$COMPGRAPH_CC`, else the first `clang` on `PATH` (Swift toolchains ship one).
final class NativeCode: @unchecked Sendable {
  /// `void f(const double *in, double *out)`.
  typealias Point = @convention(c) (UnsafePointer<Double>?, UnsafeMutablePointer<Double>?) -> Void
  /// `void f_batch(size_t n, const double *const *in, double *const *out)`.
  typealias Batch =
    @convention(c) (
      Int, UnsafePointer<UnsafePointer<Double>?>?, UnsafePointer<UnsafeMutablePointer<Double>?>?
    ) -> Void

  /// Why native code is not available: no compiler, or it failed.
  struct Unavailable: Error, CustomStringConvertible {
    let description: String
  }

  let point: Point
  let batch: Batch
  private let handle: UnsafeMutableRawPointer

  /// The flags the C code is compiled with: optimised and vectorised for this CPU (with its
  /// widest vectors: AVX-512 where there is one), without contracting into fused multiply-adds
  /// (so it rounds as `Program` does). Graphs above `Graph.loopedThreshold` operations come as
  /// loops over groups of nodes (`Graph.cCode`), so the compile takes seconds at most whatever
  /// the graph's size.
  static let flags = [
    "-std=c99", "-O3", "-march=native", "-mprefer-vector-width=512", "-ffp-contract=off", "-fPIC",
    "-shared", "-w",
  ]

  /// Compiles (or finds in the cache) and loads `graph`'s C code.
  init(_ graph: Graph) throws {
    // The graph as given, as the interpreter runs it.
    let source = try graph.cCode(name: "cg_native", stabilizing: false)
    let compiler = try Self.compiler()
    let folder = try Self.cacheFolder()
    let flags = Self.flags
    let key = Self.hash([source, compiler] + flags + [Self.cpu])
    let library = folder.appendingPathComponent("\(key).so")
    let stored = folder.appendingPathComponent("\(key).c")
    if (try? String(contentsOf: stored, encoding: .utf8)) != source
      || !FileManager.default.fileExists(atPath: library.path)
    {
      if graph.operationCount > Graph.loopedThreshold {
        FileHandle.standardError.write(
          Data(
            "compgraph: compiling native code for \(graph.operationCount) operations (seconds; cached in \(folder.path))\n"
              .utf8))
      }
      try Self.compile(
        source, with: compiler, flags: flags, to: library, storing: stored, in: folder)
    }
    guard let handle = dlopen(library.path, RTLD_NOW | RTLD_LOCAL) else {
      throw Unavailable(description: "cannot load \(library.path): \(String(cString: dlerror()))")
    }
    guard let point = dlsym(handle, "cg_native"), let batch = dlsym(handle, "cg_native_batch")
    else {
      dlclose(handle)
      throw Unavailable(description: "\(library.path) lacks cg_native or cg_native_batch")
    }
    self.handle = handle
    self.point = unsafeBitCast(point, to: Point.self)
    self.batch = unsafeBitCast(batch, to: Batch.self)
  }

  deinit { dlclose(handle) }

  /// Compiles `source` into temporaries in `folder`, then renames the library and the source
  /// into place.
  private static func compile(
    _ source: String, with compiler: String, flags: [String], to library: URL, storing stored: URL,
    in folder: URL
  ) throws {
    let stem = ".tmp-\(getpid())-\(UUID().uuidString)"
    let temporarySource = folder.appendingPathComponent(stem + ".c")
    let temporaryLibrary = folder.appendingPathComponent(stem + ".so")
    defer {
      try? FileManager.default.removeItem(at: temporarySource)
      try? FileManager.default.removeItem(at: temporaryLibrary)
    }
    try source.write(to: temporarySource, atomically: false, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: compiler)
    process.arguments = flags + ["-o", temporaryLibrary.path, temporarySource.path, "-lm"]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let first = String(decoding: message, as: UTF8.self).split(separator: "\n").first ?? ""
      throw Unavailable(
        description: "\(compiler) failed (exit \(process.terminationStatus)): \(first)")
    }
    guard rename(temporaryLibrary.path, library.path) == 0,
      rename(temporarySource.path, stored.path) == 0
    else {
      throw Unavailable(
        description: "cannot write into \(folder.path): \(String(cString: strerror(errno)))")
    }
  }

  /// `$COMPGRAPH_CC`, else `clang` on `PATH`.
  static func compiler() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let chosen = environment["COMPGRAPH_CC"] {
      let path = chosen.contains("/") ? chosen : onPath(chosen, environment["PATH"] ?? "")
      guard let path, FileManager.default.isExecutableFile(atPath: path) else {
        throw Unavailable(description: "COMPGRAPH_CC=\(chosen) is not an executable")
      }
      return path
    }
    guard let clang = onPath("clang", environment["PATH"] ?? "") else {
      throw Unavailable(description: "no clang on PATH (or set COMPGRAPH_CC)")
    }
    return clang
  }

  private static func onPath(_ name: String, _ path: String) -> String? {
    path.split(separator: ":").map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// The cache folder (see the type's comment), created if missing.
  static func cacheFolder() throws -> URL {
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
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw Unavailable(description: "cannot create the cache folder \(folder.path): \(error)")
    }
    // Temporaries of a compile that was killed, once no compile can still be writing them.
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for file in files where file.hasPrefix(".tmp-") {
      let path = folder.appendingPathComponent(file).path
      let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate]
      if let modified = modified as? Date, modified.timeIntervalSinceNow < -3600 {
        try? FileManager.default.removeItem(atPath: path)
      }
    }
    return folder
  }

  /// The CPU's model name (`-march=native` builds for it), or "" where unknown.
  static let cpu: String = {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    return info.split(separator: "\n").first { $0.hasPrefix("model name") }.map(String.init) ?? ""
  }()

  /// 64-bit FNV-1a of the parts (each followed by a 0 byte), as 16 hex digits.
  static func hash(_ parts: [String]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for part in parts {
      for byte in part.utf8 + [0] {
        h ^= UInt64(byte)
        h &*= 0x0000_0100_0000_01b3
      }
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
