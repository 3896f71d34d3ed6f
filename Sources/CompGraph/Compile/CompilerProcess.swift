import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The native backend's compiler run: spawned in a process group of its own, so that past its
/// time budget the whole group — a driver and the compiler and linker it started, or whatever a
/// script named by `COMPGRAPH_CC` started — is killed; its standard error kept up to a bound and
/// the rest read and dropped, so a compiler that writes gigabytes neither fills memory nor
/// blocks. Written with `posix_spawn` because `Process` can neither start a process group nor
/// kill one.
enum CompilerProcess {
  /// How a run that finished within its budget ended: the exit status (128 + the signal for a
  /// compiler killed by a signal) and the first `errorLimit` bytes of standard error.
  struct Finished {
    let status: Int32
    let errors: String
  }

  /// Runs `executable` with `arguments` (standard input and output `/dev/null`); returns how it
  /// finished, or nil when it ran past `seconds` and its group was killed.
  static func run(
    _ executable: String, _ arguments: [String], seconds: Double, errorLimit: Int = 64 << 10
  ) throws(NativeCode.Unavailable) -> Finished? {
    var pipeEnds: [Int32] = [-1, -1]
    guard pipe(&pipeEnds) == 0 else {
      throw NativeCode.Unavailable(
        description: "cannot make a pipe: \(String(cString: strerror(errno)))")
    }
    let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
    _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
    defer { close(readEnd) }
    #if canImport(Glibc)
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
    #else
      var actions: posix_spawn_file_actions_t? = nil
      var attributes: posix_spawnattr_t? = nil
    #endif
    posix_spawn_file_actions_init(&actions)
    posix_spawnattr_init(&attributes)
    defer {
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
    var none = sigset_t()
    sigemptyset(&none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    close(writeEnd)
    guard spawned == 0 else {
      throw NativeCode.Unavailable(
        description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    var errors = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var open = true
    while ContinuousClock.now < deadline {
      if open {
        var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        let left = deadline - ContinuousClock.now
        let milliseconds =
          left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        let ready = poll(&poller, 1, Int32(clamping: max(1, min(milliseconds, 100))))
        if ready > 0 {
          let count = read(readEnd, &buffer, buffer.count)
          if count > 0 {
            errors += buffer.prefix(min(count, max(0, errorLimit - errors.count)))
          } else if count == 0 || errno != EINTR {
            open = false
          }
        }
      } else {
        usleep(10_000)
      }
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        // What the compiler wrote before it exited and is still in the pipe.
        while open, pollReady(readEnd) {
          let count = read(readEnd, &buffer, buffer.count)
          if count <= 0 { break }
          errors += buffer.prefix(min(count, max(0, errorLimit - errors.count)))
        }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Finished(status: code, errors: String(decoding: errors, as: UTF8.self))
      }
    }
    kill(-pid, SIGKILL)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    return nil
  }

  /// Whether `fd` has bytes (or end of file) to read now.
  private static func pollReady(_ fd: Int32) -> Bool {
    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&poller, 1, 0) > 0
  }
}
