import Foundation
import Testing

/// What a program that depends on the `CompGraph` library sees: each snippet
/// is type-checked by `swiftc` against the built module, as another package's
/// code would be.  Helpers the package's own targets share are `package`,
/// and the demos live in `Examples/Support`, so none of them leaks.
@Suite struct PublicSurfaceTests {
  /// Type-checks `source` as a client of the built module; returns the
  /// compiler's diagnostics, or `nil` when it type-checks.
  static func typecheck(_ source: String) throws -> String? {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("compgraph-surface-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("client.swift")
    try Data(source.utf8).write(to: file)
    let run = try runProcess(
      URL(filePath: "/usr/bin/env"), ["swiftc", "-typecheck"] + (try moduleFlags()) + [file.path])
    return run.status == 0 ? nil : run.stderr
  }

  /// The package root.
  static let root = URL(filePath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The flags that find the built `CompGraph` module and the C modules it imports.
  static func moduleFlags() throws -> [String] {
    let products = Bundle.main.bundleURL
    let flags = try runProcess(
      URL(filePath: "/usr/bin/env"), ["pkg-config", "--cflags", "libgvc", "openblas"]
    ).stdout.split(separator: " ").flatMap {
      ["-Xcc", String($0).trimmingCharacters(in: .whitespacesAndNewlines)]
    }
    let maps = [
      root.appendingPathComponent("Sources/CBLAS/module.modulemap"),
      root.appendingPathComponent("Sources/CGraphviz/module.modulemap"),
      products.appendingPathComponent("CKernels.build/module.modulemap"),
    ].flatMap { ["-Xcc", "-fmodule-map-file=\($0.path)"] }
    return ["-I", products.appendingPathComponent("Modules").path] + maps + flags
  }

  /// The harness itself works: what a user needs type-checks.
  @Test func whatAUserNeedsIsPublic() throws {
    let diagnostics = try Self.typecheck(
      """
      import CompGraph
      let g = GraphBuilder()
      let x = try g.variable("x")
      let df = try gradient(of: sin(x) * x, wrt: x).graph()
      _ = try Program(simplify(df)).evaluate(["x": 1.0])
      _ = try DOTEncoder().encode(df, name: "f")
      var rng = SplitMix64(seed: 1)
      _ = rng.nextUnit() + rng.nextNormal()
      """)
    #expect(diagnostics == nil, "\(diagnostics ?? "")")
  }

  @Test(arguments: [
    ("_ = [2, 3].elementCount", "'elementCount' is inaccessible due to 'package' protection level"),
    ("_ = [2, 3].shapeDescription", "'shapeDescription' is inaccessible"),
    ("_ = formatNumber(1)", "cannot find 'formatNumber' in scope"),
    ("_ = powExact(2, 3)", "cannot find 'powExact' in scope"),
    ("_ = parseShape(\"2x3\")", "cannot find 'parseShape' in scope"),
    ("_ = derivativeName(of: \"f\", wrt: [\"x\"])", "cannot find 'derivativeName' in scope"),
    (
      "let r: RewriteRule? = nil", "cannot find type 'RewriteRule' in scope"
    ),
    ("_ = TanhDerivatives.self", "cannot find 'TanhDerivatives' in scope"),
    ("_ = LinePlot.self", "cannot find 'LinePlot' in scope"),
    ("_ = CharRNN.self", "cannot find 'CharRNN' in scope"),
    ("_ = Workload.self", "cannot find 'Workload' in scope"),
  ])
  func internalsAreNotPublic(snippet: String, message: String) throws {
    let diagnostics = try #require(try Self.typecheck("import CompGraph\n\(snippet)\n"))
    #expect(diagnostics.contains(message), "\(diagnostics)")
  }
}
