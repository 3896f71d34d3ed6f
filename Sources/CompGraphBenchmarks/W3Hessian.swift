import CompGraph
import ExampleSupport
import Foundation

/// W3: the dense Hessian of W2's f, forward-over-reverse, then simplified.
func runW3(quick: Bool, buildPeers: SameRunBuildPeers) throws -> [String] {
  let sizes = quick ? [10] : [10, 100]
  var lines: [String] = []
  for n in sizes {
    FileHandle.standardError.write("W3 n=\(n)\n".data(using: .utf8)!)
    var graph: Graph?
    let build = try medianSeconds { graph = try Workload.w3Hessian(n) }
    let program = try Program(graph!)
    let point = program.inputNames.map { sin(Double(Int($0.dropFirst())!) + 1) }
    let eval = try medianSecondsPerRun { _ = try program.evaluate(point: point) }
    var fields: [(String, Any)] = [
      ("workload", "W3"), ("n", n), ("ops_hessian", graph!.operationCount),
      ("build_seconds", build), ("eval_seconds", eval),
    ]
    if n == 100 {
      fields += fastestBuildPeer(
        "CasADi", seconds: 0.042, ours: build, sameRun: buildPeers, key: "W3")
      fields.append(
        (
          "peers",
          [
            ("symengine_ops", 12100), ("symengine_build_seconds", 3.0),
            ("symengine_eval_seconds", 8.4e-6), ("casadi_build_seconds", 0.042),
            ("casadi_eval_seconds", 62e-6),
          ] as [(String, Any)]
        ))
    }
    lines.append(jsonLine(fields))
  }
  return lines
}
