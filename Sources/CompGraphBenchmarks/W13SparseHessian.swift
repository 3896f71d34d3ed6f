import CompGraph
import ExampleSupport
import Foundation

/// W13 (BENCHMARKS.md): the sparse Hessian of the chained Rosenbrock function at N = 10³, 10⁴,
/// 10⁵ (10³ with `quick`), beside CasADi's sparse `hessian` from the same invocation
/// (`Benchmarks/w13_casadi.py`):
///
///     {"workload":"W13","n":N,"build_seconds":…,"pattern_seconds":…,"coloring_seconds":…,
///      "eval_seconds":…,"nnz":…,"colors":…,"sum_entries":…,"peers":{…}}
///
/// `build_seconds` covers f, its pattern, the star colouring, the graph of the nonzeros (a
/// reverse sweep and one forward sweep per colour) and its compiled `Program`, as CasADi's
/// covers its f, `hessian` and `Function`; `pattern_seconds` is the pattern alone
/// (`hessianSparsity`), `coloring_seconds` the colouring alone. The point is xᵢ = sin(i + 1).
func runW13(quick: Bool) throws -> [String] {
  let sizes = quick ? [1000] : [1000, 10_000, 100_000]
  var peers: [Int: [String: Any]] = [:]
  if !quick {
    for object in runPeerScript("w13_casadi.py") {
      if let n = object["n"] as? Int { peers[n] = object }
    }
  }
  var lines: [String] = []
  for n in sizes {
    FileHandle.standardError.write("W13 n=\(n)\n".data(using: .utf8)!)
    var built: (SparseDerivative, Program)?
    let build = try medianSeconds(runs: n >= 100_000 ? 3 : 5) {
      let (f, x) = try Workload.chainedRosenbrock(n)
      let graph = try f.graph()
      let sparse = try graph.sparseHessian(wrt: x.indices.map { "x\($0)" })
      built = (sparse, try Program(sparse.graph))
    }
    let (sparse, program) = built!
    let names = sparse.variables, graph = try Workload.chainedRosenbrock(n).f.graph()
    let pattern = try medianSeconds(runs: n >= 100_000 ? 3 : 5) {
      _ = try graph.hessianSparsity(wrt: names)
    }
    let coloring = medianSeconds { _ = sparse.pattern.starColoring() }
    let point = program.inputNames.map { sin(Double(Int($0.dropFirst())!) + 1) }
    var values: [Double] = []
    let eval = try medianSecondsPerRun { values = try program.evaluate(point: point) }
    var fields: [(String, Any)] = [
      ("workload", "W13"), ("n", n), ("build_seconds", build), ("pattern_seconds", pattern),
      ("coloring_seconds", coloring),
      ("eval_seconds", eval), ("nnz", sparse.pattern.nonzeroCount),
      ("colors", sparse.coloring.count), ("max_row_count", sparse.pattern.maxRowCount),
      ("sum_entries", values.reduce(0, +)), ("ops", sparse.graph.operationCount),
    ]
    if let casadi = peers[n], let b = casadi["build_seconds"] as? Double,
      let e = casadi["eval_seconds"] as? Double
    {
      fields += [
        ("build_ratio_vs_casadi", build / b), ("eval_ratio_vs_casadi", eval / e),
        (
          "peers",
          [
            ("casadi_build_seconds", b), ("casadi_eval_seconds", e),
            ("casadi_nnz", casadi["nnz"] ?? 0), ("casadi_sum_entries", casadi["sum_entries"] ?? 0),
          ] as [(String, Any)]
        ),
      ]
    }
    lines.append(jsonLine(fields))
  }
  return lines
}
