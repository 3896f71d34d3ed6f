import CompGraph

/// The one place the CLI simplifies a graph (`render`, `grad`, `simplify`,
/// `gallery`); `stabilizing` adds the stabilize phase; `trace` receives a
/// line per rule that fired.
func simplified(_ graph: Graph, stabilizing: Bool = false, trace: ((String) -> Void)? = nil)
  -> Graph
{
  var options = SimplifyOptions()
  if stabilizing { options.phases.insert(.stabilize) }
  return simplify(graph, options: options, trace: trace.map { report in { report("\($0)") } })
}
