import ArgumentParser
import CompGraph

/// `--taylor x:50`: the Taylor series of the output in the scalar variable x to order 50.
struct TaylorRequest: ExpressibleByArgument {
  /// The highest order `--taylor` takes (the series costs O(n²) per op and n + 1 values per node).
  static let maxOrder = 10_000

  let variable: String
  let order: Int

  init?(argument: String) {
    let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, isIdentifier(String(parts[0])), let order = Int(parts[1]),
      (0...Self.maxOrder).contains(order)
    else { return nil }
    self.variable = String(parts[0])
    self.order = order
  }

  static var defaultCompletionKind: CompletionKind { .default }
}

extension EvalCommand {
  /// The order from which `--derivative x,x,…` (one scalar variable) uses Taylor mode at the
  /// point instead of building the symbolic tower: the crossover `compgraph-bench W14` measures
  /// (the tower built and evaluated, against the series at the point; README "W14").
  static let taylorModeOrder = 4

  /// Whether `--derivative` list `names` is taken by Taylor mode: one scalar variable, at or
  /// above `taylorModeOrder`.
  static func usesTaylorMode(_ names: [String], in graph: Graph) -> Bool {
    guard names.count >= taylorModeOrder, let x = names.first, names.allSatisfy({ $0 == x }) else {
      return false
    }
    return graph.variables.first { $0.name == x }?.shape.isEmpty == true
  }

  /// c₀ … cₙ (or the derivatives k!·cₖ with `--derivatives`) of the single output `f` in each
  /// `--taylor` variable, the others held at the point.
  func taylorSeries(of f: Graph, at point: [String: Tensor], requests: [TaylorRequest])
    throws -> [(variable: String, values: [Tensor])]
  {
    try requests.map { request in
      guard let variable = f.variables.first(where: { $0.name == request.variable }) else {
        let known = f.variables.map { "'\($0.name)'" }.joined(separator: ", ")
        throw UserError(
          "--taylor \(request.variable):\(request.order): the expression has no variable "
            + "'\(request.variable)'" + (known.isEmpty ? "" : " (its variables are \(known))"))
      }
      guard variable.shape.isEmpty else {
        throw UserError(
          "--taylor \(request.variable):\(request.order): '\(request.variable)' has shape "
            + "\(variable.shape.shapeDescription); --taylor takes a scalar variable")
      }
      let c = try f.taylor(along: [request.variable: Tensor(1)], at: point, order: request.order)[0]
      guard taylorDerivatives else { return (request.variable, c) }
      // k!·cₖ elementwise (a tensor output's coefficients are tensors).
      let count = c[0].scalars.count
      let columns = (0..<count).map { i in
        Jet(coefficients: c.map { $0.scalars[i] }).derivatives
      }
      return (
        request.variable,
        c.indices.map { k in
          Tensor(shape: c[k].shape, scalars: (0..<count).map { columns[$0][k] })
        }
      )
    }
  }
}
