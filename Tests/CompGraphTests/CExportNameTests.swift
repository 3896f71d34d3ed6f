import Foundation
import Testing

@testable import CompGraph

/// The names emitted C gives its function and its variables: every name the headers it
/// includes declare is refused as the function's name (read from gcc's and clang's own
/// headers), the names that do not clash compile, and variables that clash with C's names or
/// with the code around them are renamed, in `emit c` and in `--format c` alike. Each file
/// compiles with gcc and clang under `CExportTests.strictFlags`.
@Suite struct CExportNameTests {
  /// The headers an emitted file includes.
  static let headers =
    "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n"
    + "#include <stdlib.h>\n#include <string.h>\n"

  /// Struct members and tags the headers declare (`div_t`'s `quot`, glibc's `random_data`):
  /// they share no name space with functions, so a function may take them.
  static let members = [
    "quot", "rem", "fptr", "rptr", "end_ptr", "rand_deg", "rand_sep", "rand_type", "state",
    "tv_nsec", "tv_sec", "tv_usec", "timespec", "timeval", "drand48_data", "random_data",
  ]

  /// Every identifier the headers' preprocessed text holds and every macro they define, not
  /// beginning with `_`, for `compiler` in C mode `mode` (nil: the compiler's default).
  static func declaredNames(_ compiler: String, mode: String?) throws -> Set<String> {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-names-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try headers.write(
      to: directory.appendingPathComponent("h.c"), atomically: true, encoding: .utf8)
    let flags = mode.map { [$0] } ?? []
    let text = try CExportTests.shell(
      compiler, arguments: flags + ["-E", "-P", "h.c"], in: directory)
    let macros = try CExportTests.shell(
      compiler, arguments: flags + ["-E", "-dM", "h.c"], in: directory)
    var names = Set(CHelper.identifiers(in: text))
    for line in macros.split(separator: "\n") {
      let words = line.split(separator: " ")
      if words.count > 1 { names.insert(String(words[1].prefix { $0 != "(" })) }
    }
    return names.filter { !$0.hasPrefix("_") }
  }

  @Test func everyNameTheHeadersDeclareIsRefused() throws {
    var checked = 0
    for compiler in CExportTests.compilers {
      for mode in [nil, "-std=c99", "-std=c11"] {
        let names = try Self.declaredNames(compiler, mode: mode).subtracting(Self.members)
        let accepted = names.filter { isCIdentifier($0) }.sorted()
        #expect(accepted.isEmpty, "\(compiler) \(mode ?? "default"): \(accepted)")
        checked += names.count
      }
    }
    #expect(checked > 2000)
  }

