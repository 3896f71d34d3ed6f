import CompGraph
import Foundation
import Testing

/// 200 requests to one `compgraph-serve`, 20 at a time, over loopback: small
/// renders, slow layouts past the budget and malformed bodies mixed.  Every
/// answer must be the library's own drawing or a clean limit message, and
/// the slow layouts must not hold the small ones back past the budget.
@Suite struct ExplorerLoadTests {
  /// Small graphs the load draws, with their grad variables and order.
  static let small: [(source: String, grad: [String], order: Int)] = [
    ("sin(x)*x", ["x"], 2), ("tanh(x)", ["x"], 3), ("exp(x)*y", ["x", "y"], 1),
    ("sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3", ["p", "q"], 1), ("x^3 - 2*x", ["x"], 2),
    ("sigmoid(a*b)", ["a", "b"], 2), ("ln(1 + x^2)", ["x"], 2), ("cos(x)*sin(y)", ["x", "y"], 1),
  ]

  /// A layout that takes longer than the budget: 2,012 drawn nodes, which a
  /// server started with `--max-nodes 5000` lays out in about 13 s (release
  /// build, a quiet machine). tanh(x*y+z*w) alone, 1,197 nodes since long
  /// sums fold into their labels, takes under 3 s and is no longer cut.
  static var slow: [String: Any] {
    ["source": "tanh(x*y+z*w)+sin(x*z-y*w)", "grad": ["x", "y", "z", "w"], "order": 6]
  }

  enum Outcome: Sendable, Equatable {
    case correct, budget, malformed, wrong(String)
  }

  @Test func twoHundredRequestsTwentyAtATime() async throws {
    let budget = 3.0
    let server = try ExplorerServer(["--budget", "\(Int(budget))", "--max-nodes", "5000"])
    var expected: [String] = []
    for graph in Self.small {
      expected.append(
        try ExplorerHTTPTests.libraryDOT(graph.source, grad: graph.grad, order: graph.order))
    }
    let started = Date()
    var outcomes: [(kind: Int, outcome: Outcome, seconds: Double)] = []
    let expectedDOT = expected
    try await withThrowingTaskGroup(of: (Int, Outcome, Double).self) { group in
      for index in 0..<200 {
        if index >= 20, let done = try await group.next() { outcomes.append(done) }
        group.addTask {
          let begun = Date()
          let outcome = try await Self.request(
            index, on: server, expected: expectedDOT, budget: budget)
          return (index % 20, outcome, Date().timeIntervalSince(begun))
        }
      }
      for try await done in group { outcomes.append(done) }
    }
    let elapsed = Date().timeIntervalSince(started)
    #expect(outcomes.count == 200)
    let wrong = outcomes.compactMap { if case .wrong(let why) = $0.outcome { why } else { nil } }
    #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    let slow = outcomes.filter { $0.kind == 0 }
    #expect(slow.count == 10 && slow.allSatisfy { $0.outcome == .budget })
    #expect(outcomes.filter { $0.kind == 1 }.allSatisfy { $0.outcome == .malformed })
    let small = outcomes.filter { $0.kind > 1 }
    let correct = small.filter { $0.outcome == .correct }.count
    #expect(correct >= small.count * 9 / 10, "\(correct) of \(small.count) small renders correct")
    print(
      "explorer load: 200 requests in \(String(format: "%.1f", elapsed)) s; "
        + "\(correct) of \(small.count) small renders correct, the rest budget messages")
    #expect(server.stop() == 0)
  }

  /// A small render sent while a slow layout runs is answered before the
  /// slow one ends (its budget), correct — the slow one does not block it.
  @Test func aSlowLayoutDoesNotBlockASmallOne() async throws {
    let server = try ExplorerServer(["--budget", "4", "--max-nodes", "5000"])
    let finished = Finished()
    let slowTask = Task {
      let answer = try await server.post("/api/graph", Self.slow)
      await finished.mark("slow")
      return answer
    }
    try await Task.sleep(for: .milliseconds(500))
    let small = try await server.post(
      "/api/graph", ["source": "sin(x)*x", "grad": ["x"], "order": 2])
    await finished.mark("small")
    let slow = try await slowTask.value
    #expect(
      small.json?["dot"] as? String
        == (try ExplorerHTTPTests.libraryDOT("sin(x)*x", grad: ["x"], order: 2)))
    #expect(slow.status == 422 && slow.error?.contains("4 s budget") == true, "\(slow.text)")
    #expect(await finished.order == ["small", "slow"])
    #expect(server.stop() == 0)
  }

  /// The order in which requests finished.
  actor Finished {
    var order: [String] = []
    func mark(_ name: String) { order.append(name) }
  }

  /// Request `index`: every 20th a slow layout, the next one malformed JSON,
  /// the rest small renders checked against `expected`.
  static func request(_ index: Int, on server: ExplorerServer, expected: [String], budget: Double)
    async throws -> Outcome
  {
    let budgetMessage = "took longer than the explorer's \(Int(budget)) s budget"
    switch index % 20 {
    case 0:
      let answer = try await server.post("/api/graph", slow)
      return answer.status == 422 && answer.error?.contains(budgetMessage) == true
        ? .budget : .wrong("slow: \(answer.status) \(answer.text.prefix(200))")
    case 1:
      let answer = try await server.send("POST", "/api/graph", body: Data("{\"source\":".utf8))
      return answer.status == 400 && answer.error?.contains("not valid JSON") == true
        ? .malformed : .wrong("malformed: \(answer.status) \(answer.text.prefix(200))")
    default:
      let k = index % small.count
      let graph = small[k]
      let answer = try await server.post(
        "/api/graph", ["source": graph.source, "grad": graph.grad, "order": graph.order])
      if answer.status == 422 && answer.error?.contains(budgetMessage) == true { return .budget }
      guard answer.status == 200, let dot = answer.json?["dot"] as? String else {
        return .wrong("\(graph.source): \(answer.status) \(answer.text.prefix(200))")
      }
      let svg = answer.json?["svg"] as? String ?? ""
      return dot == expected[k] && svg.contains("</svg>")
        ? .correct : .wrong("\(graph.source): another drawing")
    }
  }
}
