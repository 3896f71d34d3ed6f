import CompGraph

/// The one place the CLI simplifies a graph (`render`, `grad`, `simplify`,
/// `gallery`); `trace` receives a line per rule that fired.
func simplified(_ graph: Graph, trace: ((String) -> Void)? = nil) -> Graph {
  simplify(graph, trace: trace.map { report in { report("\($0)") } })
}
