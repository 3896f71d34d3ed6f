import Dispatch
import Foundation

/// A line on standard error while a long layout runs: first after `after`
/// seconds (at once for 0), then every two seconds, with the time so far.
final class LayoutProgress {
  private let timer: DispatchSourceTimer

  init(_ message: String, after delay: Double) {
    let start = Date()
    let write = { @Sendable in
      let seconds = Int(Date().timeIntervalSince(start).rounded())
      FileHandle.standardError.write(Data("compgraph: \(message)… \(seconds) s\n".utf8))
    }
    if delay <= 0 { write() }
    timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + (delay <= 0 ? 2 : delay), repeating: 2)
    timer.setEventHandler(handler: write)
    timer.resume()
  }

  /// Stops the messages (the layout finished or failed).
  func stop() { timer.cancel() }
}
