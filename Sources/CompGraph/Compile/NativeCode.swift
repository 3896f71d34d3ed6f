import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A scalar graph's C code (`Graph.cCode`) compiled by clang into a shared library at run time
/// and loaded with `dlopen`: the native backend `Program` opts into (`Program.Backend.native`).
/// Its functions take and give doubles; an f32 graph's code reads them into floats and
/// computes in float, with the f32 kernels.
///
/// **Cache.** Libraries are kept in a private folder (`NativeCache`) as `KEY.so` beside its
/// source `KEY.c` and its SHA-256 `KEY.sha256`, where KEY hashes the source, the compiler, its
/// flags and the CPU (the code is built for the CPU at hand). A library is loaded only when the
/// stored source equals the new one (so a hash collision recompiles) and its bytes match the
/// digest (so a replaced or truncated library recompiles). Concurrent processes are safe: each
/// compiles into its own temporary files in the cache folder and renames them into place
/// (atomic on one file system), the digest last, so a reader that finds a digest finds the
/// library it describes; temporaries are removed on every path (those of a killed compile, an
/// hour later).
///
/// **Compiler.** `$COMPGRAPH_CC`, else the first `clang` on `PATH` (Swift toolchains ship one),
/// run for at most `$COMPGRAPH_CC_TIMEOUT` seconds (default `defaultTimeout`), then killed with
/// everything it started (`CompilerProcess`).
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

  /// The compiler and how messages name it: `COMPGRAPH_CC=PATH`, or `clang (PATH)`.
  struct Compiler {
    let path: String
    let label: String
  }

  let point: Point
  let batch: Batch
  private let handle: UnsafeMutableRawPointer
  /// The loaded file, held open while it is loaded.
  private let library: VerifiedLibrary

  /// The flags the C code is compiled with: optimised and vectorised for this CPU (with its
  /// widest vectors: AVX-512 where there is one), without contracting into fused multiply-adds
  /// (so it rounds as `Program` does), stripped and with a fixed soname (the symbol table and
  /// the linker would name the temporary files, so two compiles of one graph would differ, and
  /// their digests with them).
  /// Graphs above `Graph.loopedThreshold` operations come as
  /// loops over groups of nodes (`Graph.cCode`), so the compile takes seconds at most whatever
  /// the graph's size.
  static let flags = [
    "-std=c99", "-O3", "-march=native", "-mprefer-vector-width=512", "-ffp-contract=off", "-fPIC",
    "-shared", "-w", "-s", "-Wl,-soname,cg_native",
  ]

  /// The seconds a compile may take when `COMPGRAPH_CC_TIMEOUT` does not say: the looped form
  /// compiles in seconds, so this is only reached by a compiler that hangs.
  static let defaultTimeout = 300.0

  /// Compiles (or finds in the cache) and loads `graph`'s C code.
  init(_ graph: Graph) throws {
    // `Graph.cCode` writes a tensor graph's loops, but a tensor graph runs on its `TensorPlan`.
    guard graph.ids.allSatisfy({ graph.shape($0).isEmpty }) else {
      throw Unavailable(description: "native code covers scalar graphs, and this one has tensors")
    }
    // The graph as given, as the interpreter runs it, taking and giving doubles (an f32 graph's
    // code computes in float).
    let source = try graph.cCode(
      name: "cg_native", looped: graph.operationCount > Graph.loopedThreshold, interface: .f64)
    let compiler = try Self.compiler()
    let cache = try NativeCache.prepare()
    let key = Self.hash([source, compiler.path] + Self.flags + [Self.cpu])
    var library = cache.verifiedLibrary(key: key, source: source)
    if library == nil {
      if graph.operationCount > Graph.loopedThreshold {
        FileHandle.standardError.write(
          Data(
            "compgraph: compiling native code for \(graph.operationCount) operations (seconds; cached in \(cache.folder.path))\n"
              .utf8))
      }
      try Self.compile(source, with: compiler, key: key, into: cache)
      library = cache.verifiedLibrary(key: key, source: source)
    }
    guard let library else {
      throw Unavailable(
        description:
          "the library \(compiler.label) built in \(cache.folder.path) does not match its digest")
    }
    // On Linux the library is loaded through the descriptor its bytes were read from, so what
    // runs is what was checked; the descriptor stays open while it is loaded, so no other
    // library is ever loaded under the same /proc name. Elsewhere, by path, and refused if the
    // path names another file afterwards.
    #if os(Linux)
      let loaded = "/proc/self/fd/\(library.fd)"
    #else
      let loaded = library.path
    #endif
    guard let handle = dlopen(loaded, RTLD_NOW | RTLD_LOCAL) else {
      library.release()
      throw Unavailable(description: "cannot load \(library.path): \(String(cString: dlerror()))")
    }
    #if !os(Linux)
      guard library.isUnchanged else {
        dlclose(handle)
        library.release()
        throw Unavailable(description: "\(library.path) was replaced while it was loaded")
      }
    #endif
    guard let point = dlsym(handle, "cg_native"), let batch = dlsym(handle, "cg_native_batch")
    else {
      dlclose(handle)
      library.release()
      throw Unavailable(description: "\(library.path) lacks cg_native or cg_native_batch")
    }
    self.handle = handle
    self.library = library
    self.point = unsafeBitCast(point, to: Point.self)
    self.batch = unsafeBitCast(batch, to: Batch.self)
  }

  deinit {
    dlclose(handle)
    library.release()
  }

  /// Compiles `source` into temporaries in the cache folder, then stores the library, the source
  /// and the digest under `key`.
  private static func compile(
    _ source: String, with compiler: Compiler, key: String, into cache: NativeCache
  ) throws {
    let stem = NativeCache.temporaryStem()
    let temporarySource = cache.folder.appendingPathComponent(stem + ".c").path
    let temporaryLibrary = cache.folder.appendingPathComponent(stem + ".so").path
    defer {
      for suffix in [".c", ".so", ".sha256"] {
        unlink(cache.folder.appendingPathComponent(stem + suffix).path)
      }
    }
    let fd = open(temporarySource, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw Unavailable(
        description: "cannot write into \(cache.folder.path): \(String(cString: strerror(errno)))")
    }
    fchmod(fd, 0o600)
    let bytes = Array(source.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else {
      throw Unavailable(description: "cannot write into \(cache.folder.path)")
    }
    let seconds = timeout()
    guard
      let run = try CompilerProcess.run(
        compiler.path, flags + ["-o", temporaryLibrary, temporarySource, "-lm"], seconds: seconds)
    else {
      throw Unavailable(
        description:
          "\(compiler.label) took longer than \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s and was stopped (set COMPGRAPH_CC_TIMEOUT to allow longer)"
      )
    }
    guard run.status == 0 else {
      let first = run.errors.split(separator: "\n").first.map { ": \(displayText($0, limit: 300))" }
      throw Unavailable(description: "\(compiler.label) failed (exit \(run.status))\(first ?? "")")
    }
    do {
      try cache.store(
        key: key, temporarySource: temporarySource, temporaryLibrary: temporaryLibrary, stem: stem)
    } catch {
      throw Unavailable(description: "\(compiler.label) is not a C compiler: \(error)")
    }
  }

  /// `$COMPGRAPH_CC_TIMEOUT` (positive seconds), else `defaultTimeout`.
  static func timeout() -> Double {
    let text = ProcessInfo.processInfo.environment["COMPGRAPH_CC_TIMEOUT"] ?? ""
    guard let seconds = Double(text), seconds > 0, seconds.isFinite else { return defaultTimeout }
    return seconds
  }

  /// `$COMPGRAPH_CC`, else `clang` on `PATH`: an executable file, with a message that names
  /// `COMPGRAPH_CC` when it is empty, a folder, missing or not executable.
  static func compiler() throws -> Compiler {
    let environment = ProcessInfo.processInfo.environment
    if let chosen = environment["COMPGRAPH_CC"] {
      let shown = displayText(chosen, limit: 200)
      guard !chosen.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw Unavailable(
          description:
            "COMPGRAPH_CC is set but empty; name a C compiler (COMPGRAPH_CC=clang), or unset it to use clang from PATH"
        )
      }
      guard let path = chosen.contains("/") ? chosen : onPath(chosen, environment["PATH"] ?? "")
      else {
        throw Unavailable(
          description: "COMPGRAPH_CC=\(shown) is not on PATH; give the compiler's path")
      }
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw Unavailable(description: "COMPGRAPH_CC=\(shown): no such file")
      }
      guard !isFolder.boolValue else {
        throw Unavailable(description: "COMPGRAPH_CC=\(shown) is a folder, not a C compiler")
      }
      guard FileManager.default.isExecutableFile(atPath: path) else {
        throw Unavailable(description: "COMPGRAPH_CC=\(shown) is not executable")
      }
      return Compiler(path: path, label: "COMPGRAPH_CC=\(displayText(path, limit: 200))")
    }
    guard let clang = onPath("clang", environment["PATH"] ?? "") else {
      throw Unavailable(description: "no clang on PATH (or set COMPGRAPH_CC)")
    }
    return Compiler(path: clang, label: "clang (\(clang))")
  }

  /// The first executable file `name` in the folders of `path`.
  private static func onPath(_ name: String, _ path: String) -> String? {
    path.split(separator: ":").map { "\($0)/\(name)" }.first {
      var isFolder: ObjCBool = false
      return FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder)
        && !isFolder.boolValue && FileManager.default.isExecutableFile(atPath: $0)
    }
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
