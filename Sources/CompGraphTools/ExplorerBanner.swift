import Foundation

/// The line `compgraph-serve` prints when it listens, and the reading of it
/// by the programs that start the server (`compgraph-bench serve`, the tests):
///
///     compgraph-serve: explore at http://127.0.0.1:8080/ (Ctrl-C stops)
public enum ExplorerBanner {
  /// The line for a server at `host` (an IPv6 address in brackets) and `port`.
  public static func line(host: String, port: Int) -> String {
    let shown = host.contains(":") ? "[\(host)]" : host
    return "compgraph-serve: explore at http://\(shown):\(port)/ (Ctrl-C stops)\n"
  }

  /// Reads `output` up to the first line break and returns the URL in it,
  /// or throws with what was printed (the server ended, or printed something else).
  public static func url(readingFrom output: FileHandle) throws -> URL {
    var printed = Data()
    while !printed.contains(0x0A) {
      let chunk = output.availableData
      if chunk.isEmpty { break }
      printed.append(chunk)
    }
    let line = String(decoding: printed, as: UTF8.self)
    guard let start = line.range(of: "http://"),
      let url = URL(string: String(line[start.lowerBound...].prefix { !$0.isWhitespace }))
    else { throw NoURL(printed: line) }
    return url
  }

  /// What the server printed instead of its URL.
  public struct NoURL: Error, CustomStringConvertible {
    public let printed: String
    public var description: String { "compgraph-serve printed no URL: '\(printed)'" }
  }
}
