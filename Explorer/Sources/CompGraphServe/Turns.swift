/// At most `count` pieces of work at once; up to `queue` more wait their
/// turn, in order; past that `take` refuses at once (`Full`), so a flood of
/// requests gets quick 503s instead of an ever longer wait.
actor Turns {
  private var free: Int
  private let queue: Int
  private var waiting: [CheckedContinuation<Void, Never>] = []

  /// Every turn is taken and the queue is full.
  struct Full: Error {}

  init(_ count: Int, queue: Int) {
    free = count
    self.queue = queue
  }

  /// Runs `body` when a turn is free; throws `Full` when the queue is full.
  nonisolated func take<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    try await acquire()
    do {
      let result = try await body()
      await release()
      return result
    } catch {
      await release()
      throw error
    }
  }

  private func acquire() async throws {
    if free > 0 {
      free -= 1
      return
    }
    guard waiting.count < queue else { throw Full() }
    await withCheckedContinuation { waiting.append($0) }
  }

  private func release() {
    if waiting.isEmpty {
      free += 1
    } else {
      waiting.removeFirst().resume()
    }
  }
}
