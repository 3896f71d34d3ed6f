import CProcessControl
import Foundation

/// A child process with a time budget: its standard input fed, its
/// standard output and error collected, and the child killed (SIGKILL) when
/// the budget runs out or the caller cancels it.  A Graphviz layout cannot be
/// interrupted inside the C library, and it holds Graphviz's process-wide lock
/// (ARCHITECTURE.md invariant 10), so `compgraph render` and the
/// `compgraph-serve` explorer lay out in a child they can abandon — and
/// several children lay out at once.
///
/// The child is this project's own executable, which calls `dieWithParent()`
/// first, so a killed parent takes its children with it.  Every pipe is
/// closed on every path (a long-running server must not run out of
/// descriptors).
public enum BudgetedProcess {
  /// How a child that finished within its budget ended.
  public struct Finished: Sendable {
    /// The exit status, or the signal's number when `signalled`.
    public let status: Int32
    /// Whether the child was ended by a signal (a trap, an abort, an
    /// allocation past its memory limit) rather than exiting.
    public let signalled: Bool
    public let output: Data
    public let errors: Data
  }

  /// Stops a running child from another thread (the explorer's client hung up).
  public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var child: pid_t?

    public init() {}

    /// Kills the child, now or as soon as it starts.
    public func cancel() {
      lock.withLock {
        cancelled = true
        if let child { kill(child, SIGKILL) }
      }
    }

    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Records the running child; kills it at once when already cancelled.
    fileprivate func started(_ pid: pid_t) {
      lock.withLock {
        child = pid
        if cancelled { kill(pid, SIGKILL) }
      }
    }

    /// Forgets the child once it has been reaped (its pid may be reused).
    fileprivate func ended() { lock.withLock { child = nil } }
  }

  /// The environment variable that hands the parent's pid to the child.
  static let parentVariable = "COMPGRAPH_PARENT_PID"

  /// Runs `executable` with `arguments`, writing `input` to its standard
  /// input; returns how it finished, or `nil` when it ran longer than
  /// `seconds` or was cancelled, and was killed.  Blocks the calling thread;
  /// feeding and collecting run on threads of their own, so no pipe fills up
  /// and no shared thread pool is held.  SIGPIPE is ignored while the child
  /// runs (a child killed mid-read must not take this process down).
  public static func run(
    _ executable: URL, arguments: [String], input: Data, seconds: Double,
    cancellation: Cancellation = Cancellation()
  ) throws -> Finished? {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment[parentVariable] = String(getpid())
    process.environment = environment
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    let handles = [
      stdin.fileHandleForReading, stdin.fileHandleForWriting, stdout.fileHandleForReading,
      stdout.fileHandleForWriting, stderr.fileHandleForReading, stderr.fileHandleForWriting,
    ]
    // Foundation closes the child's ends after starting it, and the reader
    // threads leave theirs open: close every end that is still open, once.
    defer { for handle in handles { try? handle.close() } }
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    let previousPipeHandler = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previousPipeHandler) }
    try process.run()
    cancellation.started(process.processIdentifier)
    let collected = Collected()
    let done = DispatchGroup()
    spawn(done) {
      try? stdin.fileHandleForWriting.write(contentsOf: input)
      try? stdin.fileHandleForWriting.close()
    }
    spawn(done) { collected.set(output: stdout.fileHandleForReading.readDataToEndOfFile()) }
    spawn(done) { collected.set(errors: stderr.fileHandleForReading.readDataToEndOfFile()) }
    let timedOut = exited.wait(timeout: .now() + seconds) == .timedOut
    if timedOut {
      kill(process.processIdentifier, SIGKILL)
      exited.wait()
    }
    cancellation.ended()
    done.wait()
    guard !timedOut, !cancellation.isCancelled else { return nil }
    return Finished(
      status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
      output: collected.output, errors: collected.errors)
  }

  /// Called first by a child `run` starts: the child is killed when its
  /// parent dies (even by `kill -9`), so no worker outlives the server or
  /// the command that started it (`compgraph_die_with_parent`).  A child
  /// whose parent died before the call exits at once.
  public static func dieWithParent() {
    guard let text = ProcessInfo.processInfo.environment[parentVariable],
      let parent = pid_t(text)
    else { return }
    if compgraph_die_with_parent(parent) != 0 { _exit(137) }
  }

  /// Limits the calling process's address space to `bytes`: past it an
  /// allocation fails and the process stops with an allocation error, which
  /// `isAllocationFailure` recognises.
  public static func limitMemory(to bytes: Int) {
    _ = compgraph_limit_address_space(UInt64(bytes))
  }

  /// Whether a child's standard error reports a failed allocation (Swift's
  /// runtime and the C library's, as printed past `limitMemory`).
  public static func isAllocationFailure(_ errors: Data) -> Bool {
    let text = String(decoding: errors.prefix(4096), as: UTF8.self)
    return ["failed to allocate", "Could not allocate memory", "Cannot allocate memory"].contains {
      text.contains($0)
    }
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
