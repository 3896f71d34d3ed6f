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

  @Test func theCacheIsReusedVerifiedAndSafeUnderConcurrentUse() throws {
    try Self.withCache { folder in
      let graph = try Workload.tanhDerivative(order: 3)
      // Four programs compile the same graph at once: one library, no temporaries left.
      DispatchQueue.concurrentPerform(iterations: 4) { _ in
        #expect((try? Program(graph, backend: .native))?.backend == .native)
      }
      var files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
      #expect(files.count == 2 && files[0].hasSuffix(".c") && files[1].hasSuffix(".so"), "\(files)")
      let library = folder.appendingPathComponent(files[1])
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
      #expect(files.count == 2, "\(files)")
      #expect(
        try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
          == (try graph.cCode(name: "cg_native", stabilizing: false)))
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
