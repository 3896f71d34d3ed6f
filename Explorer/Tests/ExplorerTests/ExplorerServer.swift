import CompGraph
import CompGraphTools
import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A running `compgraph-serve` (built beside the test bundle) on a free
/// loopback port, for the explorer's HTTP, load and browser tests.
final class ExplorerServer: @unchecked Sendable {  // immutable after init
  let process = Process()
  /// `http://127.0.0.1:PORT/`, as the server printed it.
  let url: URL

  /// Starts the server with `arguments` after `--port 0` and waits for the
  /// line that prints its URL; `throughCLI` starts it as `compgraph serve`
  /// (the library package's CLI, built by the README's first test command).
  init(_ arguments: [String] = [], throughCLI: Bool = false) throws {
    process.executableURL =
      throughCLI ? try Self.cli() : Self.products.appendingPathComponent("compgraph-serve")
    process.arguments = (throughCLI ? ["serve"] : []) + ["--port", "0"] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    do {
      url = try ExplorerBanner.url(readingFrom: output.fileHandleForReading)
    } catch {
      process.terminate()
      throw error
    }
  }

  /// The folder the tests and `compgraph-serve` are built in.
  static var products: URL {
    var products = Bundle.main.bundleURL
    #if os(macOS)
      for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        products = bundle.bundleURL.deletingLastPathComponent()
      }
    #endif
    return products
  }

  /// The checkout's root: the library package, one folder above `Explorer/`.
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// `compgraph`, as the library package builds it (release first).
  static func cli() throws -> URL {
    let built = ["release", "debug"].map {
      repository.appendingPathComponent(".build/\($0)/compgraph")
    }
    guard let cli = built.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
    else {
      throw ExplorerTestError(
        "compgraph is not built at \(built[0].path); run the README's first test command "
          + "(`swift test -c release -Xswiftc -enable-testing`) in \(repository.path) first")
    }
    return cli
  }

  /// Stops the server as Ctrl-C does; returns its exit status.
  func stop() -> Int32 {
    if process.isRunning {
      kill(process.processIdentifier, SIGINT)
      process.waitUntilExit()
    }
    return process.terminationStatus
  }

  deinit { _ = stop() }

  /// One HTTP exchange: the status, the body and the response headers.
  struct Exchange {
    let status: Int
    let body: Data
    let headers: [String: String]

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The `error` field of a JSON error body.
    var error: String? {
      (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"] as? String
    }
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
  }

  func send(_ method: String, _ path: String, body: Data? = nil) async throws -> Exchange {
    var request = URLRequest(url: URL(string: path, relativeTo: url)!)
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = 120
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    var headers: [String: String] = [:]
    for (key, value) in http.allHeaderFields {
      headers[String(describing: key).lowercased()] = String(describing: value)
    }
    return Exchange(status: http.statusCode, body: data, headers: headers)
  }

  /// POSTs `fields` as JSON to `path`.
  func post(_ path: String, _ fields: [String: Any]) async throws -> Exchange {
    try await send("POST", path, body: JSONSerialization.data(withJSONObject: fields))
  }
}

struct ExplorerTestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
