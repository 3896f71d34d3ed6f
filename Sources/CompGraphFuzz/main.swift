// The libFuzzer harness over the parser and the eval path (see FuzzTarget).
//
// Build and run (README, "Fuzzing"):
//
//     swift build -c release --product compgraph-fuzz --build-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
//     SWIFT_BACKTRACE=enable=no .build-fuzz/release/compgraph-fuzz \
//       -max_total_time=660 -rss_limit_mb=4096 -max_len=4096 fuzz-corpus Tests/FuzzCorpus
#if FUZZING
  import Foundation

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
    FuzzTarget.run(UnsafeBufferPointer(start: data, count: size))
    return 0
  }
  exit(status)
#else
  print(
    """
    compgraph-fuzz: this build has no fuzzer. Build it with
      swift build -c release --product compgraph-fuzz --build-path .build-fuzz \\
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
    """)
#endif
