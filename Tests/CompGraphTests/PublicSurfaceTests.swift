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

  /// The public surface is written down on purpose: every top-level public symbol of the
  /// module (type, function, variable; from the compiler's symbol graph) is named by a
  /// ``link`` in the Topics of `CompGraph.docc/CompGraph.md`, every name there is public, and
  /// nothing is public on another module's type. A type's members are curated on its own page.
  /// A declaration made public by accident fails here by name.
  @Test func theCatalogNamesEveryPublicSymbol() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("compgraph-symbols-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try SymbolGraph.extract(into: directory)
    let symbols = try SymbolGraph.symbols(in: directory)
    let foreign = symbols.filter { $0.extending != nil }.map {
      "\($0.extending!).\($0.symbol.path.joined(separator: "."))"
    }
    #expect(foreign.isEmpty, "public on other modules' types: \(foreign)")
    let topLevel = Set(
      symbols.filter { $0.extending == nil && $0.symbol.path.count == 1 }.map(\.symbol.path[0]))
    let named = try Self.catalogTopics()
    #expect(topLevel.count > 100, "\(topLevel.count) symbols: the symbol graph is incomplete")
    let unnamed = topLevel.subtracting(named).sorted()
    #expect(
      unnamed.isEmpty,
      "public but not named in CompGraph.docc/CompGraph.md's Topics (add a ``name`` line to its section, or make it package): \(unnamed)"
    )
    let stale = named.subtracting(topLevel).sorted()
    #expect(stale.isEmpty, "named in CompGraph.md's Topics but not public: \(stale)")
  }

  /// The top-level symbols the Topics of `CompGraph.md` link to: ``Graph/risks(in:order:)``
  /// names `Graph`, ``gradient(of:wrt:)-(_,Expr)`` names `gradient(of:wrt:)`.
  static func catalogTopics() throws -> Set<String> {
    let page = try String(
      contentsOf: root.appendingPathComponent("Sources/CompGraph/CompGraph.docc/CompGraph.md"),
      encoding: .utf8)
    let topics = try #require(page.range(of: "\n## Topics\n")).upperBound
    let links = page[topics...].split(separator: "``", omittingEmptySubsequences: false)
      .enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    return Set(
      links.map { link in
        var path = link.hasPrefix("CompGraph/") ? link.dropFirst("CompGraph/".count) : link
        if let slash = path.firstIndex(of: "/") { path = path[..<slash] }
        if let dash = path.firstIndex(of: "-") { path = path[..<dash] }
        return String(path)
      })
  }

  @Test(arguments: [
    ("_ = [2, 3].elementCount", "'elementCount' is inaccessible due to 'package' protection level"),
    ("_ = [2, 3].shapeDescription", "'shapeDescription' is inaccessible"),
    ("_ = formatNumber(1)", "cannot find 'formatNumber' in scope"),
    ("_ = signum(-2.0)", "cannot find 'signum' in scope"),
    ("_ = maximum(1.0, 2.0)", "cannot find 'maximum' in scope"),
    ("_ = displayText(\"x\")", "cannot find 'displayText' in scope"),
    ("_ = parseNumber(\"1\")", "cannot find 'parseNumber' in scope"),
    ("let p: Pattern? = nil", "cannot find type 'Pattern' in scope"),
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
