import Foundation
import Testing

/// The compiler's symbol graph of the `CompGraph` module built for the tests
/// (`swift-symbolgraph-extract`, a few seconds), as `DocumentationTests` and
/// `PublicSurfaceTests` read it.
enum SymbolGraph {
  /// Writes the public symbol graph of `CompGraph` into `directory` (one
  /// `CompGraph.symbols.json`, and one `CompGraph@Module.symbols.json` per
  /// module whose types it extends).
  static func extract(into directory: URL) throws {
    let info = try runProcess(URL(filePath: "/usr/bin/env"), ["swiftc", "-print-target-info"])
    let target = try #require(
      (try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])?["target"]
        as? [String: Any])
    let triple = try #require(target["triple"] as? String)
    let extract = try runProcess(
      URL(filePath: "/usr/bin/env"),
      ["swift-symbolgraph-extract", "-module-name", "CompGraph", "-target", triple]
        + (try PublicSurfaceTests.moduleFlags())
        + ["-minimum-access-level", "public", "-output-dir", directory.path])
    try #require(extract.status == 0, "\(extract.stderr)")
  }

  /// One public symbol: its path (`Graph`, `Graph/listing`, `gradient(of:wrt:)`) and kind
  /// (`swift.func`, `swift.struct`, …).
  struct Symbol: Hashable {
    let path: [String]
    let kind: String
  }

  /// The symbols of every `.symbols.json` file in `directory`, each with the module whose
  /// type it extends (`nil` for the module's own).
  static func symbols(in directory: URL) throws -> [(extending: String?, symbol: Symbol)] {
    struct File: Decodable {
      struct Entry: Decodable {
        struct Kind: Decodable { let identifier: String }
        let kind: Kind
        let pathComponents: [String]
      }
      let symbols: [Entry]
    }
    var found: [(String?, Symbol)] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    where name.hasSuffix(".symbols.json") {
      let file = try JSONDecoder().decode(
        File.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
      let module = name.dropLast(".symbols.json".count)
      let extending = module.firstIndex(of: "@").map { String(module[module.index(after: $0)...]) }
      found += file.symbols.map {
        (extending, Symbol(path: $0.pathComponents, kind: $0.kind.identifier))
      }
    }
    return found
  }
}
