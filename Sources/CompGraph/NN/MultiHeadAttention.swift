/// Multi-head self-attention (Vaswani et al. 2017) over a batch of sequences x [B, T, D]:
/// projections q = x·W_q + b_q, k, v alike, split into H heads of D/H along the last axis;
/// head h computes
///
///     A_h = softmax(q_h·k_hᵀ / √(D/H) + M),   o_h = A_h·v_h
///
/// with the causal mask M (0 where the key is not after the query, else −10³⁰, whose exp is 0
/// in f32 and f64, applied by `where`) and `softmax` shifted by the row maximum; the heads are
/// joined and projected, y = [o₀ … o_{H−1}]·W_o + b_o. Each head is built in a scope of its
/// own (`head0`, …), so a picture draws the heads as clusters inside the module.
public struct MultiHeadAttention: Module {
  public let name: String
  public let dimension: Int
  public let heads: Int
  public let causal: Bool
  public let query: Linear, key: Linear, value: Linear, output: Linear

  /// Weights start as `weightInit` (GPT-2's `randn · 0.02` by default), biases as 0.
  public init(
    _ name: String, dimension: Int, heads: Int, causal: Bool = true,
    weightInit: Initializer = .normal(scale: 0.02)
  ) {
    precondition(heads > 0 && dimension % heads == 0, "MultiHeadAttention: H must divide D")
    self.name = name
    self.dimension = dimension
    self.heads = heads
    self.causal = causal
    query = Linear("query", dimension, dimension, weightInit: weightInit)
    key = Linear("key", dimension, dimension, weightInit: weightInit)
    value = Linear("value", dimension, dimension, weightInit: weightInit)
    output = Linear("output", dimension, dimension, weightInit: weightInit)
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { [query, key, value, output] }

  /// y [B, T, D] for x [B, T, D].
  public func callAsFunction(_ x: Expr) -> Expr { attend(x).output }

  /// y and each head's attention weights A_h [B, T, T] (row t: how much query t reads each key).
  public func attend(_ x: Expr) -> (output: Expr, weights: [Expr]) {
    let b = x.builder
    guard let shape = x.shape, shape.count == 3, shape[2] == dimension else {
      let error = GraphError.shapeMismatch(
        op: "MultiHeadAttention '\(name)'", shapes: x.shape.map { [$0] } ?? [],
        reason: "is not [B, T, \(dimension)]: the input is a batch of sequences of D = \(dimension)"
      )
      return (x.shape == nil ? x : Expr(b, .failure(error)), [])
    }
    let (B, T, D) = (shape[0], shape[1], shape[2])
    let width = D / heads
    return scoped(b) {
      let rows = reshape(x, [B * T, D])
      func project(_ layer: Linear) -> Expr { reshape(layer(rows), [B, T, D]) }
      let (q, k, v) = (project(query), project(key), project(value))
      let mask = causal ? b.constant(Self.causalMask(T)) : nil
      var outputs: [Expr] = [], weights: [Expr] = []
      for h in 0..<heads {
        b.withScope("head\(h)") {
          func part(_ t: Expr) -> Expr {
            slice(t, axis: 2, start: h * width, end: (h + 1) * width)
          }
          var scores = einsum("bqd,bkd->bqk", part(q), part(k)) * (1 / Double(width).squareRoot())
          if let mask { scores = select(mask, scores, scores.constant(-1e30)) }
          let a = softmax(scores, axis: -1)
          weights.append(a)
          outputs.append(einsum("bqk,bkd->bqd", a, part(v)))
        }
      }
      let joined = heads == 1 ? outputs[0] : concat(outputs, axis: 2)
      return (reshape(output(reshape(joined, [B * T, D])), [B, T, D]), weights)
    }
  }

  /// 1 where key j is not after query i (j ≤ i), else 0: [T, T].
  static func causalMask(_ t: Int) -> Tensor {
    Tensor(shape: [t, t], scalars: (0..<t * t).map { $0 % t <= $0 / t ? 1 : 0 })
  }
}
