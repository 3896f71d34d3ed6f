import CompGraph

/// What one request, one connection and the whole server may use.  Each
/// refusal names the limit.
package struct Limits: Sendable {
  /// Bytes of one request body.
  package var bodyBytes = 64 << 10
  /// Unicode scalars of the expression or program (scalars, not grapheme
  /// clusters: one letter with 30,000 combining marks is 30,001).
  package var sourceScalars = 20_000
  /// The highest derivative order the page draws.
  package var order = 6
  /// Variables to differentiate with respect to.
  package var variables = 8
  /// Nodes in one picture (the `dot` layout takes seconds beyond about a thousand).
  package var nodes = GraphvizRenderer.defaultNodeLimit(for: "dot")
  /// Nodes building the derivatives may add, refused before they are built
  /// (the CLI's `--node-budget` default, about ten seconds of building).
  package var nodeBudget = 2_000_000
  /// Bytes an evaluation or an export may need, estimated before it starts
  /// (`Graph.peakMemoryEstimate`).
  package var evaluationBytes = 256 << 20
  /// Seconds for the whole request: parse, differentiate, simplify, lay out.
  package var seconds = 10.0
  /// Bytes of address space each worker may use (`--worker-memory`); past
  /// it an allocation fails and the worker stops.
  package var workerMemory = 1 << 30
  /// Requests worked on at once.
  package var concurrentWorkers = 16
  /// Requests that may wait for a turn; past it the server answers 503.
  package var queuedRequests = 64
  /// Open connections; past it the server stops accepting until one closes.
  package var connections = 128
  /// Seconds a connection may take to send a complete request head, from
  /// opening or from the previous answer (an idle connection is one that
  /// sends nothing in this time).
  package var headSeconds = 10.0
  /// Seconds a request may take to send its body, from its head.
  package var bodySeconds = 10.0
  /// Seconds a closing connection keeps reading (and dropping) what the
  /// client still sends, so the client sees the answer, before it is closed.
  package var lingerSeconds = 2.0
  /// Rule firings listed by a trace.
  package var traceFirings = 2_000
  /// Layout engines the page offers.
  package var layouts = ["dot", "sfdp", "neato"]
  /// Unicode scalars of an error message about the input.
  package var messageScalars = 2_000

  package init() {}

  package static let standard = Limits()
}
