import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// `Graph.cCode`: the file compiles with gcc and with clang, `-std=c99 -O2 -Wall -Wextra -Werror
/// -pedantic`, and both of its functions agree with `Program` at random points to 1e-15
/// relative.
@Suite struct CExportTests {
  /// A driver that reads `count` points of `inputs` numbers on standard input, evaluates them
  /// with `f` one at a time and with `f_batch` as columns, and prints both, one value a line.
  static let driver = """
    #include <stdio.h>
    #include <stdlib.h>
    void f(const double *in, double *out);
    void f_batch(size_t n, const double *const *in, double *const *out);
    int main(void) {
      int inputs, outputs, count;
      if (scanf("%d %d %d", &inputs, &outputs, &count) != 3) return 1;
      double *points = malloc(sizeof(double) * (size_t)(inputs * count + 1));
      double *values = malloc(sizeof(double) * (size_t)(outputs * count + 1));
      double **in = malloc(sizeof(double *) * (size_t)(inputs + 1));
      double **out = malloc(sizeof(double *) * (size_t)(outputs + 1));
      for (int i = 0; i < inputs * count; i++)
        if (scanf("%lf", &points[i]) != 1) return 1;
      for (int p = 0; p < count; p++) {
        f(points + p * inputs, values);
        for (int j = 0; j < outputs; j++) printf("%.17g\\n", values[j]);
      }
      double *columns = malloc(sizeof(double) * (size_t)(inputs * count + 1));
      for (int k = 0; k < inputs; k++) {
        in[k] = columns + k * count;
        for (int p = 0; p < count; p++) in[k][p] = points[p * inputs + k];
      }
      for (int j = 0; j < outputs; j++) out[j] = values + j * count;
      f_batch((size_t)count, (const double *const *)in, out);
      for (int p = 0; p < count; p++)
        for (int j = 0; j < outputs; j++) printf("%.17g\\n", out[j][p]);
      return 0;
    }
    """

  /// Compiles `graph`'s C code with the driver and returns what it prints for `points`.
  /// `looped` chooses the form (nil: the one `cCode(name:)` picks by size).
  static func run(_ graph: Graph, at points: [[Double]], looped: Bool? = nil) throws -> [Double] {
    let input =
      "\(graph.variables.count) \(graph.outputs.count) \(points.count)\n"
      + points.map { $0.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
    // The graph as given (not its stable forms), as `Program` runs it.
    let source =
      try looped.map { try graph.cCode(name: "f", looped: $0) } ?? graph.cCode(stabilizing: false)
    return try compileAndRun(source, input: input)
  }

  /// The flags every emitted file must compile under, with every compiler in `compilers`.
  static let strictFlags = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic"]

  /// gcc and clang (clang from `PATH`, else the one the Swift toolchain ships beside `swift`).
  static let compilers: [String] = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let folders = path.split(separator: ":").map(String.init)
    func find(_ name: String) -> String? {
      folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    let swift = find("swift").map {
      URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("clang").path
    }
    return [find("gcc") ?? "gcc", find("clang") ?? swift ?? "clang"]
  }()

  /// Compiles `source` (defining `f` and `f_batch`) with each of `compilers` under
  /// `strictFlags`, links it with `driver`, runs it on `input` and returns the numbers gcc's
  /// build prints, which clang's must match.
  static func compileAndRun(_ source: String, input: String, driver: String = driver) throws
    -> [Double]
  {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-c-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try source.write(to: directory.appendingPathComponent("f.c"), atomically: true, encoding: .utf8)
    try driver.write(
      to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    var outputs: [String] = []
    for (k, compiler) in compilers.enumerated() {
      try shell(compiler, arguments: strictFlags + ["-c", "-o", "f\(k).o", "f.c"], in: directory)
      try shell(compiler, arguments: ["-o", "f\(k)", "f\(k).o", "main.c", "-lm"], in: directory)
      outputs.append(try shell("./f\(k)", in: directory, input: input))
    }
    let values = outputs.map { $0.split(separator: "\n").map { Double($0)! } }
    // Emitted libm calls may be folded or expanded differently by each compiler: the same
    // values to 1e-13 relative (what every caller's check against Program is looser than).
    for other in values.dropFirst() {
      try #require(other.count == values[0].count, "\(compilers) print different counts")
      for (a, b) in zip(values[0], other) {
        try #require(
          a == b || (a.isNaN && b.isNaN) || abs(a - b) <= 1e-13 * max(abs(a), abs(b)),
          "\(compilers) give \(a) and \(b)")
      }
    }
    return values[0]
  }

  /// Runs `executable` with `arguments` in `directory`; requires it to succeed.
  @discardableResult
  static func shell(_ executable: String, arguments: [String], in directory: URL) throws -> String {
    let run = try runProcess(
      URL(fileURLWithPath: "/usr/bin/env"), [executable] + arguments, in: directory)
    try #require(
      run.status == 0, "\(([executable] + arguments).joined(separator: " ")): \(run.stderr)")
    return run.stdout
  }

