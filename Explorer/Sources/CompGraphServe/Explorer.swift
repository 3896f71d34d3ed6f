import CompGraph
import CompGraphTools
import ExplorerCore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// The explorer's routes: the page's three files and the JSON API.
///
///     GET  /  /app.js  /style.css     the page (package resources, read once at start)
///     POST /api/graph                 the picture, listing, sizes and hover texts
///     POST /api/trace                 the simplifier's rule firings, one drawn
///     POST /api/export                the ONNX model or C file of the graph shown
///
/// `RequestGate` checks each request's head first (route, method, Host,
/// Origin, Content-Type, length); every refusal and error is JSON
/// `{"error": "…"}` with its status.  No request reads or writes a file:
/// the page is in memory, and each API call's work runs in a worker process
/// with the request on its standard input and the answer on its standard
/// output, killed past the time budget or when the client hangs up.
struct Explorer: HTTPResponder, Sendable {
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
    turns = Turns(limits.concurrentWorkers, queue: limits.queuedRequests)
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

  func respond(to request: Request, context: ExplorerContext) async throws -> Response {
    do {
      let port = context.channel.localAddress?.port ?? 0
      switch try RequestGate.check(request.head, port: port, limits: limits) {
      case .page(let path):
        guard let asset = page[path] else { throw Refusal(.notFound, "no such page") }
        let headers: HTTPFields = [
          .contentType: asset.contentType, .contentLength: String(asset.bytes.count),
        ]
        let body = request.method == .head ? Data() : asset.bytes
        return Response(
          status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
      case .api(let call):
        guard let task = WorkerCommand.Task(rawValue: call) else {
          throw Refusal(.notFound, "no such call: \(call)")
        }
        return try await answer(request, task: task, channel: context.channel)
      }
    } catch let refusal as Refusal {
      return Self.message(refusal)
    } catch {
      Self.log("internal error: \(error)")
      return Self.message(
        Refusal(.internalServerError, "internal error; the server's log says more"))
    }
  }

  /// Reads, checks and hands one API request to a worker; relays its answer.
  func answer(_ request: Request, task: WorkerCommand.Task, channel: any Channel) async throws
    -> Response
  {
    let parsed = try await read(request)
    let body = try JSONEncoder().encode(parsed)
    let arguments = [
      "worker", task.rawValue, "--node-limit", "\(limits.nodes)",
      "--node-budget", "\(limits.nodeBudget)", "--evaluation-bytes", "\(limits.evaluationBytes)",
      "--memory-limit", "\(limits.workerMemory)",
    ]
    // A client that hangs up stops its worker, or drops its place in the queue.
    let cancellation = BudgetedProcess.Cancellation()
    channel.closeFuture.whenComplete { _ in cancellation.cancel() }
    let finished: BudgetedProcess.Finished?
    do {
      finished = try await turns.take {
        guard !cancellation.isCancelled else { return nil }
        return try await Self.onThread { [worker, limits] in
          try BudgetedProcess.run(
            worker, arguments: arguments, input: body, seconds: limits.seconds,
            cancellation: cancellation)
        }
      }
    } catch is Turns.Full {
      throw Refusal(
        .serviceUnavailable,
        "the explorer is busy: \(limits.concurrentWorkers) requests are being worked on and "
          + "\(limits.queuedRequests) wait; try again in a few seconds",
        headers: [.retryAfter: String(Int(limits.seconds.rounded(.up)))])
    } catch {
      Self.log("could not start a worker: \(error)")
      throw Refusal(.internalServerError, "could not start a worker; the server's log says why")
    }
    guard let finished else {
      if cancellation.isCancelled {
        throw Refusal(.serviceUnavailable, "the client closed the connection")
      }
      throw Refusal(
        .unprocessableContent,
        "this drawing took longer than the explorer's \(formatted(limits.seconds)) s "
          + "budget and was stopped; draw fewer derivative orders, pick one partial, or use the "
          + "sfdp layout")
    }
    return try relay(finished, task: task, format: parsed.format)
  }

  /// The worker's answer as a response: its output on success, its message
  /// about the input as a 422, a refusal when it ran out of memory.
  func relay(_ finished: BudgetedProcess.Finished, task: WorkerCommand.Task, format: String?)
    throws -> Response
  {
    if finished.signalled && BudgetedProcess.isAllocationFailure(finished.errors) {
      throw Refusal(
        .unprocessableContent,
        "this request needed more than the \(limits.workerMemory >> 20) MiB of memory a worker "
          + "may use (compgraph-serve --worker-memory) and was stopped; use smaller tensors or "
          + "fewer derivative orders")
    }
    switch (finished.signalled, finished.status) {
    case (false, 0):
      let export = task == .export ? ExportFormat(rawValue: format ?? "") : nil
      var headers: HTTPFields = [.contentType: export?.contentType ?? "application/json"]
      if let export {
        headers[.contentDisposition] = "attachment; filename=\"\(export.fileName)\""
      }
      return Response(
        status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: finished.output)))
    case (false, WorkerCommand.inputProblemStatus):
      return Response(
        status: .unprocessableContent, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: finished.output)))
    case (let signalled, let status):
      let how = signalled ? "signal \(status)" : "status \(status)"
      Self.log(
        "a worker stopped (\(how)): "
          + String(decoding: finished.errors.suffix(2000), as: UTF8.self))
      throw Refusal(
        .internalServerError, "the worker stopped (\(how)); the server's log has its message")
    }
  }

  /// The request body as an `ExplorerRequest` (`ExplorerRequest.read`).
  private func read(_ request: Request) async throws -> ExplorerRequest {
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: limits.bodyBytes)
    } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
      throw Refusal.tooLarge(limits)
    }
    return try ExplorerRequest.read(Array(buffer: buffer), within: limits)
  }

  /// A refusal as JSON `{"error": "…"}` with its status and headers.
  static func message(_ refusal: Refusal) -> Response {
    var body = ByteBuffer()
    body.writeString(jsonObject(["error": refusal.message]))
    var headers = refusal.headers
    headers[.contentType] = "application/json"
    return Response(status: refusal.status, headers: headers, body: .init(byteBuffer: body))
  }

  /// A line on the server's standard error.
  static func log(_ line: String) {
    FileHandle.standardError.write(Data("compgraph-serve: \(line)\n".utf8))
  }

  /// Runs blocking work on a thread of its own, off Swift's cooperative pool.
  static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
  }
}

/// What a request's handler knows besides the request: the connection, for
/// the port it reached and to notice when the client hangs up.
struct ExplorerContext: RequestContext {
  var coreContext: CoreRequestContextStorage
  let channel: any Channel

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    channel = source.channel
  }
}

/// `seconds` without a trailing `.0`.
func formatted(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// A one-level JSON object of strings.
func jsonObject(_ fields: [String: String]) -> String {
  let encoded = try? JSONEncoder().encode(fields)
  return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
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
