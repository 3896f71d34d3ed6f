import CompGraph
import ExplorerCore
import Foundation

/// What `/api/trace` answers: every rule that fired while simplifying the
/// unsimplified derivatives, and the picture of one firing — the node it
/// rewrote and the node it became, side by side.
struct TraceAnswer: Encodable {
  struct Firing: Encodable {
    let rule: String
    let location: String
    let before: String
    let after: String
    let domain: String?
  }

  let firings: [Firing]
  /// Firings in all (more than listed when the trace is cut at the limit).
  let total: Int
  /// The firing drawn, or -1 when no rule fired.
  let step: Int
  let svg: String
  /// DOT node names (`n12`) only the "before" output reaches: what the rule removed.
  let removed: [String]
  /// DOT node names only the "after" output reaches: what the rule built.
  let added: [String]
}

extension Work {
  /// The answer to `/api/trace`, listing at most `limit` firings.
  func traceAnswer(limit: Int = Limits.standard.traceFirings) throws -> TraceAnswer {
    var unsimplified = request
    unsimplified.simplify = false
    let drawing = try selection(of: Work(request: unsimplified, limits: limits).derivatives())
    let builder = GraphBuilder(drawing.graph)
    var firings: [RuleFiring] = []
    _ = builder.simplify(drawing.graph.outputs) { firings.append($0) }
    guard !firings.isEmpty else {
      return TraceAnswer(firings: [], total: 0, step: -1, svg: "", removed: [], added: [])
    }
    let step = min(request.step ?? 0, firings.count - 1)
    let firing = firings[step]
    let picture = builder.graph(outputs: [firing.node, firing.result], names: ["before", "after"])
    let reach = picture.outputs.map { output in
      var marked = [Bool](repeating: false, count: picture.nodeCount)
      marked[output.index] = true
      for index in stride(from: output.index, through: 0, by: -1) where marked[index] {
        for input in picture.inputs(NodeID(index)) { marked[input.index] = true }
      }
      return marked
    }
    let only = { (k: Int) in
      picture.ids.filter { reach[k][$0.index] && !reach[1 - k][$0.index] }.map { "n\($0.rawValue)" }
    }
    let dot = try aboutInput {
      try DOTEncoder(options: .init(nodeLimit: nodeLimit)).encode(picture, name: "trace")
    }
    return TraceAnswer(
      firings: firings.prefix(limit).map {
        TraceAnswer.Firing(
          rule: $0.rule, location: $0.location, before: $0.before, after: $0.after,
          domain: $0.domain)
      },
      total: firings.count, step: step, svg: try svg(dot, limit: nodeLimit), removed: only(0),
      added: only(1))
  }
}
