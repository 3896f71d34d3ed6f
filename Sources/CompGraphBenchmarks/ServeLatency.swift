import CompGraph
import CompGraphTools
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// SERVE: the explorer's latency for a small-graph render — `compgraph-serve`
/// (built by `swift build -c release --package-path Explorer`, found as
/// `ExplorerLocation` says) on a free loopback port, `sin(x)*x` with its first and
/// second derivatives (9 nodes drawn), one request at a time and then 8 at a
/// time; p50 and p99 of the wall time per request, as the page sees it.
func runServeLatency(quick: Bool) throws -> [String] {
  let me = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")
  guard let server = ExplorerLocation.server(for: me) else {
    throw BenchmarkError("SERVE needs the explorer: " + ExplorerLocation.missing(for: me))
  }
  let process = Process()
  process.executableURL = server
  process.arguments = ["--port", "0"]
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  defer {
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
  }
  let base = try ExplorerBanner.url(readingFrom: output.fileHandleForReading)
  let request = {
    var request = URLRequest(url: base.appendingPathComponent("api/graph"))
    request.httpMethod = "POST"
    request.httpBody = Data(#"{"source": "sin(x)*x", "grad": ["x"], "order": 2}"#.utf8)
    return request
  }()
  let count = quick ? 40 : 200
  for _ in 0..<5 { _ = try timedExchange(request) }
  var lines: [String] = []
  for concurrency in [1, 8] {
    let times = Times()
    let started = Date()
    DispatchQueue.concurrentPerform(iterations: concurrency) { worker in
      for _ in stride(from: worker, to: count, by: concurrency) {
        times.add((try? timedExchange(request)) ?? .nan)
      }
    }
    let wall = Date().timeIntervalSince(started)
    let sorted = times.all.sorted()
    guard !sorted.contains(where: \.isNaN) else { throw BenchmarkError("a request failed") }
    let percentile = { (p: Double) in sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] }
    lines.append(
      jsonLine([
        ("workload", "SERVE"), ("case", "small_render"), ("concurrency", concurrency),
        ("requests", count), ("p50_ms", percentile(0.5) * 1e3), ("p99_ms", percentile(0.99) * 1e3),
        ("requests_per_second", Double(count) / wall),
      ]))
  }
  return lines
}

/// The seconds one request took; throws unless it answered 200.
private func timedExchange(_ request: URLRequest) throws -> Double {
  let done = DispatchSemaphore(value: 0)
  let status = Times()
  let started = Date()
  URLSession.shared.dataTask(with: request) { _, response, _ in
    status.add(Double((response as? HTTPURLResponse)?.statusCode ?? 0))
    done.signal()
  }.resume()
  done.wait()
  let seconds = Date().timeIntervalSince(started)
  guard status.all == [200] else { throw BenchmarkError("status \(status.all)") }
  return seconds
}

/// Numbers collected from several threads.
private final class Times: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Double] = []
  func add(_ value: Double) { lock.withLock { values.append(value) } }
  var all: [Double] { lock.withLock { values } }
}

/// A benchmark that could not run, with the reason.
struct BenchmarkError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
