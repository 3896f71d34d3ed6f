import Foundation
import Hummingbird

/// On every response: a restrictive Content-Security-Policy and friends,
/// and every error as JSON `{"error": "…"}` with its status — an unknown
/// route included — so the page (and curl) always gets a message.
struct ExplorerMiddleware<Context: RequestContext>: RouterMiddleware {
  /// Only the page's own script, style and API; SVG pictures are inserted
  /// as DOM nodes, downloads are `blob:` URLs.
  static var securityHeaders: HTTPFields {
    [
      .contentSecurityPolicy:
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff",
      HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer",
      .cacheControl: "no-store",
    ]
  }

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    var response: Response
    do {
      response = try await next(request, context)
    } catch let error as HTTPError {
      response = Self.message(error.body ?? Self.text(for: error.status, request), error.status)
    } catch let error as any HTTPResponseError {
      response = Self.message(Self.text(for: error.status, request), error.status)
    } catch {
      response = Self.message("internal error: \(error)", .internalServerError)
    }
    for field in Self.securityHeaders { response.headers[field.name] = field.value }
    return response
  }

  /// A message for a status that came without one.
  static func text(for status: HTTPResponse.Status, _ request: Request) -> String {
    switch status {
    case .notFound:
      "no such page: \(request.method) \(request.uri.path); the explorer serves GET / and "
        + "POST /api/graph, /api/trace, /api/export"
    case .methodNotAllowed:
      "\(request.method) is not allowed on \(request.uri.path)"
    case .contentTooLarge: "the request body is too large"
    default: status.reasonPhrase
    }
  }

  static func message(_ text: String, _ status: HTTPResponse.Status) -> Response {
    var body = ByteBuffer()
    body.writeString(jsonObject(["error": text]))
    return Response(
      status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
  }
}

/// A one-level JSON object of strings.
func jsonObject(_ fields: [String: String]) -> String {
  let encoded = try? JSONEncoder().encode(fields)
  return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}
