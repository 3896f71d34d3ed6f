import CompGraph

/// The HigherOrderTanh example: tanh and its first n derivatives, each built
/// by differentiating the one before (see `derivatives(of:wrt:upTo:)`).
///
/// With t = tanh x every derivative is a polynomial in t,
///
///     tanh′ = 1 − t²,   tanh″ = −2t(1 − t²),   tanh‴ = −2 + 8t² − 6t⁴, …
///     P₀ = t,   Pₖ₊₁(t) = Pₖ′(t)·(1 − t²)
///
/// which is how the tests check the values.
public struct TanhDerivatives: Sendable {
  /// Outputs `tanh`, `∂tanh/∂x`, …, `∂ⁿtanh/∂xⁿ` in one graph of variable `x`.
  public let graph: Graph
  let program: Program

  public init(order: Int) throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x")
    let tower = try derivatives(of: tanh(x), wrt: x, upTo: order)
    let names = tower.indices.map { k in
      k == 0 ? "tanh" : derivativeName(of: "tanh", wrt: Array(repeating: "x", count: k))
    }
    graph = try tower[0].graph(names: names, with: Array(tower.dropFirst()))
    program = try Program(graph)
  }

  /// The graph of orders 0…k only (as their outputs).
  public func graph(upTo k: Int) -> Graph {
    graph.with(outputs: Array(graph.outputs[...k]), names: Array(graph.outputNames[...k]))
  }

  /// The operation count of the k-th derivative alone.
  public func operationCount(order k: Int) -> Int {
    graph.with(outputs: [graph.outputs[k]], names: [graph.outputNames[k]]).operationCount
  }

  /// `values[k][i]` is the k-th derivative at `xs[i]` (one batch run).
  public func values(at xs: [Double]) throws -> [[Double]] {
    let batch = try program.evaluate(batch: [xs], count: xs.count)
    return graph.outputs.indices.map { Array(batch[$0]) }
  }
}
