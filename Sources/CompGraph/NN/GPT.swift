/// A learned positional embedding: a table P [context, D] whose first T rows are added to a
/// sequence of length T ≤ context.
public struct PositionalEmbedding: Module {
  public let name: String
  public let context: Int
  public let dimension: Int
  public let initializer: Initializer

  public init(
    _ name: String, context: Int, dimension: Int, initializer: Initializer = .normal(scale: 0.02)
  ) {
    self.name = name
    self.context = context
    self.dimension = dimension
    self.initializer = initializer
  }

  public var ownParameters: [ParameterSpec] {
    [ParameterSpec("P", [context, dimension], initializer)]
  }
  public var submodules: [any Module] { [] }

  /// Rows 0..<T of P: [T, D] (a failed handle past the context).
  public func positions(_ t: Int, in builder: GraphBuilder) -> Expr {
    scoped(builder) {
      guard t <= context else {
        return Expr(
          builder,
          .failure(
            .unsupported(
              "positional embedding '\(name)': a sequence of \(t) is longer than the context of \(context)"
            )))
      }
      let table = parameter("P", in: builder)
      return t == context ? table : slice(table, axis: 0, start: 0, end: t)
    }
  }
}

/// A GPT (Radford et al. 2018, GPT-2's layout): token and position embeddings, N pre-LN
/// `TransformerBlock`s, a final LayerNorm and an output head tied to the token embedding E:
///
///     h₀ = E[tokens] + P[0..<T]
///     h_ℓ = block_ℓ(h_{ℓ−1})
///     logits = LayerNorm(h_N)·Eᵀ                          [B, T, V]
///
/// Every weight starts as `randn · 0.02`, biases at 0, LayerNorms at γ = 1, β = 0.
public struct GPT: Module {
  public let name: String
  public let vocabularySize: Int
  public let context: Int
  public let tokens: Embedding
  public let positions: PositionalEmbedding
  public let blocks: [TransformerBlock]
  public let finalNorm: LayerNorm
  public let dropout: Dropout

  /// V tokens, T ≤ `context`, D = `dimension`, `heads` heads, `layers` blocks with MLPs of
  /// `hidden`; dropout p on the embeddings and every residual branch in training.
  public init(
    _ name: String = "gpt", vocabularySize: Int, context: Int, dimension: Int, heads: Int,
    layers: Int, hidden: Int, dropout: Double = 0, exactGELU: Bool = false
  ) {
    self.name = name
    self.vocabularySize = vocabularySize
    self.context = context
    tokens = Embedding(
      "token_embedding", vocabularySize: vocabularySize, dimension: dimension,
      initializer: .normal(scale: 0.02))
    positions = PositionalEmbedding("position_embedding", context: context, dimension: dimension)
    blocks = (0..<layers).map {
      TransformerBlock(
        "block\($0)", dimension: dimension, heads: heads, hidden: hidden, dropout: dropout,
        exactGELU: exactGELU)
    }
    finalNorm = LayerNorm("final_norm", dimension: dimension)
    self.dropout = Dropout("dropout", rate: dropout)
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { [tokens, positions] + blocks + [finalNorm, dropout] }

  /// The logits [B, T, V] for integer tokens [B, T]; `randomness` turns dropout on.
  public func callAsFunction(_ tokens: Expr, _ randomness: Randomness? = nil) -> Expr {
    run(tokens, randomness).logits
  }

  /// The logits and every block's attention weights (`weights[ℓ][h]`, [B, T, T]).
  public func run(_ ids: Expr, _ randomness: Randomness? = nil) -> (
    logits: Expr, weights: [[Expr]]
  ) {
    let b = ids.builder
    guard let shape = ids.shape, shape.count == 2 else {
      let error = GraphError.shapeMismatch(
        op: "GPT '\(name)'", shapes: ids.shape.map { [$0] } ?? [],
        reason: "is not [B, T]: the input is a batch of token sequences")
      return (ids.shape == nil ? ids : Expr(b, .failure(error)), [])
    }
    return scoped(b) {
      let streams = blocks.count + 1
      var h = tokens(ids) + positions.positions(shape[1], in: b)
      h = dropout(h, randomness?.stream(blocks.count, of: streams))
      var weights: [[Expr]] = []
      for (l, block) in blocks.enumerated() {
        let (next, w) = block.attend(h, randomness?.stream(l, of: streams))
        h = next
        weights.append(w)
      }
      let logits = einsum("btd,vd->btv", finalNorm(h), self.tokens.table(in: b))
      return (logits, weights)
    }
  }

  /// The mean cross-entropy of predicting `targets` [B, T] (the next token at each position)
  /// from `ids` [B, T], over all B·T positions.
  public func loss(_ ids: Expr, targets: Expr, _ randomness: Randomness? = nil) -> Expr {
    let logits = self(ids, randomness)
    guard let shape = logits.shape, shape.count == 3 else { return logits }
    return crossEntropy(
      reshape(logits, [shape[0] * shape[1], shape[2]]),
      reshape(targets, [shape[0] * shape[1]]))
  }
}
