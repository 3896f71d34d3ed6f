import Foundation
import Testing

@testable import CompGraph

/// The DocC catalog builds clean: every symbol link (``name``) in its articles and in the
/// library's doc comments resolves. What `swift package generate-documentation --target
/// CompGraph` does, cheaply: the symbol graph of the module already built for the tests, then
/// `docc convert` (about ten seconds).
@Suite struct DocumentationTests {
  @Test func theCatalogBuildsWithoutWarnings() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("compgraph-docc-\(UUID().uuidString)")
    let graphs = directory.appendingPathComponent("symbols")
    try FileManager.default.createDirectory(at: graphs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try SymbolGraph.extract(into: graphs)
    let convert = try runProcess(
      URL(filePath: "/usr/bin/env"),
      [
        "docc", "convert",
        PublicSurfaceTests.root.appendingPathComponent("Sources/CompGraph/CompGraph.docc").path,
        "--additional-symbol-graph-dir", graphs.path,
        "--output-path", directory.appendingPathComponent("out").path,
        "--fallback-display-name", "CompGraph", "--fallback-bundle-identifier", "CompGraph",
      ])
    #expect(convert.status == 0, "\(convert.stderr)")
    let warnings = (convert.stdout + convert.stderr).split(separator: "\n")
      .filter { $0.contains("warning:") || $0.contains("error:") }
    #expect(warnings.isEmpty, "\(warnings.joined(separator: "\n"))")
  }
}

/// Issue 26 §6: what GettingStarted says of the two ways to differentiate holds. The seed's
/// `gradient(of:wrt:)` is the sweep unsimplified (an adjoint that adds one term twice, as its
/// listing's `add %14 %16 %20 %20` shows), `simplify` of it is smaller and computes the same,
/// and `derivative(of:wrt:order:)` is simplified already: the same size as `simplify`'s.
@Suite struct GettingStartedClaimsTests {
  @Test func gradientIsRawAndDerivativeIsSimplified() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let raw = try gradient(of: f, wrt: [p, q])[0].graph()
    var repeated = false
    for id in raw.ids where raw.op(id) == .add {
      let operands = raw.inputs(id).map(\.index)
      if Set(operands).count < operands.count { repeated = true }
    }
    #expect(repeated, "\(raw.listing)")
    let simplified = try simplify(try gradient(of: f, wrt: [p, q])[0]).graph()
    let derivative = try derivative(of: f, wrt: p, order: 1).graph()
    #expect(simplified.operationCount < raw.operationCount)
    #expect(derivative.operationCount == simplified.operationCount, "\(derivative.listing)")
    for point in [["p": Tensor(2), "q": Tensor(3)], ["p": Tensor(0.5), "q": Tensor(7)]] {
      var values: [Double] = []
      for graph in [raw, simplified, derivative] {
        values.append(try graph.evaluate(point)[0].scalars[0])
      }
      #expect(abs(values[1] - values[0]) <= 1e-14 * abs(values[0]), "\(values)")
      #expect(abs(values[2] - values[0]) <= 1e-14 * abs(values[0]), "\(values)")
    }
  }
}
