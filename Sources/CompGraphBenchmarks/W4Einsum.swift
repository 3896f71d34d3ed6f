import CompGraph
import Foundation

/// W4 (BENCHMARKS.md): einsum in float64, one JSON object per case; and the matmul as a compiled
/// program in f64 and in f32 (`program_matmul_n_f64`, `_f32`).
///
/// Contractions report `gflops = 2·(multiply–adds) / seconds`; memory-bound
/// cases report `gbytes_per_second = (bytes of the result, or of the diagonal
/// for the trace) / seconds`, the convention under which NumPy's transpose copy
/// measures 2.0 GB/s.  Each line carries the peers' figures from BENCHMARKS.md
/// (`peers`, full sizes only) so the output reads beside them.
///
/// `grad_matmul_n` evaluates the graph `gradient(of: sum(einsum("ij,jk->ik", A, B)),
/// wrt: [A, B])`.  Its pullbacks are `Ā = einsum("ik,jk->ij", 1, B)` and
/// `B̄ = einsum("ik,ij->jk", 1, A)` with the all-ones cotangent 1; the kernel
/// sees the ones operand and computes the exact row and column sums
/// (`Ā[i,j] = Σ_k B[j,k]`, `B̄[j,k] = Σ_i A[i,j]`, O(n²)).  `effective_gflops`
/// counts the 4n³ multiply–adds of the two matrix products a gradient without
/// that rule performs (what JAX's XLA keeps), and `forward_ratio` is the time
/// over the forward matmul's (JAX: 1.9–2.6).
///
/// Full-size runs also run NumPy on the same cases in the same invocation
/// (`numpyW4Seconds`) and add its seconds and our speed over it to each line.
func runW4(quick: Bool) -> [String] {
  let numpy = quick ? [:] : numpyW4Seconds()
  let sizes =
    quick
    ? (matmul: [64, 128], batch: (8, 32), square: 256, cube: 32)
    : (matmul: [512, 1024], batch: (64, 128), square: 4096, cube: 128)
  var rng = W4Generator(state: 2024)
  var lines: [String] = []
  var forwardSeconds: [Int: Double] = [:]

  let matmulPeers = [
    512:
      #"{"numpy_matmul_gflops":[99,167],"numpy_einsum_optimize_gflops":[99,154],"jax_jit_gflops":172}"#,
    1024:
      #"{"numpy_matmul_gflops":[102,165],"numpy_einsum_optimize_gflops":[101,159],"jax_jit_gflops":175}"#,
  ]
  for n in sizes.matmul {
    let (a, b) = (rng.tensor([n, n]), rng.tensor([n, n]))
    let t = w4Median { Tensor.einsum(spec("ij,jk->ik", a, b), [a, b]) }
    forwardSeconds[n] = t
    lines.append(
      w4Line(
        "matmul_\(n)", t, ["gflops": 2 * pow(Double(n), 3) / t / 1e9],
        peers: quick ? nil : matmulPeers[n]))
  }

  // The same matmul compiled, in each element type (dgemm, sgemm): f32's GFLOP/s beside
  // f64's, the contraction rate a training step in that type can reach.
  for n in sizes.matmul {
    let (a, b) = (rng.tensor([n, n]), rng.tensor([n, n]))
    for dtype in [DType.f64, .f32] {
      let g = GraphBuilder()
      let program = try! Program(
        matmul(
          try! g.variable("A", [n, n], dtype: dtype), try! g.variable("B", [n, n], dtype: dtype)
        )
        .graph())
      var out: [Tensor] = []
      let t = w4Median {
        try! program.evaluate(inputs: [a, b], into: &out)
        return out.count
      }
      lines.append(
        w4Line(
          "program_matmul_\(n)_\(dtype)", t, ["gflops": 2 * pow(Double(n), 3) / t / 1e9],
          peers: nil))
    }
  }

  let (batches, m) = sizes.batch
  let (ba, bb) = (rng.tensor([batches, m, m]), rng.tensor([batches, m, m]))
  let tb = w4Median { Tensor.einsum(spec("bij,bjk->bik", ba, bb), [ba, bb]) }
  lines.append(
    w4Line(
      "bmm_\(batches)x\(m)", tb, ["gflops": 2 * Double(batches) * pow(Double(m), 3) / tb / 1e9],
      peers: quick
        ? nil
        : #"{"numpy_matmul_gflops":[71,88],"numpy_einsum_optimize_gflops":[70,95],"jax_jit_gflops":55}"#
    ))

  let n = sizes.square
  let square = rng.tensor([n, n])
  let tt = w4Median { Tensor.einsum(spec("ii->", square), [square]) }
  lines.append(
    w4Line(
      "trace_\(n)", tt, ["gbytes_per_second": Double(n * 8) / tt / 1e9],
      peers: quick
        ? nil
        : #"{"numpy_einsum_seconds":4e-6,"numpy_einsum_optimize_seconds":12e-6,"jax_jit_seconds":53e-3}"#
    ))
  let tp = w4Median { Tensor.einsum(spec("ij->ji", square), [square]) }
  lines.append(
    w4Line(
      "transpose_\(n)", tp, ["gbytes_per_second": Double(n * n * 8) / tp / 1e9],
      peers: quick ? nil : #"{"numpy_copy_gbytes_per_second":2.0,"jax_jit_gbytes_per_second":4.9}"#)
  )

  let c = sizes.cube
  let (x, y, z) = (rng.tensor([c, c, c]), rng.tensor([c, c]), rng.tensor([c, c]))
  let t3 = w4Median { Tensor.einsum(spec("ijk,jl,kl->il", x, y, z), [x, y, z]) }
  // The best path's work: (ijk,jl)→ikl is n⁴ multiply–adds, (ikl,kl)→il n³.
  let work3 = 2 * (pow(Double(c), 4) + pow(Double(c), 3))
  lines.append(
    w4Line(
      "three_operand_\(c)", t3, ["gflops": work3 / t3 / 1e9],
      peers: quick
        ? nil
        : #"{"numpy_einsum_optimize_gflops":[47,62],"opt_einsum_gflops":[23,28],"jax_jit_gflops":70}"#
    ))

  let (u, v) = (rng.tensor([n]), rng.tensor([n]))
  let to = w4Median { Tensor.einsum(spec("i,j->ij", u, v), [u, v]) }
  lines.append(
    w4Line(
      "outer_\(n)", to, ["gbytes_per_second": Double(n * n * 8) / to / 1e9],
      peers: quick
        ? nil
        : #"{"numpy_einsum_gbytes_per_second":8,"numpy_einsum_optimize_gbytes_per_second":13,"jax_jit_gbytes_per_second":3.4}"#
    ))

  for n in sizes.matmul {
    let builder = GraphBuilder()
    let graph: Graph
    do {
      let a = try builder.variable("A", [n, n]), b = try builder.variable("B", [n, n])
      let grads = try gradient(of: einsum("ij,jk->ik", a, b).sum(), wrt: [a, b])
      graph = try grads[0].graph(with: [grads[1]])
    } catch {
      FileHandle.standardError.write(Data("W4 grad_matmul_\(n): \(error)\n".utf8))
      continue
    }
    let bindings = ["A": rng.tensor([n, n]), "B": rng.tensor([n, n])]
    let t = w4Median { try? graph.evaluate(bindings) }
    lines.append(
      w4Line(
        "grad_matmul_\(n)", t,
        [
          "effective_gflops": 4 * pow(Double(n), 3) / t / 1e9,
          "forward_ratio": t / forwardSeconds[n]!,
        ],
        peers: quick ? nil : #"{"jax_jit_forward_ratio":[1.9,2.6]}"#))
  }
  return lines.map { withNumPy($0, numpy) }
}

/// The spec of `text` for the operands' shapes (the benchmark's own text: valid).
private func spec(_ text: String, _ operands: Tensor...) -> EinsumSpec {
  try! EinsumSpec.parse(text, shapes: operands.map(\.shape))
}

/// One JSON line; `figures` print in key order (deterministic output).
private func w4Line(_ name: String, _ seconds: Double, _ figures: [String: Double], peers: String?)
  -> String
{
  FileHandle.standardError.write(Data("W4 \(name): \(seconds) s\n".utf8))
  var fields = [
    #""workload":"W4""#, #""case":"\#(name)""#, #""blas_core":"\#(openBLASCore ?? "unknown")""#,
    #""seconds":\#(w4Number(seconds))"#,
  ]
  fields += figures.keys.sorted().map { #""\#($0)":\#(w4Number(figures[$0]!))"# }
  if let peers { fields.append(#""peers":\#(peers)"#) }
  return "{" + fields.joined(separator: ",") + "}"
}

/// Four significant digits, JSON-safe.
private func w4Number(_ x: Double) -> String { String(format: "%.4g", x) }

/// The median wall time of `body` over at least 5 runs (and at least 0.2 s of
/// runs, at most 1000) after one warm-up run.
private func w4Median<T>(_ body: () -> T) -> Double {
  withExtendedLifetime(body()) {}
  let clock = ContinuousClock()
  var times: [Double] = []
  var total = 0.0
  while times.count < 5 || (total < 0.2 && times.count < 1000) {
    let start = clock.now
    let result = body()
    let elapsed = clock.now - start
    withExtendedLifetime(result) {}
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    times.append(seconds)
    total += seconds
  }
  return times.sorted()[times.count / 2]
}

/// SplitMix64 → uniform values in [-1, 1): reproducible operands.
private struct W4Generator {
  var state: UInt64
  mutating func next() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) * 0x1p-52 - 1
  }
  /// Built by the library (`Tensor(shape:generating:)`), so large operands
  /// sit in huge pages as NumPy's own arrays do.
  mutating func tensor(_ shape: Shape) -> Tensor {
    Tensor(shape: shape) { _ in next() }
  }
}
