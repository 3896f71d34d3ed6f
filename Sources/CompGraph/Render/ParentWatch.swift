import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process that must not outlive its parent (a `BudgetedProcess` worker: a layout can
/// run for minutes inside Graphviz): a thread checks ten times a second whether the parent is
/// still the one that started it, and ends the process at once (`_exit`, no clean-up that could
/// wait on the busy thread) when it is gone. Polling works on Linux and macOS alike, where
/// `PR_SET_PDEATHSIG` is Linux's only and fires when the parent's spawning thread ends.
package enum ParentWatch {
  /// Starts the watch; `parent` is the pid the parent gave (nil: the parent now).
  package static func exitWhenOrphaned(parent: pid_t? = nil) {
    let expected = parent ?? getppid()
    guard getppid() == expected else { _exit(137) }
    Thread.detachNewThread {
      while true {
        usleep(100_000)
        if getppid() != expected { _exit(137) }
      }
    }
  }
}
