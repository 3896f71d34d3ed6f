/// Everything that can go wrong while drawing a graph.  Graphviz's own
/// messages are captured (never printed) and carried in `.graphviz`.
public enum RenderError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Graphviz rejected the DOT text or failed to lay it out or render it.
  case graphviz(String)
  /// The layout engine is not one Graphviz has.
  case unknownLayout(String, available: [String])
  /// The output format is not one the renderer offers.
  case unknownFormat(String, available: [String])
  /// The graph has more nodes than the limit for a picture (`layout` is the
  /// engine that would have had to lay it out, when known).
  case tooLarge(nodes: Int, limit: Int, layout: String?)
  /// The layout's estimated cost, nodes + edges, is more than twice the
  /// node limit: a graph dense with edges lays out slowly even when its
  /// node count is within the limit.
  case tooManyEdges(nodes: Int, edges: Int, limit: Int, layout: String)
  /// `DOTEncoder.Options` that do not fit the graph (the message says which).
  case invalidOptions(String)

  public var description: String {
    switch self {
    case .graphviz(let message):
      return "Graphviz: \(message)"
    case .unknownLayout(let name, let available):
      let hint =
        available.isEmpty
        ? "Graphviz lists no layout engines; run `libgvc6-config-update -c` to register its plugins"
        : "use one of: \(available.joined(separator: ", "))"
      return "unknown layout engine '\(name)'; \(hint)"
    case .unknownFormat(let name, let available):
      return "unknown output format '\(name)'; use one of: \(available.joined(separator: ", "))"
    case .invalidOptions(let message):
      return "invalid DOTEncoder options: \(message)"
    case .tooLarge(let nodes, let limit, let layout):
      let engine = layout.map { "the \($0) layout's" } ?? "the"
      return "the graph has \(nodes) nodes, more than \(engine) limit of \(limit) for a picture; "
        + "raise the node limit (--max-nodes) or use the sfdp layout, which scales to large graphs"
    case .tooManyEdges(let nodes, let edges, let limit, let layout):
      return "the graph has \(nodes) nodes and \(edges) edges; with the \(layout) layout's node "
        + "limit of \(limit), nodes + edges may be at most \(2 * limit) (dense graphs lay out "
        + "slowly); use the sfdp layout, which scales to large graphs, or raise the node limit "
        + "(--max-nodes)"
    }
  }
}
