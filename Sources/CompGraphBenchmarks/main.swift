import CompGraph
import Foundation

/// `compgraph-bench [W1|W2|W3|W4|W6|W7|W8|W10|W12|W13|W14|build|native|serve|all] [--quick]`: one JSON object
/// per line on stdout (the contract in BENCHMARKS.md); progress goes to stderr.  `serve` (the
/// explorer's latency) needs `compgraph-serve` built (`Explorer/`), so `all` leaves it out.
let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
let selected = arguments.filter { !$0.hasPrefix("--") }.map { $0.uppercased() }
let workloads =
  selected.isEmpty || selected.contains("ALL")
  ? ["W1", "W2", "W3", "W4", "W6", "W7", "W8", "W10", "W12", "W13", "W14", "BUILD", "NATIVE"]
  : selected
let known = [
  "W1", "W2", "W3", "W4", "W6", "W7", "W8", "W10", "W12", "W13", "W14", "BUILD", "NATIVE", "SERVE",
]
for name in workloads where !known.contains(name) {
  let message =
    "compgraph-bench: unknown workload '\(name)'; choose from \(known.joined(separator: ", ")) or all\n"
  FileHandle.standardError.write(message.data(using: .utf8)!)
  exit(2)
}
let buildPeers = SameRunBuildPeers(
  running: !quick && workloads.contains { ["W1", "W2", "W3"].contains($0) })
do {
  for name in workloads {
    let lines: [String] =
      switch name {
      case "W1": runW1(quick: quick, buildPeers: buildPeers)
      case "W2": try runW2(quick: quick, buildPeers: buildPeers)
      case "W4": runW4(quick: quick)
      case "W6": try runW6(quick: quick)
      case "W7": try runW7(quick: quick)
      case "W10": try runW10(quick: quick)
      case "W8": try runW8(quick: quick)
      case "W12": try runW12(quick: quick)
      case "W13": try runW13(quick: quick)
      case "W14": try runW14(quick: quick)
      case "BUILD": try runBuildSpeed(quick: quick)
      case "NATIVE": try runNative(quick: quick)
      case "SERVE": try runServeLatency(quick: quick)
      default: try runW3(quick: quick, buildPeers: buildPeers)
      }
    for line in lines { print(line) }
  }
} catch {
  FileHandle.standardError.write("compgraph-bench: \(error)\n".data(using: .utf8)!)
  exit(1)
}
