import CompGraph
import ExampleSupport
import Foundation

/// W12: a Gaussian process's negative log marginal likelihood (`GaussianProcess.w12`, RBF
/// kernel, via `cholesky` and `triangular_solve`) at N = 100 and 500, value with gradient and
/// value with Hessian with respect to the three log-hyperparameters, each one compiled
/// `Program`.  Each line checks the values against the W12 reference below (JAX's values;
/// BENCHMARKS.md § W12) by `max_rel_error`, which must stay under 1e-10, and, in full runs,
/// carries JAX jit's figures from the same invocation
/// (`Benchmarks/w12_jax.py`, `jax_jit_same_run_*`).
func runW12(quick: Bool) throws -> [String] {
  let sizes = quick ? [100] : [100, 500]
  let jax = quick ? [] : runPeerScript("w12_jax.py")
  return try sizes.map { n in
    FileHandle.standardError.write("W12 n = \(n)\n".data(using: .utf8)!)
    let start = Date()
    let gp = try GaussianProcess.w12(n: n)
    let build = Date().timeIntervalSince(start)
    let theta = [0.0, 0.0, -2.0]
    let (value, gradient) = try gp.valueAndGradient(theta)
    let hessian = try gp.valueAndHessian(theta).hessian
    let diagonal = [hessian[0], hessian[4], hessian[8]]
    let reference = w12Reference[n]
    let error = reference.map { reference in
      zip([value] + gradient + diagonal, reference).map { abs($0 - $1) / abs($1) }.max() ?? 0
    }
    let runs = quick ? 3 : 9
    let grad = try medianAndBestSeconds(runs: runs, repeating: true) {
      _ = try gp.valueAndGradient(theta)
    }
    let hess = try medianAndBestSeconds(runs: runs, repeating: true) {
      _ = try gp.valueAndHessian(theta)
    }
    let peer = jax.first { ($0["n"] as? Int) == n }
    let sameRun: [(String, Any)] =
      peer.map { peer in
        [
          "grad_seconds", "best_grad_seconds", "first_grad_seconds", "hessian_seconds",
          "best_hessian_seconds", "first_hessian_seconds",
        ].compactMap { key in (peer[key] as? Double).map { ("jax_jit_same_run_" + key, $0) } }
      } ?? []
    let speed: [(String, Any)] =
      peer.flatMap { peer in
        guard let g = peer["grad_seconds"] as? Double, let h = peer["hessian_seconds"] as? Double
        else { return nil }
        return [("speed_vs_jax_grad", g / grad.median), ("speed_vs_jax_hessian", h / hess.median)]
      } ?? []
    return jsonLine(
      [
        ("workload", "W12"), ("n", n), ("blas_core", openBLASCore ?? "unknown"),
        ("grad_seconds", grad.median), ("best_grad_seconds", grad.best),
        ("hessian_seconds", hess.median), ("best_hessian_seconds", hess.best),
        ("build_seconds", build), ("value", value), ("max_rel_error", error ?? Double.nan),
        ("gradient_operations", gp.gradientGraph.operationCount),
        ("hessian_operations", gp.hessianGraph.operationCount),
      ] + sameRun + speed)
  }
}

/// The W12 reference (JAX's values; BENCHMARKS.md § W12): NLL, its gradient and its Hessian's
/// diagonal at θ = (0, 0, −2).
private let w12Reference: [Int: [Double]] = [
  100: [
    -7.28869282727700e1, -1.73752138194014e1, 8.57706641196214, 8.61067065530448e1,
    6.77809150339687e1, 1.12313090922814e1, 2.06669580478320,
  ],
  500: [
    -4.93763684837972e2, -2.47964939460927e1, 9.62846031178967, 4.84605313227584e2,
    9.88469181956071e1, 1.22394894549836e1, 1.90616248750254,
  ],
]
