import Foundation

/// A child process with a time budget: its standard input fed, its
/// standard output and error collected, and the child killed (SIGKILL) when
/// the budget runs out.  A Graphviz layout cannot be interrupted inside the
/// C library, and it holds Graphviz's process-wide lock (ARCHITECTURE.md
/// invariant 10), so `compgraph render` and the `compgraph-serve` explorer
/// lay out in a child they can abandon — and several children lay out at
/// once.
public enum BudgetedProcess {
  /// How a child that finished within its budget ended.
  public struct Finished: Sendable {
    public let status: Int32
    public let output: Data
    public let errors: Data
  }

  /// Runs `executable` with `arguments`, writing `input` to its standard
  /// input; returns how it finished, or `nil` when it ran longer than
  /// `seconds` and was killed.  Blocks the calling thread; feeding and
  /// collecting run on threads of their own, so no pipe fills up and no
  /// shared thread pool is held.  SIGPIPE is ignored while the child runs
  /// (a child killed mid-read must not take this process down).
  public static func run(
    _ executable: URL, arguments: [String], input: Data, seconds: Double
  ) throws -> Finished? {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    let previousPipeHandler = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previousPipeHandler) }
    try process.run()
    let collected = Collected()
    let done = DispatchGroup()
    spawn(done) {
      try? stdin.fileHandleForWriting.write(contentsOf: input)
      try? stdin.fileHandleForWriting.close()
    }
    spawn(done) { collected.set(output: stdout.fileHandleForReading.readDataToEndOfFile()) }
    spawn(done) { collected.set(errors: stderr.fileHandleForReading.readDataToEndOfFile()) }
    if exited.wait(timeout: .now() + seconds) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      exited.wait()
      done.wait()
      return nil
    }
    done.wait()
    return Finished(
      status: process.terminationStatus, output: collected.output, errors: collected.errors)
  }

  /// Runs `body` on a new thread, inside `group`.
  private static func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread.detachNewThread {
      body()
      group.leave()
    }
  }

  /// What the child wrote, filled in by the reader threads.
  private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var outputData = Data()
    private var errorData = Data()
    var output: Data { lock.withLock { outputData } }
    var errors: Data { lock.withLock { errorData } }
    func set(output data: Data) { lock.withLock { outputData = data } }
    func set(errors data: Data) { lock.withLock { errorData = data } }
  }
}
