import CompGraph
import Foundation

/// W1 (WORKLOADS.md): the n-th derivative of tanh, n = 1 … 10, in two
/// variants — `tanh` (the primitive) and `exp`, (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) — each
/// built as the derivative of the simplified (n−1)-th.  One JSON line per
/// variant and order:
///
///     {"workload":"W1","variant":"tanh","order":n,"ops":…,"build_seconds":…,
///      "eval_seconds":…,"value_at_0_5":…}
///
/// `build_seconds` is cumulative from f to the n-th derivative; times are
/// medians of `runs` after a warm-up.  Evaluation is at `linspace(-2, 2,
/// 1_000_000)` (10,000 points with `quick`), through the reference evaluator
/// with x bound to a tensor.
func runW1(quick: Bool) -> [String] {
  let points = quick ? 10_000 : 1_000_000
  let runs = 5
  let xs = (0..<points).map { -2 + 4 * Double($0) / Double(points - 1) }
  var lines: [String] = []
  for variant in ["tanh", "exp"] {
    for order in 1...10 {
      do {
        func build() throws -> (Graph, Expr) {
          let g = GraphBuilder()
          let x = try g.variable("x")
          let f = variant == "tanh" ? tanh(x) : (exp(x) - exp(-x)) / (exp(x) + exp(-x))
          let d = try derivative(of: f, wrt: x, order: order)
          return (try d.graph(), d)
        }
        let (graph, d) = try build()
        let buildSeconds = try median(runs: runs) { _ = try build() }
        let batched = try graph.withVariable("x", shape: [points])
        let input = Tensor(shape: [points], scalars: xs)
        let evalSeconds = try median(runs: runs) { _ = try batched.evaluate(["x": input]) }
        let value: Double = try d.evaluate(["x": 0.5])
        let line =
          "{\"workload\":\"W1\",\"variant\":\"\(variant)\",\"order\":\(order),\"ops\":\(graph.operationCount),"
          + "\"build_seconds\":\(buildSeconds),\"eval_seconds\":\(evalSeconds),\"value_at_0_5\":\(value)}"
        lines.append(line)
        FileHandle.standardError.write(
          "W1 \(variant) n=\(order): \(graph.operationCount) ops\n".data(using: .utf8)!)
      } catch {
        FileHandle.standardError.write(
          "W1 \(variant) n=\(order) failed: \(error)\n".data(using: .utf8)!)
      }
    }
  }
  return lines
}

/// The median wall time of `runs` calls of `body`, after one warm-up call.
func median(runs: Int, _ body: () throws -> Void) throws -> Double {
  try body()
  let clock = ContinuousClock()
  var times: [Double] = []
  for _ in 0..<runs {
    let elapsed = try clock.measure(body)
    times.append(
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
  }
  times.sort()
  return times[times.count / 2]
}

extension Graph {
  /// The same graph with variable `name` given another shape (every node's
  /// shape re-inferred), e.g. to evaluate a scalar function at many points.
  func withVariable(_ name: String, shape: Shape) throws -> Graph {
    let builder = GraphBuilder()
    var map: [NodeID] = []
    for id in ids {
      switch op(id) {
      case .variable(let v):
        map.append(try builder.variableNode(v, shape: v == name ? shape : self.shape(id)))
      case .constant(let t):
        map.append(builder.constantNode(t))
      case let op:
        map.append(try builder.node(op, inputs(id).map { map[$0.index] }))
      }
    }
    return builder.graph(outputs: outputs.map { map[$0.index] }, names: outputNames)
  }
}
