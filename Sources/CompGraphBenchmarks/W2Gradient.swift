import CompGraph
import ExampleSupport
import Foundation

/// W2: f(x) = Σᵢ exp(xᵢ)·ln(1 + x²ᵢ₊₁) + √(Σᵢ xᵢ²) over N scalar variables,
/// its gradient by one reverse sweep (then simplified, the default path; the
/// build is timed from f, built beforehand),
/// compiled and evaluated at one point and along a batch of 1000 points.
func runW2(quick: Bool, buildPeers: SameRunBuildPeers) throws -> [String] {
  let sizes = quick ? [10, 100] : [10, 100, 1000, 10000]
  let peers: [Int: [(String, Any)]] = [
    1000: [("symengine_eval_grad_seconds", 11.5e-6), ("symengine_build_seconds", 2.57)],
    10000: [
      ("numpy_eval_f_seconds", 33e-6), ("numpy_eval_grad_seconds", 52e-6),
      ("jax_vector_batch_eval_grad_seconds", 0.139),
    ],
  ]
  var lines: [String] = []
  for n in sizes {
    FileHandle.standardError.write("W2 n=\(n)\n".data(using: .utf8)!)
    let f = try Workload.w2(n).f
    var gradGraph: Graph?
    // f is built before each timed run, as CasADi's is: `build_seconds` is ∇f's.
    let build = try medianSeconds(setup: { try Workload.w2(n) }) {
      gradGraph = try Workload.w2Gradient(of: $0)
    }
    let fGraph = try simplify(f).graph()
    let fProgram = try Program(fGraph)
    let gProgram = try Program(gradGraph!)
    let point = (0..<n).map { sin(Double($0 + 1)) }
    let fPoint = fProgram.inputNames.map { point[Int($0.dropFirst())!] }
    let gPoint = gProgram.inputNames.map { point[Int($0.dropFirst())!] }
    let evalF = try medianSecondsPerRun { _ = try fProgram.evaluate(point: fPoint) }
    let evalGrad = try medianSecondsPerRun { _ = try gProgram.evaluate(point: gPoint) }
    let batch = 1000
    let columns = gProgram.inputNames.map { name in
      let i = Double(Int(name.dropFirst())!)
      return (0..<batch).map { b in sin(i + 1 + 0.001 * Double(b)) }
    }
    let batchGrad = try medianSeconds { _ = try gProgram.evaluate(batch: columns, count: batch) }
    var fields: [(String, Any)] = [
      ("workload", "W2"), ("n", n), ("ops_f", fGraph.operationCount),
      ("ops_grad", gradGraph!.operationCount),
      ("build_seconds", build), ("eval_f_seconds", evalF), ("eval_grad_seconds", evalGrad),
      ("batch_eval_grad_seconds", batchGrad), ("grad_to_f_ratio", evalGrad / evalF),
    ]
    if n == 10000 {
      fields += fastestBuildPeer(
        "CasADi", seconds: 0.052, ours: build, sameRun: buildPeers, key: "W2")
    }
    if let p = peers[n] { fields.append(("peers", p)) }
    lines.append(jsonLine(fields))
  }
  return lines
}
