import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// One fuzz input through the server's request parsing, as a connection's
/// bytes: SwiftNIO's HTTP/1 parser and the conversion to `HTTPRequest` (the
/// pipeline `compgraph-serve` runs), the `ConnectionGuard`, then each request
/// `RequestGate` lets through has its body read as `ExplorerRequest.read`
/// does.  Refusals and parse errors are expected answers; only a crash, a
/// sanitizer report or an answer outside the refusal statuses is a finding.
/// Returns the status decided for each complete request (200 for one a
/// worker would get), for the seeds' test.
package enum RequestFuzzTarget {
  static let limits = Limits.standard
  static let port = 8080
  /// The statuses a refusal may have.
  static let refusals: Set<Int> = [400, 403, 404, 405, 413, 415]

  @discardableResult
  package static func run(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
    var statuses: [Int] = []
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
      try channel.pipeline.syncOperations.configureHTTPServerPipeline(
        withPipeliningAssistance: false, withErrorHandling: false)
      try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
      try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits))
      try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
    } catch {
      return statuses  // a parse error: the server answers 400 and closes
    }
    // As the server: the head is checked when it arrives, the body of an
    // API call read at its end.
    var call = false
    var body: [UInt8] = []
    while let part = try? channel.readInbound(as: HTTPRequestPart.self) {
      switch part {
      case .head(let head):
        body = []
        call = false
        switch decide({ () throws(Refusal) in
          try RequestGate.check(head, port: port, limits: limits)
        }) {
        case .success(.api): call = true
        case .success(.page): statuses.append(200)
        case .failure(let refusal): statuses.append(refusal.status.code)
        }
      case .body(let buffer):
        body += buffer.readableBytesView.prefix(max(0, limits.bodyBytes + 1 - body.count))
      case .end:
        guard call else { continue }
        call = false
        switch decide({ () throws(Refusal) in try ExplorerRequest.read(body, within: limits) }) {
        case .success(let request):
          guard request.source.unicodeScalars.count <= limits.sourceScalars,
            request.variables.count <= limits.variables
          else { fatalError("a request past the limits was accepted") }
          statuses.append(200)
        case .failure(let refusal): statuses.append(refusal.status.code)
        }
      }
    }
    return statuses
  }

  /// `body`'s result; a refusal must have a refusal's status and a message.
  static func decide<T>(_ body: () throws(Refusal) -> T) -> Result<T, Refusal> {
    let result = Result(catching: body)
    if case .failure(let refusal) = result {
      guard refusals.contains(refusal.status.code), !refusal.message.isEmpty else {
        fatalError("unexpected refusal \(refusal.status): \(refusal.message)")
      }
    }
    return result
  }
}
