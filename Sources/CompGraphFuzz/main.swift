// The libFuzzer harnesses: the parser and the eval path (FuzzTarget, the
// default) and the safetensors reader (SafetensorsFuzzTarget), chosen by
// COMPGRAPH_FUZZ_TARGET=program|safetensors.
//
// Build and run (README, "Fuzzing"):
//
//     swift build -c release --product compgraph-fuzz --build-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
//     SWIFT_BACKTRACE=enable=no .build-fuzz/release/compgraph-fuzz \
//       -max_total_time=660 -rss_limit_mb=4096 -max_len=4096 fuzz-corpus Tests/FuzzCorpus
import Foundation

/// The harness each `COMPGRAPH_FUZZ_TARGET` value runs.
let targets: [String: (UnsafeBufferPointer<UInt8>) -> Void] = [
  "program": FuzzTarget.run,
  "safetensors": SafetensorsFuzzTarget.run,
]
let targetName = ProcessInfo.processInfo.environment["COMPGRAPH_FUZZ_TARGET"] ?? "program"
guard let target = targets[targetName] else {
  print(
    "compgraph-fuzz: COMPGRAPH_FUZZ_TARGET=\(targetName) is not a target; use one of \(targets.keys.sorted().joined(separator: ", "))"
  )
  exit(2)
}

#if FUZZING
  /// libFuzzer's entry point when the program has its own `main`.
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  var argc = CommandLine.argc
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
  let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    target(UnsafeBufferPointer(start: data, count: size))
    return 0
  }
  exit(status)
#else
  // Without the fuzzer: replay the files named on the command line (a
  // corpus, or a crash a fuzzer run saved) through the same target.
  let files = CommandLine.arguments.dropFirst()
  if files.isEmpty {
    print(
      """
      compgraph-fuzz: this build has no fuzzer; give it input files to replay, or build it with
        swift build -c release --product compgraph-fuzz --build-path .build-fuzz \\
          -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
      """)
  }
  for file in files {
    guard let data = FileManager.default.contents(atPath: file) else {
      print("\(file): cannot read")
      continue
    }
    let start = ContinuousClock.now
    data.withUnsafeBytes { target($0.bindMemory(to: UInt8.self)) }
    print("\(file): \(ContinuousClock.now - start)")
  }
#endif
