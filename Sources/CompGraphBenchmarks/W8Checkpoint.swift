import CompGraph
import Foundation

/// W8: the gradient of sum(h₆₄²) for a 64-layer tanh MLP (width 256, batch
/// 64) with respect to every weight and bias, (a) keeping every activation,
/// (b) with a checkpoint every 8 layers.  Built from `Linear` modules in a
/// `Sequential`; each gradient graph runs as one compiled `Program`.
///
/// Memory: `program_peak_bytes` is the program's arena (`Program.peakBytes`),
/// which holds the 64 weight gradients (33.7 MB, the outputs) at its end
/// whatever the schedule; `peak_bytes` is what checkpointing changes, the
/// most bytes of intermediate values alive at once (`plannedPeakBytes`).
func runW8(quick: Bool) throws -> [String] {
  let (depth, width, batch) = quick ? (16, 64, 16) : (64, 256, 64)
  let layers = (0..<depth).map {
    Linear("layer\($0)", width, width, weightInit: .normal(scale: 1 / Double(width).squareRoot()))
  }
  let mlp = Sequential("mlp", layers)
  var bindings = mlp.initialParameters(seed: 8)
  bindings["x"] = Tensor(
    shape: [batch, width], scalars: (0..<batch * width).map { sin(Double($0) * 0.37) })

  func gradientGraph(checkpointEvery segment: Int?) throws -> Graph {
    let g = GraphBuilder()
    var h = try g.variable("x", [batch, width])
    mlp.scoped(g) {
      for (k, layer) in layers.enumerated() {
        if let segment {
          h = g.checkpoint("segment\(k / segment)") { tanh(layer(h)) }
        } else {
          h = tanh(layer(h))
        }
      }
    }
    let loss = (h * h).sum()
    let params = try mlp.parameters.map { try g.variable($0.path, $0.shape) }
    return try loss.graph(with: try gradient(of: loss, wrt: params))
  }

  var lines: [String] = []
  var reference: [Tensor] = []
  for (variant, segment) in [("store", nil), ("checkpoint8", 8)] as [(String, Int?)] {
    FileHandle.standardError.write("W8 \(variant)\n".data(using: .utf8)!)
    let graph = try gradientGraph(checkpointEvery: segment)
    let program = try Program(graph)
    let inputs = program.inputNames.map { bindings[$0]! }
    var values: [Tensor] = []
    let seconds = try medianSeconds(runs: 9) {
      try program.evaluate(inputs: inputs, into: &values)
    }
    let (peak, outputs, _) = plannedPeakBytes(graph)
    var fields: [(String, Any)] = [
      ("workload", "W8"), ("variant", variant), ("peak_bytes", peak),
      ("program_peak_bytes", program.peakBytes), ("output_bytes", outputs),
      ("grad_seconds", seconds), ("nodes", graph.nodeCount),
    ]
    if reference.isEmpty {
      reference = values
    } else {
      var worst = 0.0
      for (a, b) in zip(values, reference) {
        for (u, v) in zip(a.scalars, b.scalars) {
          worst = max(worst, abs(u - v) / max(abs(v), 1e-300))
        }
      }
      fields.append(("max_relative_difference", worst))
    }
    lines.append(jsonLine(fields))
  }
  return lines
}
