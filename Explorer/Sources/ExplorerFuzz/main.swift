// The libFuzzer harness over the explorer's request parsing (see
// RequestFuzzTarget).  Build and run (README, "Fuzzing"):
//
//     swift build -c release --package-path Explorer --product compgraph-serve-fuzz \
//       --build-path Explorer/.build-fuzz -Xswiftc -sanitize=fuzzer,address \
//       -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
//     SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
//       Explorer/.build-fuzz/release/compgraph-serve-fuzz -runs=1000000 \
//       fuzz-corpus-serve Explorer/Tests/FuzzCorpus
import CompGraphTools
import ExplorerCore

FuzzDriver.run(
  "compgraph-serve-fuzz",
  build: "swift build -c release --package-path Explorer --product compgraph-serve-fuzz "
    + "--build-path Explorer/.build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING "
    + "-Xswiftc -use-ld=lld"
) { _ = RequestFuzzTarget.run($0) }
