/// Scopes as nested Graphviz clusters: a module's nodes are drawn inside a
/// box labelled with its name, inside its parent module's box.
extension DOTEncoder {
  /// The node statements (one per node id, `nil` for nodes not drawn),
  /// wrapped in `subgraph cluster_…` blocks following the scope tree; the
  /// drawn nodes of the top-level scopes in `flattened` (collapsed into one
  /// node, their variables left out) are drawn outside any box.
  /// Iterative (an explicit stack), so scope depth costs no recursion.
  static func clustered(_ statements: [String?], in graph: Graph, flattened: Set<Int> = [])
    -> String
  {
    let scopes = graph.scopes
    var members = [[Int]](repeating: [], count: scopes.entries.count)
    for id in graph.ids where statements[id.index] != nil {
      var top = Int(graph.scope(of: id))
      while top > 0 && scopes.entries[top].parent != 0 { top = Int(scopes.entries[top].parent) }
      members[flattened.contains(top) ? 0 : Int(graph.scope(of: id))].append(id.index)
    }
    // A scope is drawn when it or a scope inside it holds a drawn node.
    var drawn = members.map { !$0.isEmpty }
    var children = [[Int]](repeating: [], count: scopes.entries.count)
    for scope in stride(from: scopes.entries.count - 1, through: 1, by: -1) where drawn[scope] {
      let parent = Int(scopes.entries[scope].parent)
      drawn[parent] = true
      children[parent].append(scope)
    }
    enum Step {
      case open(Int, depth: Int)
      case close(depth: Int)
    }
    var out = ""
    var stack: [Step] = [.open(0, depth: 0)]
    while let step = stack.popLast() {
      switch step {
      case .close(let depth):
        out += String(repeating: "  ", count: depth) + "}\n"
      case .open(let scope, let depth):
        let indent = String(repeating: "  ", count: depth + 1)
        if scope > 0 {
          out += String(repeating: "  ", count: depth) + "subgraph \"cluster_s\(scope)\" {\n"
          for (key, value) in clusterStyle(scopes.entries[scope]).sorted(by: { $0.key < $1.key }) {
            out += indent + "\(key)=\(value)\n"
          }
          stack.append(.close(depth: depth))
        }
        for index in members[scope] { out += indent + statements[index]! + "\n" }
        for child in children[scope] { stack.append(.open(child, depth: depth + 1)) }
      }
    }
    return out
  }

  /// Module boxes are grey, checkpoint segments orange (their recomputed
  /// copies dotted), per-parameter derivative groups purple.
  private static func clusterStyle(_ entry: ScopeTable.Entry) -> [String: String] {
    let (color, style) =
      switch entry.kind {
      case .module: ("#888888", "rounded")
      case .checkpoint: ("#d08a2e", "rounded,dashed")
      case .recompute: ("#d08a2e", "rounded,dotted")
      case .derivative: ("#8a6bbf", "rounded,dashed")
      }
    return [
      "color": DOTSyntax.quoted(color), "fontcolor": DOTSyntax.quoted(color),
      "fontname": "\"Helvetica\"", "fontsize": "\"11\"", "label": DOTSyntax.quoted(entry.name),
      "labeljust": "\"l\"", "style": DOTSyntax.quoted(style),
    ]
  }
}
