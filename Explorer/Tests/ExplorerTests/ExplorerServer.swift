import CompGraph
import CompGraphTools
import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A running `compgraph-serve` (built beside the test bundle) on a free
/// loopback port, for the explorer's HTTP, load, hostile-input and browser
/// tests.  Every server runs under a limit of `descriptorLimit` open files
/// (`ulimit -n`), so a descriptor leak fails the tests that exercise it.
final class ExplorerServer: @unchecked Sendable {  // immutable after init
  let process = Process()
  /// `http://127.0.0.1:PORT/`, as the server printed it.
  let url: URL
  /// What the server writes on standard error.
  let errors = Pipe()

  /// The open-file limit the tests run the server under.
  static let descriptorLimit = 256

  /// Starts the server with `arguments` after `--port 0` and waits for the
  /// line that prints its URL; `throughCLI` starts it as `compgraph serve`
  /// (the library package's CLI, built by the README's first test command).
  init(_ arguments: [String] = [], throughCLI: Bool = false) throws {
    let server =
      throughCLI ? try Self.cli() : Self.products.appendingPathComponent("compgraph-serve")
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments =
      ["-c", "ulimit -n \(Self.descriptorLimit) && exec \"$0\" \"$@\"", server.path]
      + (throughCLI ? ["serve"] : []) + ["--port", "0"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    do {
      url = try ExplorerBanner.url(readingFrom: output.fileHandleForReading)
    } catch {
      process.terminate()
      throw error
    }
  }

  /// The server's port.
  var port: Int { url.port ?? 0 }

  /// The server's pid (`sh` execs it, so the pid is the server's).
  var pid: pid_t { process.processIdentifier }

  /// The server's open file descriptors.
  var openDescriptors: Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
  }

  /// The pids of the server's children (its workers).
  var workers: [pid_t] { Self.children(of: pid) }

  /// The live processes whose parent is `parent` (from `/proc/PID/stat`).
  static func children(of parent: pid_t) -> [pid_t] {
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return pids.compactMap { name -> pid_t? in
      guard let pid = pid_t(name),
        let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 2 && fields[0] != "Z" && pid_t(fields[1]) == parent ? pid : nil
    }
  }

  /// Whether process `pid` is alive (and not a zombie).
  static func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
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

  func send(
    _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]
  ) async throws -> Exchange {
    var request = URLRequest(url: URL(string: path, relativeTo: url)!)
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = 120
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
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
