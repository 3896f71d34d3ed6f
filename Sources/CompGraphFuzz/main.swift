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
import CompGraphTools
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

FuzzDriver.run(
  "compgraph-fuzz",
  build: "swift build -c release --product compgraph-fuzz --build-path .build-fuzz "
    + "-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld", target)
