/// A pre-LayerNorm transformer block (GPT-2's): attention and a two-layer MLP, each reading a
/// normalised copy of the residual stream and adding its result back:
///
///     x ← x + dropout(attention(ln₁(x)))
///     x ← x + dropout(W₂·gelu(W₁·ln₂(x) + b₁) + b₂)      (MLP D → hidden → D)
public struct TransformerBlock: Module {
  public let name: String
  public let norm1: LayerNorm, attention: MultiHeadAttention
  public let norm2: LayerNorm, mlp: Sequential
  public let dropout: Dropout

  /// `hidden` is the MLP's width (4·D in GPT-2); GELU is the tanh approximation unless
  /// `exactGELU`; weights start as `weightInit`, biases at 0.
  public init(
    _ name: String, dimension: Int, heads: Int, hidden: Int, dropout: Double = 0,
    exactGELU: Bool = false, weightInit: Initializer = .normal(scale: 0.02)
  ) {
    self.name = name
    norm1 = LayerNorm("norm1", dimension: dimension)
    attention = MultiHeadAttention(
      "attention", dimension: dimension, heads: heads, weightInit: weightInit)
    norm2 = LayerNorm("norm2", dimension: dimension)
    mlp = Sequential(
      "mlp",
      [
        Linear("fc", dimension, hidden, weightInit: weightInit),
        Activation("gelu") { gelu($0, approximate: !exactGELU) },
        Linear("projection", hidden, dimension, weightInit: weightInit),
      ])
    self.dropout = Dropout("dropout", rate: dropout)
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { [norm1, attention, norm2, mlp, dropout] }

  /// x [B, T, D] ↦ [B, T, D]; `randomness` (training) draws two dropout streams.
  public func callAsFunction(_ x: Expr, _ randomness: Randomness? = nil) -> Expr {
    attend(x, randomness).output
  }

  /// The block's output and its attention weights (one [B, T, T] per head).
  public func attend(_ x: Expr, _ randomness: Randomness? = nil) -> (
    output: Expr, weights: [Expr]
  ) {
    scoped(x.builder) {
      guard let shape = x.shape, shape.count == 3 else { return (x, []) }
      let (a, weights) = attention.attend(norm1(x))
      let h = x + dropout(a, randomness?.stream(0, of: 2))
      let rows = reshape(norm2(h), [shape[0] * shape[1], shape[2]])
      let m = reshape(mlp(rows), shape)
      return (h + dropout(m, randomness?.stream(1, of: 2)), weights)
    }
  }
}
