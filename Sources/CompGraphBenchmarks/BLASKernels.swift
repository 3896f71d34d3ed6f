import Foundation

/// OpenBLAS chooses its kernels once, when it is loaded, from the CPU's
/// model number, and takes models it does not know — this VM's "Intel Xeon
/// Processor" among them — for a Prescott (SSE3 kernels, a third of the
/// AVX-512 speed).  On a CPU with AVX-512 and no `OPENBLAS_CORETYPE` set,
/// the benchmark runs itself again with `OPENBLAS_CORETYPE=SKYLAKEX` (the
/// AVX-512 kernels NumPy's own OpenBLAS picks), so same-run ratios compare
/// like with like; `OPENBLAS_CORETYPE` set by hand is left as it is.
func chooseBLASKernels() {
  guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
    let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    cpu.split(separator: "\n").first(where: { $0.hasPrefix("flags") })?
      .split(separator: " ").contains("avx512f") == true
  else { return }
  setenv("OPENBLAS_CORETYPE", "SKYLAKEX", 1)
  let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
  execv("/proc/self/exe", arguments)
  // execv returns only on failure: carry on with the kernels OpenBLAS chose.
  unsetenv("OPENBLAS_CORETYPE")
}
