import CompGraph
import Foundation
import Testing

/// The explorer page in headless Chromium (Debian's `chromium` and
/// `chromium-driver`, installed by `.ci/setup`), driven through WebDriver by
/// `Tests/Python/explorer_browser.py`; the screenshot is saved as
/// `.build/explorer-screenshot.png`.
@Suite struct ExplorerBrowserTests {
  static var browserPresent: Bool {
    FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
  }

  @Test(.enabled(if: PythonPeer.shouldRun && (browserPresent || PythonPeer.isRequired)))
  func typeDrawStepAndHover() async throws {
    let server = try ExplorerServer()
    // What the library draws: the node statements of its DOT text, per order.
    var nodes: [String: Int] = [:]
    for order in [1, 2] {
      let dot = try ExplorerHTTPTests.libraryDOT("sin(x)*x", grad: ["x"], order: order)
      nodes["\(order)"] =
        dot.split(separator: "\n").filter {
          $0.range(of: #"^  n\d+ \["#, options: .regularExpression) != nil
        }.count
    }
    let f = try parseProgram("sin(x)*x", into: GraphBuilder()).graph()
    let expected: [String: Any] = [
      "nodes": nodes, "value": sin(1.5) * 1.5, "infix": f.infix(of: f.outputs[0]),
    ]
    let expectedFile = FileManager.default.temporaryDirectory
      .appendingPathComponent("explorer-expected-\(getpid()).json")
    try JSONSerialization.data(withJSONObject: expected).write(to: expectedFile)
    defer { try? FileManager.default.removeItem(at: expectedFile) }
    let screenshot = PythonPeer.packageRoot.appendingPathComponent(".build/explorer-screenshot.png")
    try? FileManager.default.removeItem(at: screenshot)

    let printed = try PythonPeer.run(
      "explorer_browser.py", [server.url.absoluteString, screenshot.path, expectedFile.path])
    let seen = try #require(
      try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any], "\(printed)")
    #expect(seen["order1_nodes"] as? Int == nodes["1"])
    #expect(seen["order2_nodes"] as? Int == nodes["2"])
    #expect(seen["order_toggles"] as? Int == 3)
    let hovered = try #require(seen["hovered"] as? [String: String])
    #expect(hovered["infix"] == expected["infix"] as? String)
    #expect(Double(hovered["value"] ?? "") == sin(1.5) * 1.5)
    #expect(Double(hovered["adjoint"] ?? "") == 1)
    #expect((seen["firings"] as? Int ?? 0) > 0)
    #expect((seen["step_label_1"] as? String)?.hasPrefix("step 2 of") == true)
    #expect((seen["step_url"] as? String)?.contains("step=1") == true)
    #expect((seen["highlighted"] as? Int ?? 0) > 0)
    #expect((seen["back_label"] as? String)?.hasPrefix("step 1 of") == true)
    #expect(seen["console_errors"] as? [String] == [], "CSP violations or script errors")
    let png = try Data(contentsOf: screenshot)
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000)
    #expect(server.stop() == 0)
  }
}
