import CompGraph

/// What one request may ask for.  Each refusal names the limit.
struct Limits: Sendable {
  /// Bytes of one request body.
  var bodyBytes = 64 << 10
  /// Characters of the expression or program.
  var sourceCharacters = 20_000
  /// The highest derivative order the page draws.
  var order = 6
  /// Variables to differentiate with respect to.
  var variables = 8
  /// Nodes in one picture (the `dot` layout takes seconds beyond about a thousand).
  var nodes = GraphvizRenderer.defaultNodeLimit(for: "dot")
  /// Seconds for the whole request: parse, differentiate, simplify, lay out.
  var seconds = 10.0
  /// Requests worked on at once; more wait for a turn.
  var concurrentWorkers = 16
  /// Rule firings listed by a trace.
  var traceFirings = 2_000
  /// Layout engines the page offers.
  var layouts = ["dot", "sfdp", "neato"]

  static let standard = Limits()
}
