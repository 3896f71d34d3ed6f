import CompGraph
import CompGraphTools
import Foundation
import Hummingbird

/// The explorer's routes: the page's three files and the JSON API.
///
///     GET  /  /app.js  /style.css     the page (package resources, read once at start)
///     POST /api/graph                 the picture, listing, sizes and hover texts
///     POST /api/trace                 the simplifier's rule firings, one drawn
///     POST /api/export                the ONNX model or C file of the graph shown
///
/// No request reads or writes a file: the page is in memory, and each API
/// call's work runs in a worker process with the request on its standard
/// input and the answer on its standard output.
struct Explorer: Sendable {
  let limits: Limits
  let worker: URL
  let page: [String: Asset]
  let turns: Turns

  /// One file of the page.
  struct Asset: Sendable {
    let contentType: String
    let bytes: Data
  }

  init(limits: Limits, worker: URL) throws {
    self.limits = limits
    self.worker = worker
    turns = Turns(limits.concurrentWorkers)
    var page: [String: Asset] = [:]
    for (route, file, type) in [
      ("/", "index.html", "text/html; charset=utf-8"),
      ("/app.js", "app.js", "text/javascript; charset=utf-8"),
      ("/style.css", "style.css", "text/css; charset=utf-8"),
    ] {
      guard let url = Bundle.module.url(forResource: file, withExtension: nil, subdirectory: "Page")
      else { throw ExplorerError.missingResource(file) }
      page[route] = Asset(contentType: type, bytes: try Data(contentsOf: url))
    }
    self.page = page
  }

  func router() -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: ExplorerMiddleware())
    for (route, asset) in page {
      router.get(RouterPath(route)) { _, _ in
        Response(
          status: .ok, headers: [.contentType: asset.contentType],
          body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
      }
    }
    for task in WorkerCommand.Task.allCases {
      router.post(RouterPath("/api/\(task.rawValue)")) { request, _ in
        try await answer(request, task: task)
      }
    }
    return router
  }

  /// Reads, checks and hands one API request to a worker; relays its answer.
  func answer(_ request: Request, task: WorkerCommand.Task) async throws -> Response {
    let parsed = try await read(request)
    let body = try JSONEncoder().encode(parsed)
    let arguments = ["worker", task.rawValue, "--node-limit", "\(limits.nodes)"]
    let finished = try await turns.take {
      try await Self.onThread {
        try BudgetedProcess.run(worker, arguments: arguments, input: body, seconds: limits.seconds)
      }
    }
    guard let finished else {
      throw HTTPError(
        .unprocessableContent,
        message: "this drawing took longer than the explorer's \(formatted(limits.seconds)) s "
          + "budget and was stopped; draw fewer derivative orders, pick one partial, or use the "
          + "sfdp layout")
    }
    switch finished.status {
    case 0:
      let type =
        task == .export
        ? ExportFormat(rawValue: parsed.format ?? "")?.contentType ?? "application/octet-stream"
        : "application/json"
      var headers: HTTPFields = [.contentType: type]
      if task == .export, let format = ExportFormat(rawValue: parsed.format ?? "") {
        headers[.contentDisposition] = "attachment; filename=\"\(format.fileName)\""
      }
      return Response(
        status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: finished.output)))
    case WorkerCommand.inputProblemStatus:
      return Response(
        status: .unprocessableContent, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: finished.output)))
    default:
      let message = String(decoding: finished.errors.suffix(2000), as: UTF8.self)
      throw HTTPError(
        .internalServerError,
        message: "the worker stopped (status \(finished.status))"
          + (message.isEmpty ? "" : ": " + message.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
  }

  /// The request body as an `ExplorerRequest`: 413 past the size limit, 400
  /// for bytes that are not UTF-8, JSON that does not parse or does not fit.
  private func read(_ request: Request) async throws -> ExplorerRequest {
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: limits.bodyBytes)
    } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
      throw HTTPError(
        .contentTooLarge,
        message: "the request body is larger than the explorer's limit of \(limits.bodyBytes) bytes"
      )
    }
    let bytes = Array(buffer: buffer)
    guard String(validating: bytes, as: UTF8.self) != nil else {
      throw HTTPError(.badRequest, message: "the request body is not valid UTF-8")
    }
    let parsed: ExplorerRequest
    do {
      parsed = try JSONDecoder().decode(ExplorerRequest.self, from: Data(bytes))
    } catch let error as DecodingError {
      throw HTTPError(.badRequest, message: Self.describe(error))
    }
    if let problem = parsed.problem(within: limits) {
      throw HTTPError(.badRequest, message: problem)
    }
    return parsed
  }

  /// A `DecodingError` as one sentence naming the field.
  static func describe(_ error: DecodingError) -> String {
    func field(_ path: [any CodingKey]) -> String {
      path.isEmpty ? "the body" : "'" + path.map(\.stringValue).joined(separator: ".") + "'"
    }
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
      return "the request body is not valid JSON; send an object such as "
        + "{\"source\": \"sin(x)*x\", \"grad\": [\"x\"], \"order\": 2}"
    case .dataCorrupted(let context):
      return "malformed JSON at \(field(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, _):
      return
        "the request has no '\(key.stringValue)' field; give at least {\"source\": \"sin(x)*x\"}"
    case .typeMismatch(_, let context) where context.codingPath.isEmpty:
      return "the request body must be a JSON object, such as {\"source\": \"sin(x)*x\"}"
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      return "\(field(context.codingPath)) must be \(Self.kind(type))"
    @unknown default:
      return "malformed JSON request"
    }
  }

  private static func kind(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Int.Type: "an integer"
    case is Double.Type: "a number"
    case is Bool.Type: "true or false"
    default: type == [String].self ? "a list of strings" : "of type \(type)"
    }
  }

  /// Runs blocking work on a thread of its own, off Swift's cooperative pool.
  static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
  }
}

/// `seconds` without a trailing `.0`.
func formatted(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

enum ExplorerError: Error, CustomStringConvertible {
  case missingResource(String)

  var description: String {
    switch self {
    case .missingResource(let file):
      "the page file '\(file)' is missing from the package resources; rebuild compgraph-serve"
    }
  }
}
