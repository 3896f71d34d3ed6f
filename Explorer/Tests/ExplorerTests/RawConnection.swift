import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One TCP connection to 127.0.0.1 that sends exactly the bytes it is given
/// (URLSession would fix up a malformed or slow request), for the tests that
/// play a hostile client: slow heads, half-sent bodies, forged `Host`s.
final class RawConnection {
  private let socket: Int32

  init(port: Int) throws {
    socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else {
      throw ExplorerTestError("socket: \(String(cString: strerror(errno)))")
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      let message = String(cString: strerror(errno))
      Glibc.close(socket)
      throw ExplorerTestError("connect: \(message)")
    }
  }

  deinit { Glibc.close(socket) }

  /// Sends `bytes`; false when the server has closed the connection.
  @discardableResult func send(_ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes {
        Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard n > 0 else { return false }
      sent += n
    }
    return true
  }

  @discardableResult func send(_ text: String) -> Bool { send(Array(text.utf8)) }

  /// What the server sends within `seconds`, up to the connection's end or
  /// until `complete` says the bytes are enough: the bytes, and whether the
  /// server closed the connection (end of file or reset) in that time.
  func read(for seconds: Double, until complete: ([UInt8]) -> Bool = { _ in false })
    -> (bytes: [UInt8], closed: Bool)
  {
    let deadline = Date().addingTimeInterval(seconds)
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let left = deadline.timeIntervalSinceNow
      guard left > 0, !complete(bytes) else { return (bytes, false) }
      var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, Int32(left * 1000) + 1)
      guard ready > 0 else { continue }
      let n = recv(socket, &buffer, buffer.count, 0)
      if n <= 0 { return (bytes, true) }
      bytes += buffer[..<n]
    }
  }

  /// One response's status code, headers (lowercased names) and body, read
  /// until its `Content-Length` has arrived, the connection closes or
  /// `seconds` pass.
  func response(within seconds: Double) -> Response? {
    let (bytes, closed) = read(for: seconds) { Self.isComplete($0) }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let end = text.range(of: "\r\n\r\n") else { return nil }
    let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
    guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { return nil }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    return Response(
      status: status, headers: headers, body: String(text[end.upperBound...]), closed: closed)
  }

  struct Response {
    let status: Int
    let headers: [String: String]
    let body: String
    /// Whether the server closed the connection while it was read.
    let closed: Bool

    /// The `error` field of a JSON error body.
    var error: String? {
      (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"]
        as? String
    }
  }

  /// Whether `bytes` hold a response head and as much body as its `Content-Length` says.
  static func isComplete(_ bytes: [UInt8]) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let end = text.range(of: "\r\n\r\n") else { return false }
    let head = text[..<end.lowerBound].lowercased()
    guard let field = head.range(of: "content-length:") else { return true }
    let length =
      Int(head[field.upperBound...].prefix { $0 != "\r" }.trimmingCharacters(in: .whitespaces)) ?? 0
    return text.utf8.count - text[..<end.upperBound].utf8.count >= length
  }
}
