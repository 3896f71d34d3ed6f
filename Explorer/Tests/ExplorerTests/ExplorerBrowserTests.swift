import CompGraph
import Foundation
import Testing

/// The explorer page in headless Chromium (Debian's `chromium` and
/// `chromium-driver`, installed by `.ci/setup`), driven through WebDriver by
/// `Explorer/Tests/Python/explorer_browser.py` in the checkout's test-only
/// Python environment (`.build/venv`, from `.ci/setup`); the screenshot is
/// saved as `.build/explorer-screenshot.png`.  Without Chromium or the venv
/// the test is skipped, unless CI requires it (`COMPGRAPH_REQUIRE_PYTHON=1`).
@Suite struct ExplorerBrowserTests {
  static var browserPresent: Bool {
    FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
  }
  static let python = ExplorerServer.repository.appendingPathComponent(".build/venv/bin/python")
  static var required: Bool {
    ProcessInfo.processInfo.environment["COMPGRAPH_REQUIRE_PYTHON"] == "1"
  }
  static var shouldRun: Bool {
    let present = browserPresent && FileManager.default.isExecutableFile(atPath: python.path)
    if !present && !required {
      print(
        "ExplorerBrowserTests: skipping — no Chromium or no \(python.path); run `bash .ci/setup`")
    }
    return present || required
  }

  @Test(.enabled(if: shouldRun))
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
    let screenshot = ExplorerServer.repository.appendingPathComponent(
      ".build/explorer-screenshot.png")
    try? FileManager.default.removeItem(at: screenshot)

    let script = ExplorerServer.repository.appendingPathComponent(
      "Explorer/Tests/Python/explorer_browser.py")
    let printed = try Self.run(
      [script.path, server.url.absoluteString, screenshot.path, expectedFile.path])
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
    // Past the page's limit: one node per order (0 … 6) and only the choices that work.
    let advice = seen["advice"] as? String ?? ""
    #expect(advice.contains("more than the page's limit of 200"), "\(advice)")
    #expect(advice.contains("draw up to") && advice.contains("collapse each output"), "\(advice)")
    #expect(!advice.contains("sfdp") && !advice.contains("--max-nodes"), "\(advice)")
    #expect(seen["summary_nodes"] as? Int == 7)
    #expect((seen["point_gap"] as? Double ?? 0) >= 12, "the x = … and y = … fields have room")
    // The size chart compares like with like: the peers' curves are labelled as tanh's.
    let legend = seen["chart_legend"] as? [String] ?? []
    #expect(
      legend.filter { !$0.hasPrefix("this graph: ") }.count == 3
        && legend.allSatisfy { $0.hasPrefix("tanh: ") || $0.hasPrefix("this graph: ") },
      "\(legend)")
    let groups = seen["groups"] as? Int ?? 0
    #expect(groups >= 2 && seen["groups_after"] as? Int == groups - 1)
    #expect((seen["expanded_url"] as? String)?.contains("expand=") == true)
    #expect(seen["console_errors"] as? [String] == [], "CSP violations or script errors")
    let png = try Data(contentsOf: screenshot)
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000)
    #expect(server.stop() == 0)
  }

  /// Runs the venv's Python with `arguments`; returns its standard output,
  /// or throws with its standard error when it fails.
  static func run(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = python
    process.arguments = arguments
    let stdout = Pipe(), stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ExplorerTestError(
        "explorer_browser.py exited with \(process.terminationStatus):\n"
          + String(decoding: err, as: UTF8.self))
    }
    return String(decoding: out, as: UTF8.self)
  }
}
