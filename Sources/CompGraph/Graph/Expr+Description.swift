/// `print(expr)` shows the expression in the language `parseProgram`
/// reads (`sqrt(p + p + q)/3 + ln(p*(p*q)) + 3`); a failed handle shows its
/// error.
extension Expr: CustomStringConvertible {
  public var description: String {
    switch result {
    case .success(let id):
      let graph = builder.graph(outputs: [id])
      return graph.infix(of: graph.outputs[0])
    case .failure(let error):
      return "<failed: \(error)>"
    }
  }
}

/// `print(graph)` shows its SSA listing (`Graph.listing`).
extension Graph: CustomStringConvertible {
  public var description: String { listing }
}
