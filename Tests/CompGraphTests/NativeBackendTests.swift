import Dispatch
import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// `Program(graph, backend: .native)`: the graph's C code compiled by clang and loaded with
/// dlopen agrees with the interpreter; the cache reuses, verifies and never leaves temporaries,
/// also under concurrent use; without a compiler the interpreter runs. Serialized: the tests set
/// the environment variables the backend reads.
@Suite(.serialized) struct NativeBackendTests {
  /// Runs `body` with `COMPGRAPH_CACHE_DIR` set to a fresh folder (removed afterwards) and
  /// `COMPGRAPH_CC` as given.
  static func withCache(compiler: String? = nil, _ body: (URL) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-native-\(UUID().uuidString)")
    setenv("COMPGRAPH_CACHE_DIR", folder.path, 1)
    if let compiler { setenv("COMPGRAPH_CC", compiler, 1) }
    defer {
      unsetenv("COMPGRAPH_CACHE_DIR")
      unsetenv("COMPGRAPH_CC")
      try? FileManager.default.removeItem(at: folder)
    }
    try body(folder)
  }

  /// Values equal to the interpreter's within 1e-15 relative (NaN to NaN), at one point and
  /// along a batch.
  static func checkAgainstInterpreter(_ graph: Graph, points: [[Double]]) throws {
    let interpreter = try Program(graph)
    let native = try Program(graph, backend: .native)
    #expect(native.backend == .native)
    #expect(native.inputNames == interpreter.inputNames)
    let columns = interpreter.inputNames.indices.map { k in points.map { $0[k] } }
    let a = try interpreter.evaluate(batch: columns, count: points.count)
    let b = try native.evaluate(batch: columns, count: points.count)
    for (p, point) in points.enumerated() {
      let x = try interpreter.evaluate(point: point), y = try native.evaluate(point: point)
      for j in x.indices {
        let batchA = a[j][j * points.count + p], batchB = b[j][j * points.count + p]
        #expect(
          ExportEveryOpTests.same(y[j], x[j], 1e-15)
            && ExportEveryOpTests.same(batchB, batchA, 1e-15),
          "\(graph.outputNames[j]) at \(point): native \(y[j]), \(batchB); interpreter \(x[j]), \(batchA)"
        )
      }
    }
  }

  /// A sum of `CG_SPLIT_SUM` operands or more is four running sums — operands j, j + 4, … in
  /// order, then (s₀ + s₁) + (s₂ + s₃) — in the interpreter's point and batch code, the native
  /// code and both forms of the C export, so at values where the order shows (terms of 1e16
  /// beside terms near 1) they all give exactly that formula's value.
  @Test func longSumsAreFourRunningSumsEverywhere() throws {
    try Self.withCache { _ in
      let g = GraphBuilder()
      let graph = try sum((0..<37).map { try g.variable("x\($0)") }).graph()
      let value = (0..<37).map { ($0.isMultiple(of: 5) ? 1e16 : 1) * sin(Double($0) + 1) }
      let sumNode = try #require(graph.ids.first { graph.inputs($0).count == 37 })
      let terms = graph.inputs(sumNode).map { id in
        guard case .variable(let name) = graph.op(id) else { return Double.nan }
        return value[Int(name.dropFirst())!]
      }
      let partials = (0..<4).map { j in
        stride(from: j + 4, to: 37, by: 4).reduce(terms[j]) { $0 + terms[$1] }
      }
      let expected = (partials[0] + partials[1]) + (partials[2] + partials[3])
      #expect(expected != terms.dropFirst().reduce(terms[0], +), "the order must show")
      let point = graph.variables.map { value[Int($0.name.dropFirst())!] }
      for program in [try Program(graph), try Program(graph, backend: .native)] {
        let columns = program.inputNames.map { [value[Int($0.dropFirst())!]] }
        #expect(try program.evaluate(point: columns.map { $0[0] }) == [expected])
        #expect(try program.evaluate(batch: columns, count: 1).values == [expected])
      }
      for looped in [false, true] {
        #expect(try CExportTests.run(graph, at: [point], looped: looped) == [expected, expected])
      }
    }
  }

  @Test func workloadsAndEveryScalarOpAgreeWithTheInterpreter() throws {
    try Self.withCache { _ in
      var generator = SystemRandomNumberGenerator()
      for order in [1, 4, 10] {
        let points = (0..<40_000).map { _ in [Double.random(in: -3...3, using: &generator)] }
        try Self.checkAgainstInterpreter(Workload.tanhDerivative(order: order), points: points)
      }
      let w2 = try Workload.w2Gradient(50)
      try Self.checkAgainstInterpreter(
        w2,
        points: (0..<5).map { _ in w2.variables.map { _ in Double.random(in: -1...1) } })
      let w3 = try Workload.w3Hessian(8)
      try Self.checkAgainstInterpreter(
        w3,
        points: (0..<5).map { _ in w3.variables.map { _ in Double.random(in: -1...1) } })
      try Self.checkAgainstInterpreter(
        try ExportEveryOpTests.everyScalarOp(), points: ExportEveryOpTests.points)
    }
  }

  /// A graph past `Graph.loopedThreshold` operations (W2's gradient at N = 1000, 12,000
  /// operations) compiles as loops over groups of nodes, in seconds, and agrees with the
  /// interpreter.
  @Test func largeGraphsCompileAsLoops() throws {
    try Self.withCache { _ in
      let graph = try Workload.w2Gradient(1000)
      #expect(graph.operationCount > Graph.loopedThreshold)
      let points = (0..<3).map { p in graph.variables.indices.map { sin(Double(p + $0)) } }
      try Self.checkAgainstInterpreter(graph, points: points)
    }
  }

  /// More inputs than the batch passes in place: the columns are copied first.
  @Test func manyInputsInABatch() throws {
    try Self.withCache { _ in
      let graph = try Workload.w2Gradient(40)
      let points = (0..<300).map { p in graph.variables.indices.map { sin(Double(p + $0)) } }
      try Self.checkAgainstInterpreter(graph, points: points)
    }
  }

  /// A tensor graph runs on its tensor plan: native code refuses it by saying so (now that
  /// `Graph.cCode` writes a tensor graph's loops, it would otherwise compile them), nothing is
  /// compiled into the cache, and the program falls back to the interpreter with its values.
  @Test func tensorGraphsFallBackToTheInterpreter() throws {
    try Self.withCache { folder in
      let g = GraphBuilder()
      let a = try g.variable("A", [2, 3])
      let graph = try sum(exp(a) * a).graph()
      #expect {
        _ = try NativeCode(graph)
      } throws: {
        "\($0)" == "native code covers scalar graphs, and this one has tensors"
      }
      let native = try Program(graph, backend: .native)
      #expect(native.backend == .interpreter)
      let point = Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 0, 3, -0.25])
      let value = try native.evaluate(["A": point])[0].scalars[0]
      let expected = try graph.evaluate(["A": point])[0].scalars[0]
      #expect(abs(value - expected) <= 1e-14 * abs(expected), "\(value), not \(expected)")
      #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty ?? true)
    }
  }

  @Test func theCacheIsReusedVerifiedAndSafeUnderConcurrentUse() throws {
    try Self.withCache { folder in
      let graph = try Workload.tanhDerivative(order: 3)
      // Four programs compile the same graph at once: one library, no temporaries left.
      DispatchQueue.concurrentPerform(iterations: 4) { _ in
        #expect((try? Program(graph, backend: .native))?.backend == .native)
      }
      var files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
      let library = try Self.entry(in: folder).library
      let built =
        try FileManager.default.attributesOfItem(atPath: library.path)[.modificationDate]
        as? Date
      // A second program loads the cached library.
      _ = try Program(graph, backend: .native)
      #expect(
        try FileManager.default.attributesOfItem(atPath: library.path)[.modificationDate] as? Date
          == built)
      // A stored source that differs (a hash collision, or a damaged cache) is compiled again.
      try "int stale;".write(
        to: folder.appendingPathComponent(files[0]), atomically: true, encoding: .utf8)
      let rebuilt = try Program(graph, backend: .native)
      #expect(rebuilt.backend == .native)
      #expect(
        try rebuilt.evaluate(point: [0.5])[0] == (try Program(graph)).evaluate(point: [0.5])[0])
      files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
      #expect(files.count == 3, "\(files)")
      #expect(
        try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
          == (try graph.cCode(name: "cg_native", stabilizing: false)))
    }
  }

  /// The only files of the cache for one graph: its source, library and digest.
  static func entry(in folder: URL) throws -> (source: URL, library: URL, digest: URL) {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    try #require(files.count == 3, "\(files)")
    try #require(
      files[0].hasSuffix(".c") && files[1].hasSuffix(".sha256") && files[2].hasSuffix(".so"))
    return (
      folder.appendingPathComponent(files[0]), folder.appendingPathComponent(files[2]),
      folder.appendingPathComponent(files[1])
    )
  }

  /// The library's digest is the SHA-256 `sha256sum` prints, in a file beside it.
  @Test func theDigestIsTheLibrarysSHA256() throws {
    try Self.withCache { folder in
      _ = try Program(try Workload.tanhDerivative(order: 2), backend: .native)
      let entry = try Self.entry(in: folder)
      let run = try runProcess(
        URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", entry.library.path])
      let stored = try String(contentsOf: entry.digest, encoding: .utf8)
      #expect(run.stdout.hasPrefix(stored + " "))
      #expect(stored.count == 64)
      for text in ["", "abc", String(repeating: "x", count: 1000)] {
        let expected = try runProcess(
          URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum"], input: text
        ).stdout.prefix(64)
        #expect(Array(text.utf8).withUnsafeBytes { SHA256.hex($0) } == expected)
      }
    }
  }

  /// A library replaced by another (whose constructor would leave a mark) is compiled again,
  /// never loaded; a truncated one (which crashed `ld.so` with SIGBUS) too, and one replaced by
  /// a link.
  @Test func aReplacedOrTruncatedLibraryIsRebuiltNeverLoaded() throws {
    try Self.withCache { folder in
      let graph = try Workload.tanhDerivative(order: 2)
      let expected = try Program(graph).evaluate(point: [0.5])
      _ = try Program(graph, backend: .native)
      let entry = try Self.entry(in: folder)
      let mark = folder.deletingLastPathComponent().appendingPathComponent("mark-\(UUID())")
      defer { try? FileManager.default.removeItem(at: mark) }
      let planted = folder.deletingLastPathComponent().appendingPathComponent("p-\(UUID()).c")
      defer { try? FileManager.default.removeItem(at: planted) }
      try """
      #include <stdio.h>
      __attribute__((constructor)) static void planted(void) {
        FILE *f = fopen("\(mark.path)", "w");
        if (f) fclose(f);
      }
      void cg_native(const double *in, double *out) { (void)in; out[0] = 42; }
      """.write(to: planted, atomically: true, encoding: .utf8)
      try CExportTests.shell(
        "cc", arguments: ["-shared", "-fPIC", "-o", entry.library.path, planted.path],
        in: folder)
      // (Each program is dropped before the file changes: a library this process has loaded
      // must not be truncated under it.)
      do {
        let replaced = try Program(graph, backend: .native)
        #expect(replaced.backend == .native)
        #expect(try replaced.evaluate(point: [0.5]) == expected)
      }
      #expect(!FileManager.default.fileExists(atPath: mark.path), "the planted library ran")
      // Truncated to half: rebuilt.
      let bytes = try Data(contentsOf: entry.library)
      try bytes.prefix(bytes.count / 2).write(to: entry.library)
      #expect(try Program(graph, backend: .native).evaluate(point: [0.5]) == expected)
      #expect(try Data(contentsOf: entry.library) == bytes)
      // Replaced by a link to a copy: not followed, rebuilt.
      let copy = folder.deletingLastPathComponent().appendingPathComponent("copy-\(UUID()).so")
      defer { try? FileManager.default.removeItem(at: copy) }
      try bytes.write(to: copy)
      try FileManager.default.removeItem(at: entry.library)
      try FileManager.default.createSymbolicLink(at: entry.library, withDestinationURL: copy)
      #expect(try Program(graph, backend: .native).evaluate(point: [0.5]) == expected)
      #expect(
        (try? FileManager.default.destinationOfSymbolicLink(atPath: entry.library.path)) == nil)
    }
  }

  /// Cleanup removes only the cache's own stale temporaries: `.tmp-PID-UUID.{c,so,sha256}`,
  /// regular files an hour old; never another file, a folder's contents, or a link's target.
  @Test func cleanupRemovesOnlyItsOwnTemporaries() throws {
    try Self.withCache { folder in
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      chmod(folder.path, 0o700)
      let outside = folder.deletingLastPathComponent().appendingPathComponent("o-\(UUID())")
      try "keep".write(to: outside, atomically: true, encoding: .utf8)
      defer { try? FileManager.default.removeItem(at: outside) }
      let uuid = UUID().uuidString
      let own = ".tmp-123-\(uuid).so"
      let kept = [
        ".tmp-mine", ".tmp-123-not-a-uuid.so", ".tmp-123-\(uuid).txt", ".tmp-x-\(uuid).c",
        ".tmp-123-\(uuid).sha256.bak",
      ]
      for file in [own] + kept {
        try "x".write(to: folder.appendingPathComponent(file), atomically: false, encoding: .utf8)
      }
      let folderNamedAsOwn = folder.appendingPathComponent(".tmp-124-\(uuid).c")
      try FileManager.default.createDirectory(
        at: folderNamedAsOwn, withIntermediateDirectories: true)
      try "inside".write(
        to: folderNamedAsOwn.appendingPathComponent("inside"), atomically: false, encoding: .utf8)
      let link = folder.appendingPathComponent(".tmp-125-\(uuid).c")
      try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
      let fresh = ".tmp-126-\(uuid).c"
      try "x".write(to: folder.appendingPathComponent(fresh), atomically: false, encoding: .utf8)
      // All but the fresh one are two hours old (the link itself, not its target).
      let old = timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)
      let times = [old, old]
      for file in [own, ".tmp-124-\(uuid).c", ".tmp-125-\(uuid).c"] + kept {
        utimensat(AT_FDCWD, folder.appendingPathComponent(file).path, times, AT_SYMLINK_NOFOLLOW)
      }
      _ = try Program(try Workload.tanhDerivative(order: 1), backend: .native)
      let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
      #expect(!files.contains(own))
      for file in kept + [".tmp-124-\(uuid).c", ".tmp-125-\(uuid).c", fresh] {
        #expect(files.contains(file), "\(file) was removed")
      }
      #expect(
        FileManager.default.fileExists(
          atPath: folderNamedAsOwn.appendingPathComponent("inside").path))
      #expect(try String(contentsOf: outside, encoding: .utf8) == "keep")
    }
  }

  /// The folder is made 0700 and its files 0600 (the library 0700) under any umask; a folder
  /// others may write, or another user's, is refused with a message and the interpreter runs.
  @Test func permissions() throws {
    try Self.withCache { folder in
      let previous = umask(0)
      defer { umask(previous) }
      let graph = try Workload.tanhDerivative(order: 1)
      #expect(try Program(graph, backend: .native).backend == .native)
      func mode(_ url: URL) -> mode_t {
        var info = stat()
        stat(url.path, &info)
        return info.st_mode & 0o7777
      }
      #expect(mode(folder) == 0o700)
      let entry = try Self.entry(in: folder)
      #expect(mode(entry.source) == 0o600 && mode(entry.digest) == 0o600)
      #expect(mode(entry.library) == 0o700)
      chmod(folder.path, 0o777)
      #expect(throws: NativeCode.Unavailable.self) { try NativeCode(graph) }
      do {
        _ = try NativeCode(graph)
      } catch {
        #expect(
          "\(error)".contains("may be written by others (mode 777); make it private with chmod 700")
        )
      }
      #expect(try Program(graph, backend: .native).backend == .interpreter)
      chmod(folder.path, 0o700)
      // Another user's folder (only root can give it away).
      if geteuid() == 0, chown(folder.path, 65534, 65534) == 0 {
        do {
          _ = try NativeCode(graph)
          Issue.record("another user's folder was used")
        } catch {
          #expect("\(error)".contains("belongs to another user (uid 65534)"))
        }
      }
    }
  }

  /// Writes an executable shell script `body` into a fresh folder and returns its path.
  static func script(_ body: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-cc-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent("cc")
    try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
    chmod(url.path, 0o755)
    return url
  }

  /// A compiler that hangs is stopped after `COMPGRAPH_CC_TIMEOUT` seconds, with what it
  /// started; the interpreter runs.
  @Test func aHangingCompilerIsStopped() throws {
    let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("pid-\(UUID())")
    defer { try? FileManager.default.removeItem(at: pidFile) }
    let compiler = try Self.script("sleep 1000 &\necho $! > '\(pidFile.path)'\nwait")
    defer { try? FileManager.default.removeItem(at: compiler.deletingLastPathComponent()) }
    setenv("COMPGRAPH_CC_TIMEOUT", "1", 1)
    defer { unsetenv("COMPGRAPH_CC_TIMEOUT") }
    try Self.withCache(compiler: compiler.path) { folder in
      let start = ContinuousClock.now
      do {
        _ = try NativeCode(try Workload.tanhDerivative(order: 1))
        Issue.record("a hanging compiler gave a library")
      } catch {
        #expect(
          "\(error)"
            == "COMPGRAPH_CC=\(compiler.path) took longer than 1 s and was stopped (set COMPGRAPH_CC_TIMEOUT to allow longer)"
        )
      }
      #expect(ContinuousClock.now - start < .seconds(30))
      let pid = try String(contentsOf: pidFile, encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      // SIGKILL is delivered asynchronously: gone (or a zombie) within two seconds.
      var state = ""
      for _ in 0..<20 {
        state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        if state.isEmpty || state.contains(") Z ") { break }
        usleep(100_000)
      }
      #expect(state.isEmpty || state.contains(") Z "), "sleep \(pid) still runs: \(state)")
      let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      #expect(left.isEmpty, "\(left)")
    }
  }

  /// A compiler that writes 100 MB to standard error fails with a message of one cut line.
  @Test func compilerErrorsAreReadWithABound() throws {
    let compiler = try Self.script("head -c 100000000 /dev/zero | tr '\\0' x >&2\nexit 3")
    defer { try? FileManager.default.removeItem(at: compiler.deletingLastPathComponent()) }
    try Self.withCache(compiler: compiler.path) { _ in
      do {
        _ = try NativeCode(try Workload.tanhDerivative(order: 1))
        Issue.record("a failing compiler gave a library")
      } catch {
        let message = "\(error)"
        #expect(message.hasPrefix("COMPGRAPH_CC=\(compiler.path) failed (exit 3): xxx"))
        #expect(message.count < 1000)
      }
    }
  }

  /// `COMPGRAPH_CC` empty, a folder, missing, or a program that is not a compiler: each named
  /// in the message.
  @Test(arguments: [
    (
      "",
      "COMPGRAPH_CC is set but empty; name a C compiler (COMPGRAPH_CC=clang), or unset it to use clang from PATH"
    ),
    ("/tmp", "COMPGRAPH_CC=/tmp is a folder, not a C compiler"),
    ("/nonexistent/cc", "COMPGRAPH_CC=/nonexistent/cc: no such file"),
    (
      "no-such-compiler-here",
      "COMPGRAPH_CC=no-such-compiler-here is not on PATH; give the compiler's path"
    ),
    ("/bin/true", "COMPGRAPH_CC=/bin/true is not a C compiler: the compiler wrote no library"),
    ("/bin/false", "COMPGRAPH_CC=/bin/false failed (exit 1)"),
  ])
  func compilerMessagesNameTheVariable(compiler: String, message: String) throws {
    try Self.withCache(compiler: compiler) { _ in
      do {
        _ = try NativeCode(try Workload.tanhDerivative(order: 1))
        Issue.record("\(compiler) gave a library")
      } catch {
        #expect("\(error)" == message)
      }
    }
  }

  @Test func withoutACompilerTheInterpreterRuns() throws {
    try Self.withCache(compiler: "/nonexistent/clang") { folder in
      let graph = try Workload.tanhDerivative(order: 2)
      let program = try Program(graph, backend: .native)
      #expect(program.backend == .interpreter)
      #expect(try program.evaluate(point: [0.5]) == (try Program(graph)).evaluate(point: [0.5]))
      #expect(throws: NativeCode.Unavailable.self) { try NativeCode(graph) }
      #expect(
        (try? NativeCode(graph)) == nil
          && Program.nativeNotice(for: NativeCode.Unavailable(description: "no clang"))
            == "compgraph: native evaluation unavailable (no clang); using the interpreter\n"
      )
      let left = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      #expect(left.isEmpty, "nothing is written without a compiler")
    }
  }
}
