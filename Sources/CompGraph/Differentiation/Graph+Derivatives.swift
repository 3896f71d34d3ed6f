/// A graph together with the derivative order of each of its outputs.
public struct DerivativeGraph: Sendable {
  public var graph: Graph
  /// `0` for `f`, `1` for `∂f/∂p`, `2` for `∂²f/∂p∂q`, …
  public var outputOrders: [Int]

  public init(graph: Graph, outputOrders: [Int]) {
    self.graph = graph
    self.outputOrders = outputOrders
  }

  /// The same outputs simplified together, in one pass.  `Graph.derivatives`
  /// simplifies each order on its own, so a subexpression lowered in f and
  /// normalised again in ∂f can be two nodes (e^(−x·y) twice); together they
  /// are one.  What a drawing of the orders shows; it costs one more
  /// simplification of the whole graph.
  public func simplifiedTogether() -> DerivativeGraph {
    DerivativeGraph(graph: simplify(graph), outputOrders: outputOrders)
  }
}

extension Graph {
  /// Every output followed by its derivatives up to `order` with respect to
  /// `variables`: `f, ∂f/∂p, ∂f/∂q, ∂²f/∂p², ∂²f/∂p∂q, ∂²f/∂q², …`, one
  /// output per multiset of variables (mixed partials are symmetric, so
  /// `∂²f/∂q∂p` is not repeated), named with `derivativeName`: the
  /// `DerivativeTower` of the outputs, built in one arena; with
  /// `simplifying`, the outputs and then each order are simplified before the
  /// next is taken, so high orders stay small and the result needs no second
  /// simplification.  Order 0 gives the outputs alone.  `nodeBudget` bounds
  /// the nodes building may add (see `DerivativeTower`).
  ///
  /// Outputs and variables may be tensors, with `jax.jacobian`'s shapes: a
  /// partial of an output of shape S by variables of shapes T₁ … Tₖ (in the
  /// order of `variables`) has shape S + T₁ + … + Tₖ.  So a non-scalar
  /// output's first derivatives are its Jacobians, and a scalar loss's
  /// ∂²/∂W², ∂²/∂W∂b and ∂²/∂b² are the blocks of `jax.hessian` (the block
  /// ∂²/∂b∂W, the transpose of ∂²/∂W∂b, is not repeated).
  public func derivatives(
    wrt variables: [String], order: Int, simplifying: Bool, nodeBudget: Int? = nil
  ) throws
    -> DerivativeGraph
  {
    let builder = GraphBuilder(self)
    let handles = try variables.map { name -> NodeID in
      guard let id = builder.existingVariable(name) else {
        let known = self.variables.map { "'\($0.name)'" }.joined(separator: ", ")
        throw GraphError.unsupported(
          "cannot differentiate with respect to '\(name)': the expression has no variable of that name"
            + (known.isEmpty ? "" : " (its variables are \(known))"))
      }
      return id
    }
    let roots = simplifying ? builder.simplify(outputs) : outputs
    let tower = try builder.derivativeTower(
      of: roots, wrt: handles, order: variables.isEmpty ? 0 : order, simplify: simplifying,
      nodeBudget: nodeBudget)
    let names = tower.partials.map { partial in
      let f = outputNames[partial.output]
      return partial.variables.isEmpty
        ? f : derivativeName(of: f, wrt: partial.variables.map { variables[$0] })
    }
    return DerivativeGraph(
      graph: builder.graph(outputs: tower.partials.map(\.node), names: names),
      outputOrders: tower.partials.map(\.order))
  }

  /// The highest derivative order the command line builds.
  public static let maxOrder = 12
}
