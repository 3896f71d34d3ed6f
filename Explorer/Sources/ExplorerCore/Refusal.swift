import HTTPTypes

/// A request the explorer answers with an error status and a message,
/// before any worker starts: the page (and curl) always get `{"error": "…"}`.
package struct Refusal: Error, Equatable, Sendable {
  package let status: HTTPResponse.Status
  package let message: String
  /// Headers the status calls for (`Allow` on a 405, `Retry-After` on a 503,
  /// `Connection: close` where the rest of the request is not read).
  package let headers: HTTPFields

  package init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
    (self.status, self.message, self.headers) = (status, message, headers)
  }

  /// 413: the body is larger than the limit; the connection closes without
  /// reading the rest.
  package static func tooLarge(_ limits: Limits) -> Refusal {
    Refusal(
      .contentTooLarge,
      "the request body is larger than the explorer's limit of \(limits.bodyBytes) bytes",
      headers: [.connection: "close"])
  }
}