  /// The names the issue tried (23 of 65 did not compile), C11's and C23's keywords, the
  /// implementation's `__x` and `_X`, macros, and library functions gcc and clang know as
  /// built-ins (`printf`, `cexp`), all refused.
  @Test(arguments: [
    "size_t", "uint64_t", "NAN", "INFINITY", "isnan", "fmax", "atan2", "hypot", "printf",
    "abort", "NULL", "offsetof", "__func__", "__attribute__", "_Bool", "_Alignas", "_Generic",
    "bool", "true", "alignas", "nullptr", "errno", "main", "M_PI", "HUGE_VAL", "EXIT_SUCCESS",
    "__x", "_X", "cexp", "isalpha", "puts", "linux", "int8_t", "exp_inline", "reduce",
  ])
  func hostileFunctionNamesAreRefused(name: String) throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    #expect(throws: GraphError.self) { try (x * 2).graph().cCode(name: name) }
  }

  /// Names that clash with nothing, struct members, and names the file's own locals or
  /// parameters use compile as the function's name.
  @Test func namesThatDoNotClashCompile() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let graph = try (exp(x) * x).graph()
    for name in ["quot", "state", "in", "out", "n", "i", "v", "k", "t1", "_lower", "f_batch"] {
      try Self.compile(try graph.cCode(name: name))
    }
  }

  /// Compiles `source` to an object file with each compiler under the strict flags.
  static func compile(_ source: String) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "compgraph-c-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try source.write(to: directory.appendingPathComponent("f.c"), atomically: true, encoding: .utf8)
    for compiler in CExportTests.compilers {
      try CExportTests.shell(
        compiler, arguments: CExportTests.strictFlags + ["-c", "f.c"], in: directory)
    }
  }

  /// Variables named as C's macros, keywords, library functions, the statements' own `out`
  /// and shared `t1`, and the emitted file's locals: `emit c` reads them from `in[k]` and
  /// `--format c` renames those that clash, and both compile and give `Program`'s values.
  @Test func hostileVariableNames() throws {
    let names = [
      "out", "NAN", "M_PI", "INFINITY", "HUGE_VAL", "errno", "exp", "in", "n", "i", "t1", "int",
      "size_t", "NULL", "tanh_inline", "out_",
    ]
    let g = GraphBuilder()
    let variables = try names.map { try g.variable($0) }
    var f = variables[0] * variables[0] + 3 * variables[0]
    for (k, v) in variables.enumerated().dropFirst() {
      f = f + Double(k) * tanh(v) * exp(v * variables[k - 1])
    }
    let graph = try f.graph()
    try CExportTests.check("hostile variables", graph, in: -1...1)
    try CExportTests.check("hostile variables, looped", graph, in: -1...1, looped: true)
    try TextFormatTests.checkCStatements(graph)
    let renamed = try graph.cRenamedVariables()
    #expect(renamed["out"] == "out__")
    #expect(renamed["NAN"] == "NAN_" && renamed["errno"] == "errno_" && renamed["int"] == "int_")
    #expect(renamed["t1"] == nil && renamed["n"] == nil && renamed["out_"] == nil)
    let text = try graph.text(.c)
    #expect(text.hasPrefix("/* Variables renamed to keep clear of C's own names: "))
    #expect(text.contains("HUGE_VAL -> HUGE_VAL_") && text.contains("out -> out__"))
  }

  /// The issue's example: `out*out + 3*out` no longer writes `out[0] = out + out + 3.0;`.
  @Test func aVariableNamedOut() throws {
    let g = GraphBuilder()
    let out = try g.variable("out")
    let graph = try (out * out + 3 * out).graph().gradient(wrt: ["out"])
    let text = try graph.text(.c)
    #expect(text.contains("out_"))
    #expect(!text.contains("= out "))
    try TextFormatTests.checkCStatements(graph)
  }

  /// The file carries only the helpers it calls, each statement on a line of its own.
  @Test func onlyTheHelpersTheFileCalls() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let plain = try (x * y + sin(x)).graph().cCode()
    #expect(!plain.contains("inline"))
    let withExp = try (exp(x) * y).graph().cCode()
    for helper in ["exp_inline", "reduce", "expm1_reduced", "from_bits", "to_bits"] {
      #expect(withExp.contains(" \(helper)("), "\(helper)")
    }
    for helper in ["tanh_inline", "log_inline", "powi_inline", "max_inline"] {
      #expect(!withExp.contains(helper), "\(helper)")
    }
    func file(_ x: Expr, _ y: Expr) throws -> String {
      try (exp(x) + tanh(x) + log(x) + pow(x, 5) + abs(x) + sign(x) + max(x, y) + min(x, y)
        + pow(x, -0.5)).graph().cCode()
    }
    let everything = try file(x, y)
    // The f32 helpers, in a file of f32 nodes.
    let x32 = try g.variable("x32", dtype: .f32), y32 = try g.variable("y32", dtype: .f32)
    let everythingF32 = try file(x32, y32)
    #expect(!everything.contains("float") && !everythingF32.contains("exp_inline"))
    for helper in CHelper.all {
      let lines = (everything + "\n" + everythingF32).split(separator: "\n").filter {
        $0.contains(" \(helper.name)(")
      }
      #expect(lines.contains { $0.hasSuffix("{") && !$0.hasPrefix(" ") }, "\(helper.name)")
    }
    let long = (everything + "\n" + everythingF32).split(separator: "\n").filter { $0.count > 110 }
    #expect(long.isEmpty, "\(long)")
    try Self.compile(plain)
    try Self.compile(withExp)
    try Self.compile(everythingF32)
  }
}
