import CompGraph
import Dispatch
import Foundation

/// W8: the gradient of sum(h₆₄²) for a 64-layer tanh MLP (width 256, batch
/// 64) with respect to every weight and bias, (a) keeping every activation,
/// (b) with a checkpoint every 8 layers.  Built from `Linear` modules in a
/// `Sequential`; each gradient graph runs as one compiled `Program`, the two
/// in turns.
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

  // The two programs run in turns (a warm-up round, then 9 timed rounds), so
  // a change in the machine's load falls on both alike.
  let variants: [(name: String, segment: Int?)] = [("store", nil), ("checkpoint8", 8)]
  var graphs: [Graph] = [], programs: [Program] = [], inputs: [[Tensor]] = []
  for variant in variants {
    FileHandle.standardError.write("W8 \(variant.name)\n".data(using: .utf8)!)
    graphs.append(try gradientGraph(checkpointEvery: variant.segment))
    programs.append(try Program(graphs.last!))
    inputs.append(programs.last!.inputNames.map { bindings[$0]! })
  }
  var values = [[Tensor]](repeating: [], count: variants.count)
  var times = [[Double]](repeating: [], count: variants.count)
  for round in 0..<10 {
    for k in variants.indices {
      let start = DispatchTime.now().uptimeNanoseconds
      try programs[k].evaluate(inputs: inputs[k], into: &values[k])
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      if round > 0 { times[k].append(seconds) }
    }
  }
  return variants.indices.map { k in
    let (peak, outputs, _) = plannedPeakBytes(graphs[k])
    var fields: [(String, Any)] = [
      ("workload", "W8"), ("variant", variants[k].name), ("peak_bytes", peak),
      ("program_peak_bytes", programs[k].peakBytes), ("output_bytes", outputs),
      ("grad_seconds", times[k].sorted()[times[k].count / 2]), ("nodes", graphs[k].nodeCount),
    ]
    if k > 0 {
      var worst = 0.0
      for (a, b) in zip(values[k], values[0]) {
        for (u, v) in zip(a.scalars, b.scalars) {
          worst = max(worst, abs(u - v) / max(abs(v), 1e-300))
        }
      }
      fields.append(("max_relative_difference", worst))
    }
    return jsonLine(fields)
  }
}
