import CompGraph
import Foundation
import Testing

/// `compgraph-serve` over HTTP on loopback: answers equal the library's own
/// drawing, values equal closed forms, bad input gets a 4xx with a message,
/// the server stays up, and Ctrl-C stops it cleanly.
@Suite(.serialized) struct ExplorerHTTPTests {
  /// One bad request and what the explorer must answer.
  struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    let method: String
    let path: String
    let body: [UInt8]?
    let status: Int
    let message: String

    var testDescription: String { name }

    /// A POST of `body` to `path`.
    init(
      _ name: String, post body: String, to path: String = "/api/graph", _ status: Int,
      _ message: String
    ) {
      self.init(name, "POST", path, Array(body.utf8), status, message)
    }

    /// A POST of raw bytes to `/api/graph`.
    init(_ name: String, postBytes bytes: [UInt8], _ status: Int, _ message: String) {
      self.init(name, "POST", "/api/graph", bytes, status, message)
    }

    /// A GET of `path`.
    init(_ name: String, get path: String, _ status: Int, _ message: String) {
      self.init(name, "GET", path, nil, status, message)
    }

    private init(
      _ name: String, _ method: String, _ path: String, _ body: [UInt8]?, _ status: Int,
      _ message: String
    ) {
      (self.name, self.method, self.path, self.body) = (name, method, path, body)
      (self.status, self.message) = (status, message)
    }
  }

  static let badInputs: [BadInput] = [
    BadInput(
      "truncated JSON", post: #"{"source": "sin(x)"#, 400, "the request body is not valid JSON"),
    BadInput(
      "invalid UTF-8", postBytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], 400,
      "the request body is not valid UTF-8"),
    BadInput(
      "oversized body", postBytes: [UInt8](repeating: 0x20, count: 70_000), 413,
      "the request body is larger than the explorer's limit of 65536 bytes"),
    BadInput("unknown route", get: "/etc/passwd", 404, "no such page: GET /etc/passwd"),
    BadInput(
      "GET on an API route", get: "/api/graph", 405, "GET is not allowed on /api/graph; use POST"),
    BadInput("JSON array", post: "[1, 2]", 400, "the request body must be a JSON object"),
    BadInput("no source", post: "{}", 400, "the request has no 'source' field"),
    BadInput("source not a string", post: #"{"source": 3}"#, 400, "'source' must be a string"),
    BadInput("empty source", post: #"{"source": "  "}"#, 400, "'source' is empty"),
    BadInput(
      "order out of range", post: #"{"source": "x", "grad": ["x"], "order": 99}"#, 400,
      "'order' is 99; the explorer draws orders 0 to 6"),
    BadInput(
      "bad variable name", post: #"{"source": "x", "grad": ["x y"]}"#, 400,
      "'grad' holds 'x y', which is not a variable name"),
    BadInput(
      "unknown layout", post: #"{"source": "x", "layout": "patchwork"}"#, 400,
      "'layout' is 'patchwork'; use one of dot, sfdp, neato"),
    BadInput(
      "negative trace step", post: #"{"source": "x", "step": -1}"#, to: "/api/trace", 400,
      "'step' is -1; steps count from 0"),
    BadInput(
      "unknown export format", post: #"{"source": "x", "format": "pdf"}"#, to: "/api/export", 400,
      "'format' is 'pdf'; use one of onnx, c"),
    BadInput(
      "parse error, with the CLI's caret", post: #"{"source": "sqr(x)"}"#, 422,
      "1:1: error: unknown function 'sqr' — did you mean 'sqrt'?\nsqr(x)\n^"),
    BadInput(
      "no such variable", post: #"{"source": "x*x", "grad": ["y"]}"#, 422,
      "cannot differentiate with respect to 'y': the expression has no variable of that name"),
    BadInput(
      "a node limit past the server's", post: #"{"source": "x", "nodes": 5000}"#, 400,
      "'nodes' is 5000; this server draws 1 to 1000 nodes a picture"),
    BadInput(
      "unknown collapse", post: #"{"source": "x", "collapse": "all"}"#, 400,
      "'collapse' is 'all'; use one of none, outputs, scopes"),
    BadInput(
      "every order switched off", post: #"{"source": "x*x", "grad": ["x"], "orders": []}"#, 422,
      "every derivative order is switched off"),
  ]

  @Test(arguments: badInputs)
  func badInputGetsAMessage(_ bad: BadInput) async throws {
    let server = try ExplorerServer()
    let answer = try await server.send(bad.method, bad.path, body: bad.body.map { Data($0) })
    #expect(answer.status == bad.status, "\(answer.text)")
    #expect(answer.error?.contains(bad.message) == true, "\(answer.text)")
    #expect(answer.headers["content-security-policy"]?.hasPrefix("default-src 'none'") == true)
    let page = try await server.send("GET", "/")
    #expect(page.status == 200, "the server stays up after \(bad.name)")
    #expect(server.stop() == 0)
  }

  /// The explorer's DOT text equals the library's for the same request, and
  /// the hover values at x = 1.5 equal the closed forms of f, f′ and f″.
  @Test func graphAnswerMatchesTheLibrary() async throws {
    let server = try ExplorerServer()
    let answer = try await server.post(
      "/api/graph", ["source": "sin(x)*x", "grad": ["x"], "order": 2])
    #expect(answer.status == 200, "\(answer.text)")
    let json = try #require(answer.json)
    #expect(json["dot"] as? String == (try Self.libraryDOT("sin(x)*x", grad: ["x"], order: 2)))
    let sizes = try #require(json["sizes"] as? [[String: Int]])
    #expect(sizes.map { $0["order"] } == [0, 1, 2])

    let at = try await server.post(
      "/api/graph", ["source": "sin(x)*x", "grad": ["x"], "order": 2, "at": ["x": 1.5]])
    let nodes = try #require(at.json?["nodes"] as? [String: [String: String]])
    let values = nodes.values.compactMap { $0["value"].flatMap(Double.init) }
    let x = 1.5
    for expected in [sin(x) * x, cos(x) * x + sin(x), 2 * cos(x) - x * sin(x)] {
      #expect(values.contains { abs($0 - expected) <= 1e-14 }, "\(expected) in \(values)")
    }
    // ∂f/∂x at the variable node is f′(1.5).
    let variable = try #require(nodes.values.first { $0["infix"] == "x" })
    let adjoint = try #require(variable["adjoint"].flatMap(Double.init))
    #expect(abs(adjoint - (cos(x) * x + sin(x))) <= 1e-14)
    #expect(server.stop() == 0)
  }

  /// Past the node limit the answer is the summary — one node per
  /// derivative order — with only the choices that draw the graph itself,
  /// each of which does.  (It was a 422 naming --max-nodes and sfdp.)
  @Test func pastTheLimitTheSummaryOffersOnlyWhatWorks() async throws {
    let server = try ExplorerServer()
    let request: [String: Any] = [
      "source": "sin(x*y)*exp(x)", "grad": ["x", "y"], "order": 6, "nodes": 200,
    ]
    let answer = try await server.post("/api/graph", request)
    #expect(answer.status == 200, "\(answer.text)")
    let json = try #require(answer.json)
    let tooLarge = try #require(json["tooLarge"] as? [String: Any], "\(answer.text)")
    let raise = try #require(tooLarge["raiseTo"] as? Int)
    #expect(raise > 200 && raise <= 1000 && json["nodeCap"] as? Int == 1000)
    #expect(tooLarge["collapse"] as? [String] == ["outputs"])
    let message = tooLarge["message"] as? String ?? ""
    #expect(message.contains("more than the page's limit of 200") && !message.contains("sfdp"))
    let svg = json["svg"] as? String ?? ""
    #expect(
      (0...6).allSatisfy { svg.contains("<title>o\($0)</title>") } && !svg.contains("<title>n0<"))
    // Each choice offered draws the graph node by node.
    var raised = request
    raised["nodes"] = raise
    var collapsed = request
    collapsed["collapse"] = "outputs"
    for choice in [raised, collapsed] {
      let drawn = try await server.post("/api/graph", choice)
      #expect(drawn.status == 200 && drawn.json?["tooLarge"] == nil, "\(drawn.text)")
      #expect((drawn.json?["svg"] as? String)?.contains("<title>n0</title>") == true)
    }
    #expect(server.stop() == 0)
    // At the server's own limit, raising is not offered.
    let small = try ExplorerServer(["--max-nodes", "100"])
    var capped = request
    capped["nodes"] = nil
    let past = try await small.post("/api/graph", capped)
    let pastLarge = try #require(past.json?["tooLarge"] as? [String: Any], "\(past.text)")
    #expect(pastLarge["raiseTo"] == nil || pastLarge["raiseTo"] is NSNull)
    #expect((pastLarge["message"] as? String)?.contains("this server's limit of 100") == true)
    #expect(small.stop() == 0)
  }

  /// `collapse` draws each output's private subgraph as a node `g<k>`;
  /// `expand` draws one of them in full again.
  @Test func collapsedGroupsExpand() async throws {
    let server = try ExplorerServer()
    var request: [String: Any] = [
      "source": "sin(x*y)", "grad": ["x", "y"], "order": 2, "collapse": "outputs",
    ]
    let collapsed = try await server.post("/api/graph", request)
    let svg = collapsed.json?["svg"] as? String ?? ""
    #expect(svg.contains("<title>g3</title>") && svg.contains("<title>g4</title>"), "\(svg)")
    request["expand"] = [3]
    let expanded = try await server.post("/api/graph", request)
    let open = expanded.json?["svg"] as? String ?? ""
    #expect(!open.contains("<title>g3</title>") && open.contains("<title>g4</title>"))
    #expect(server.stop() == 0)
  }

  /// The trace lists the rules `compgraph simplify --trace` prints, and a
  /// step's picture marks the nodes the rule removed and built.
  @Test func traceStepsThroughTheRules() async throws {
    let server = try ExplorerServer()
    let answer = try await server.post("/api/trace", ["source": "x*1 + 0 + ln(exp(y))", "step": 0])
    let json = try #require(answer.json, "\(answer.text)")
    let firings = try #require(json["firings"] as? [[String: Any]])
    var expected: [String] = []
    _ = simplify(try parseProgram("x*1 + 0 + ln(exp(y))", into: GraphBuilder()).graph()) {
      expected.append($0.rule)
    }
    #expect(firings.map { $0["rule"] as? String } == expected)
    #expect(firings.first?["before"] as? String == "ln(exp(y))")
    #expect(json["removed"] as? [String] != [])
    #expect((json["svg"] as? String)?.contains("<svg") == true)
    #expect(server.stop() == 0)
  }

  @Test func exportsTheCFile() async throws {
    let server = try ExplorerServer()
    let answer = try await server.post(
      "/api/export", ["source": "x*x", "grad": ["x"], "format": "c"])
    #expect(answer.status == 200, "\(answer.text)")
    #expect(answer.headers["content-disposition"] == "attachment; filename=\"compgraph.c\"")
    let drawing = try Self.libraryDrawing("x*x", grad: ["x"], order: 1, stabilizing: true)
    #expect(answer.text == (try drawing.graph.cCode(name: "f", stabilizing: false)))
    #expect(server.stop() == 0)
  }

  /// The downloads differentiate the stable forms, as every export does (issue 26 §2): the
  /// gradient of softplus(x) is written as σ(x) of −|x| (log1p, no eˣ/(eˣ + 1) that overflows),
  /// the same file and model as the library's stable derivatives.
  @Test func downloadsWriteTheStableForms() async throws {
    let server = try ExplorerServer()
    let drawing = try Self.libraryDrawing(
      "softplus(x)", grad: ["x"], order: 2, stabilizing: true)
    let c = try await server.post(
      "/api/export", ["source": "softplus(x)", "grad": ["x"], "order": 2, "format": "c"])
    #expect(c.status == 200, "\(c.text)")
    #expect(c.text == (try drawing.graph.cCode(name: "f", stabilizing: false)))
    #expect(c.text.contains("log1p("), "\(c.text)")
    let naive = try Self.libraryDrawing("softplus(x)", grad: ["x"], order: 2)
    #expect(c.text != (try naive.graph.cCode(name: "f", stabilizing: false)))
    let onnx = try await server.post(
      "/api/export", ["source": "softplus(x)", "grad": ["x"], "order": 2, "format": "onnx"])
    #expect(onnx.status == 200, "\(onnx.text)")
    #expect([UInt8](onnx.body) == (try drawing.graph.onnxModel(stabilizing: false)))
    #expect([UInt8](onnx.body) != (try naive.graph.onnxModel(stabilizing: false)))
    #expect(server.stop() == 0)
  }

  @Test func exportsTheONNXModel() async throws {
    let server = try ExplorerServer()
    let answer = try await server.post(
      "/api/export", ["source": "sin(x)*y", "grad": ["x", "y"], "order": 2, "format": "onnx"])
    #expect(answer.status == 200, "\(answer.text)")
    #expect(answer.headers["content-disposition"] == "attachment; filename=\"compgraph.onnx\"")
    let drawing = try Self.libraryDrawing(
      "sin(x)*y", grad: ["x", "y"], order: 2, stabilizing: true)
    #expect([UInt8](answer.body) == (try drawing.graph.onnxModel(stabilizing: false)))
    #expect(server.stop() == 0)
  }

  /// `compgraph serve` runs `compgraph-serve`, which binds to loopback and
  /// stops cleanly on Ctrl-C.
  @Test func compgraphServeStartsTheExplorer() async throws {
    let server = try ExplorerServer(throughCLI: true)
    #expect(server.url.host == "127.0.0.1")
    let page = try await server.send("GET", "/")
    #expect(page.status == 200 && page.text.contains("<title>CompGraph explorer</title>"))
    #expect(page.headers["content-type"] == "text/html; charset=utf-8")
    let script = try await server.send("GET", "/app.js")
    #expect(script.status == 200 && script.text.contains("stateFromURL"))
    #expect(server.stop() == 0)
  }

  /// `source` and its derivatives as the library draws them (as
  /// `compgraph render` does), which the explorer must serve.
  static func libraryDrawing(
    _ source: String, grad: [String], order: Int, stabilizing: Bool = false
  ) throws -> DerivativeGraph {
    let graph = try parseProgram(source, into: GraphBuilder()).graph()
    var drawing = try graph.derivatives(
      wrt: grad, order: order, simplifying: true, stabilizing: stabilizing)
    drawing.graph = simplify(drawing.graph)
    drawing.graph = GraphBuilder(drawing.graph).graph(
      outputs: drawing.graph.outputs, names: drawing.graph.outputNames)
    return drawing
  }

  /// The DOT text of `libraryDrawing`.
  static func libraryDOT(_ source: String, grad: [String], order: Int) throws -> String {
    let drawing = try libraryDrawing(source, grad: grad, order: order)
    let options = DOTEncoder.Options(outputOrders: drawing.outputOrders, nodeLimit: 1000)
    return try DOTEncoder(options: options).encode(drawing.graph)
  }
}
