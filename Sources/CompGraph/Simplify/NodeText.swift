/// Short infix text for a node, for traces and test messages:
/// `2·x^2 + exp(-1·x)`.  Subterms deeper than `depth` print as `…`, so the
/// recursion is bounded by `depth`, not by the graph.
extension GraphBuilder {
  func shortText(_ id: NodeID, depth: Int = 3) -> String {
    let text = render(id, depth: depth)
    return text.count > 120 ? String(text.prefix(119)) + "…" : text
  }

  private func render(_ id: NodeID, depth: Int) -> String {
    let op = nodes.ops[id.index]
    switch op {
    case .variable(let name): return name
    case .constant(let t):
      return t.isScalar ? formatNumber(t.scalars[0]) : "const[\(t.shape.shapeDescription)]"
    default: break
    }
    if depth == 0 { return "…" }
    let ins = inputs(id).map { render($0, depth: depth - 1) }
    func atom(_ k: Int) -> String {
      let inner = inputs(id)[inputs(id).startIndex + k]
      switch nodes.ops[inner.index] {
      case .add, .mul, .pow, .power: return depth > 1 ? "(\(ins[k]))" : ins[k]
      case .constant(let t) where t.isScalar && t.scalars[0] < 0: return "(\(ins[k]))"
      default: return ins[k]
      }
    }
    switch op {
    case .add: return ins.joined(separator: " + ")
    case .mul: return ins.indices.map(atom).joined(separator: "·")
    case .pow(let c): return "\(atom(0))^\(formatNumber(c))"
    case .power: return "\(atom(0))^\(atom(1))"
    case .einsum(let spec): return "einsum[\(spec)](\(ins.joined(separator: ", ")))"
    case .sumTo(let s): return "sum_to[\(s.shapeDescription)](\(ins[0]))"
    case .broadcastTo(let s): return "broadcast_to[\(s.shapeDescription)](\(ins[0]))"
    default: return "\(op.info.name)(\(ins.joined(separator: ", ")))"
    }
  }
}
