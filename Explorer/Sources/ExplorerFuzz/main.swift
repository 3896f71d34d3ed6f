// The libFuzzer harness over the explorer's request parsing (see
// RequestFuzzTarget).  Build and run (README, "Fuzzing"):
//
//     swift build -c release --package-path Explorer --product compgraph-serve-fuzz \
//       --build-path Explorer/.build-fuzz -Xswiftc -sanitize=fuzzer,address \
//       -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
//     SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
//       Explorer/.build-fuzz/release/compgraph-serve-fuzz -runs=1000000 \
//       fuzz-corpus-serve Explorer/Tests/FuzzCorpus
import ExplorerCore
import Foundation

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
    RequestFuzzTarget.run(UnsafeBufferPointer(start: data, count: size))
    return 0
  }
  exit(status)
#else
  // Without the fuzzer: replay the files named on the command line (the
  // seeds, or a crash a fuzzer run saved) through the same target.
  for file in CommandLine.arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: file) else {
      print("\(file): cannot read")
      continue
    }
    _ = data.withUnsafeBytes { RequestFuzzTarget.run($0.bindMemory(to: UInt8.self)) }
    print("\(file): ok")
  }
#endif