  @discardableResult
  static func shell(_ arguments: String..., in directory: URL, input: String = "") throws -> String
  {
    let run = try runProcess(
      URL(fileURLWithPath: "/usr/bin/env"), arguments, in: directory, input: input)
    try #require(run.status == 0, "\(arguments.joined(separator: " ")): \(run.stderr)")
    return run.stdout
  }

  /// Checks the C code of `graph` against `Program` at `count` random points in `range`.
  static func check(
    _ label: String, _ graph: Graph, in range: ClosedRange<Double>, count: Int = 8,
    looped: Bool? = nil
  ) throws {
    let program = try Program(graph)
    var generator = SystemRandomNumberGenerator()
    let points = (0..<count).map { _ in
      graph.variables.map { _ in Double.random(in: range, using: &generator) }
    }
    // The C inputs are the graph's variables in node order; Program's are its `inputNames`.
    #expect(program.inputNames == graph.variables.map(\.name))
    let values = try run(graph, at: points, looped: looped)
    let m = graph.outputs.count
    #expect(values.count == 2 * count * m, "\(label)")
    for (p, point) in points.enumerated() {
      let expected = try program.evaluate(point: point)
      for j in 0..<m {
        for c in [values[p * m + j], values[(count + p) * m + j]] {
          #expect(
            abs(c - expected[j]) <= 1e-15 * max(abs(c), abs(expected[j])),
            "\(label): \(graph.outputNames[j]) at \(point) is \(c) in C, \(expected[j]) in Program")
        }
      }
    }
  }

  @Test func workloads() throws {
    for order in 1...10 {
      try Self.check("W1 order \(order)", Workload.tanhDerivative(order: order), in: -2...2)
    }
    try Self.check("W2 n=100", Workload.w2Gradient(100), in: -1...1)
    try Self.check("W3 n=10", Workload.w3Hessian(10), in: -1...1)
  }

  /// The looped form (groups of nodes as loops over a scratch array), forced on graphs small
  /// enough to be written straight-line, computes the same values.
  @Test func loopedFormOfTheWorkloads() throws {
    for order in [1, 4, 10] {
      try Self.check(
        "W1 order \(order), looped", Workload.tanhDerivative(order: order), in: -2...2,
        looped: true)
    }
    try Self.check("W2 n=100, looped", Workload.w2Gradient(100), in: -1...1, looped: true)
    try Self.check("W3 n=10, looped", Workload.w3Hessian(10), in: -1...1, looped: true)
    try Self.check("every op, looped", Self.everyOpProgram(), in: 0.1...3, looped: true)
  }

  /// A graph past `Graph.loopedThreshold` operations is written in the looped form: a few
  /// dozen loops, not one statement per node (which took C compilers minutes), and the same
  /// values as `Program`.
  @Test func largeGraphsAreWrittenAsLoops() throws {
    let graph = try Workload.w2Gradient(1000)
    #expect(graph.operationCount > Graph.loopedThreshold)
    let source = try graph.cCode(stabilizing: false)
    #expect(source.contains("static void f_run(double *restrict v)"))
    let loops = source.components(separatedBy: "for (size_t k = 0;").count - 1
    #expect(loops < 50, "\(loops) loops for \(graph.operationCount) operations")
    try Self.check("W2 n=1000", graph, in: -1...1, count: 3)
  }

  static func everyOpProgram() throws -> Graph {
    try parseProgram(
      """
      out a = x + y + 2.5
      out b = x * y * z * 3
      out c = x^3 + x^-2 + x^0.5 + x^-0.5 + x^1.7 + x^5 + x^-7 + x^13 + x^0
      out d = exp(x) + ln(y) + sqrt(z) + sin(x) + cos(y) + tanh(z)
      out h = sum(x) * y + mean(y)
      out g = (x - 2)^3 + (x - 2)^-1
      """, declarations: [:], into: GraphBuilder()
    ).graph()
  }

  @Test func everyScalarOp() throws {
    try Self.check("every op", Self.everyOpProgram(), in: 0.1...3)
  }

  @Test func errors() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    // "reduce" and "expm1_reduced" are helpers the file carries, "fma" a libm function it calls.
    for bad in ["double", "2f", "f-g", "exp", "fma", "reduce", "expm1_reduced"] {
      #expect(
        throws: GraphError.unsupported(
          "C export: '\(bad)' cannot name a C function: use letters, digits and '_', not starting with a digit, and not a name C reserves (a keyword, a name <math.h>, <stddef.h>, <stdint.h>, <stdlib.h> or <string.h> declares, errno, or one beginning with '__' or '_' and a capital) nor a helper the file defines (exp_inline, reduce, …)"
        )
      ) { try (x * 2).graph().cCode(name: bad) }
    }
  }
}
