import Foundation
import HTTPTypes

/// The checks on a request's head, before its body is read: which route it
/// names, with which method, from where, in which format and of what size.
///
/// A web page the user visits must not be able to use the explorer, even by
/// DNS rebinding (a name of the attacker's that resolves to 127.0.0.1):
///
/// - `Host` must be an IP address or `localhost`, with the port the
///   connection reached — a rebinding page can only send its own name;
/// - `Origin`, when a browser sends one, must be this same host and port;
/// - a POST must say `Content-Type: application/json`, which a page cannot
///   send to another origin without a CORS preflight, which is refused.
package enum RequestGate {
  /// What a request may ask for.
  package enum Route: Equatable, Sendable {
    /// A file of the page: GET (and HEAD).
    case page(String)
    /// An API call: POST.
    case api(String)
  }

  /// The page's files and the API's calls, by path.
  package static let pages = ["/", "/app.js", "/style.css"]
  package static let calls = ["graph", "trace", "export"]

  /// The route of an acceptable request, or why it is refused.  `port` is
  /// the local port the connection reached.
  package static func check(_ head: HTTPRequest, port: Int, limits: Limits) throws(Refusal) -> Route
  {
    let host = head.authority
    if let problem = hostProblem(host, port: port) { throw Refusal(.forbidden, problem) }
    if let origin = head.headerFields[.origin],
      let problem = originProblem(origin, host: host ?? "")
    {
      throw Refusal(.forbidden, problem)
    }
    let path = String((head.path ?? "/").prefix { $0 != "?" && $0 != "#" })
    let route: Route
    let allowed: [HTTPRequest.Method]
    if pages.contains(path) {
      (route, allowed) = (.page(path), [.get, .head])
    } else if path.hasPrefix("/api/"), calls.contains(String(path.dropFirst(5))) {
      (route, allowed) = (.api(String(path.dropFirst(5))), [.post])
    } else {
      throw Refusal(
        .notFound,
        "no such page: \(head.method) \(String(path.unicodeScalars.prefix(200))); the explorer serves GET / and "
          + "POST /api/graph, /api/trace, /api/export")
    }
    guard allowed.contains(head.method) else {
      let names = allowed.map(\.rawValue).joined(separator: ", ")
      throw Refusal(
        .methodNotAllowed, "\(head.method) is not allowed on \(path); use \(names)",
        headers: [.allow: names])
    }
    guard case .api = route else { return route }
    let type = head.headerFields[.contentType] ?? ""
    let media = type.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
    guard media == "application/json" else {
      throw Refusal(
        .unsupportedMediaType,
        "send the request as JSON, with Content-Type: application/json (it was "
          + (type.isEmpty ? "missing" : quoted(type)) + ")")
    }
    if let length = head.headerFields[.contentLength], let bytes = Int(length),
      bytes > limits.bodyBytes
    {
      throw Refusal.tooLarge(limits)
    }
    return route
  }

  /// Why `host` (the `Host` header) is not this server's address, or `nil`.
  static func hostProblem(_ host: String?, port: Int) -> String? {
    guard let host, !host.isEmpty else {
      return "the request has no Host header; send the explorer's address, such as "
        + "127.0.0.1:\(port)"
    }
    let advice =
      "; open the explorer by its address (http://127.0.0.1:\(port)/ or http://localhost:\(port)/): "
      + "names other than localhost are refused, so that no web page can reach it by DNS rebinding"
    guard let (name, given) = split(host) else {
      return "the Host header \(quoted(host)) is not an address and port" + advice
    }
    guard name.lowercased() == "localhost" || isAddress(name) else {
      return "the Host header names \(quoted(name)), which is not this server's address" + advice
    }
    guard given == port else {
      return "the Host header gives port \(given), but this server listens on \(port)" + advice
    }
    return nil
  }

  /// Why a browser's `Origin` is not the page's own, or `nil`.
  static func originProblem(_ origin: String, host: String) -> String? {
    guard origin.lowercased() == "http://" + host.lowercased() else {
      return "requests from another site's page (Origin \(quoted(origin))) are refused; use the "
        + "explorer's own page"
    }
    return nil
  }

  /// `name:port`, `[v6]:port`, or a name alone (port 80) as its two parts.
  static func split(_ host: String) -> (String, Int)? {
    var name = Substring(host)
    var port = "80"
    if name.hasPrefix("[") {
      guard let close = name.firstIndex(of: "]") else { return nil }
      let rest = name[name.index(after: close)...]
      name = name[name.index(after: name.startIndex)..<close]
      if !rest.isEmpty {
        guard rest.hasPrefix(":") else { return nil }
        port = String(rest.dropFirst())
      }
    } else if let colon = name.lastIndex(of: ":") {
      port = String(name[name.index(after: colon)...])
      name = name[..<colon]
    }
    guard !name.isEmpty, !port.isEmpty, port.allSatisfy(\.isASCII), port.count <= 5,
      let number = Int(port), (0...65535).contains(number)
    else { return nil }
    return (String(name), number)
  }

  /// Whether `name` is an IPv4 or IPv6 address literal.
  static func isAddress(_ name: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
  }
}
