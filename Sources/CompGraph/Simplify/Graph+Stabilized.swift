extension Graph {
  /// The same outputs with the stabilize phase run and nothing else: the stable forms that
  /// `compgraph eval` evaluates (log1p, expm1, max-shifted logsumexp, softplus and sigmoid of
  /// −|x|, tanh without 1 − tanh²), which every export writes by default (`cCode`, and
  /// `onnxModel()`).  A derivative is stable only when it is taken of stable forms, so stabilize
  /// before differentiating (`derivatives(wrt:order:simplifying:stabilizing:nodeBudget:)`): a
  /// derivative graph holding eˣ/(eˣ + 1) is rewritten to eˣ·σ(−x) here, but its eˣ still
  /// overflows.
  public func stabilized() -> Graph {
    simplify(self, options: .stabilizeOnly)
  }

  /// `derivatives(wrt:order:simplifying:nodeBudget:)` of the stable forms (`stabilized()`) when
  /// `stabilizing`, so that every derivative is taken of them and is stable too, as the exports
  /// take them.
  public func derivatives(
    wrt variables: [String], order: Int, simplifying: Bool, stabilizing: Bool,
    nodeBudget: Int? = nil
  ) throws -> DerivativeGraph {
    try (stabilizing ? stabilized() : self).derivatives(
      wrt: variables, order: order, simplifying: simplifying, nodeBudget: nodeBudget)
  }
}
