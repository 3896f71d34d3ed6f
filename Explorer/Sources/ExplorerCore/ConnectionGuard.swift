import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// One connection's deadlines and headers, in the channel pipeline after
/// HTTP parsing, so that no client can hold the server:
///
/// - a complete request head within `headSeconds` of the connection
///   opening or of the previous answer (a slow or idle client is closed);
/// - the body within `bodySeconds` of the head;
/// - an answer sent before the body was read (a refusal, a 413 at once on
///   `Expect: 100-continue`) or marked `Connection: close` ends the
///   connection: the output is shut, what the client still sends is read
///   and dropped for `lingerSeconds` so that it sees the answer, and then
///   the socket is closed — none is left half-closed (FIN-WAIT-2);
/// - a client that shuts its side of the connection is gone: the connection
///   closes, and with it the request's worker;
/// - every answer carries the security headers, the parser's own 400 included.
package final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
  package typealias InboundIn = HTTPRequestPart
  package typealias InboundOut = HTTPRequestPart
  package typealias OutboundIn = HTTPResponsePart
  package typealias OutboundOut = HTTPResponsePart

  /// Only the page's own script, style and API; SVG pictures are inserted
  /// as DOM nodes, downloads are `blob:` URLs.
  package static let securityHeaders: HTTPFields = [
    .contentSecurityPolicy:
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    .xContentTypeOptions: "nosniff",
    HTTPField.Name("Referrer-Policy")!: "no-referrer",
    .cacheControl: "no-store",
  ]

  private enum Phase {
    case waitingForHead, readingBody, answering, lingering
  }

  private let limits: Limits
  private var phase = Phase.waitingForHead
  /// Requests whose head has arrived and whose answer has not ended
  /// (more than one when a client pipelines).
  private var pending = 0
  /// Whether the answer being written ends the connection.
  private var closing = false
  private var deadline: Scheduled<Void>?

  package init(limits: Limits) { self.limits = limits }

  package func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { arm(context, seconds: limits.headSeconds) }
  }

  package func channelActive(context: ChannelHandlerContext) {
    if deadline == nil { arm(context, seconds: limits.headSeconds) }
    context.fireChannelActive()
  }

  package func channelInactive(context: ChannelHandlerContext) {
    deadline?.cancel()
    deadline = nil
    context.fireChannelInactive()
  }

  package func handlerRemoved(context: ChannelHandlerContext) {
    deadline?.cancel()
    deadline = nil
  }

  /// A client that shuts its side (it hung up, or gave up waiting) is done
  /// with the connection: it is closed, which stops the request's worker.
  package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    context.fireUserInboundEventTriggered(event)
    if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
  }

  package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard phase != .lingering else { return }
    switch unwrapInboundIn(data) {
    case .head:
      pending += 1
      phase = .readingBody
      arm(context, seconds: limits.bodySeconds)
    case .body: break
    case .end:
      if phase == .readingBody {
        phase = .answering
        deadline?.cancel()
        deadline = nil
      }
    }
    context.fireChannelRead(data)
  }

  package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?)
  {
    switch unwrapOutboundIn(data) {
    case .head(var response):
      for field in Self.securityHeaders where response.headerFields[field.name] == nil {
        response.headerFields[field.name] = field.value
      }
      // An answer before the whole body arrived: the rest is not read.
      closing =
        (pending == 1 && phase == .readingBody) || response.headerFields[.connection] == "close"
      if closing { response.headerFields[.connection] = "close" }
      context.write(wrapOutboundOut(.head(response)), promise: promise)
    case .body:
      context.write(data, promise: promise)
    case .end:
      context.write(data, promise: promise)
      pending = max(0, pending - 1)
      if closing {
        context.flush()
        linger(context)
      } else if pending == 0 {
        phase = .waitingForHead
        arm(context, seconds: limits.headSeconds)
      }
    }
  }

  package func close(
    context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?
  ) {
    guard mode == .output else { return context.close(mode: mode, promise: promise) }
    linger(context, promise: promise)
  }

  /// Shuts the output, drops what is still read, and closes the socket
  /// after `lingerSeconds` (once; a second shut succeeds at once).
  private func linger(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
    guard phase != .lingering else {
      promise?.succeed()
      return
    }
    phase = .lingering
    context.close(mode: .output, promise: promise)
    arm(context, seconds: limits.lingerSeconds)
  }

  /// Closes the connection `seconds` from now, unless re-armed first.
  private func arm(_ context: ChannelHandlerContext, seconds: Double) {
    deadline?.cancel()
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
      loopBound.value.close(promise: nil)
    }
  }
}
