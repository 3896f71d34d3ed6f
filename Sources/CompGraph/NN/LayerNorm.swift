/// Layer normalisation over the last axis (Ba, Kiros and Hinton 2016), with a learned scale γ
/// and shift β of the last axis's size D:
///
///     μ = mean(x),  σ² = mean((x − μ)²),  y = (x − μ) / √(σ² + ε) · γ + β
///
/// γ starts at 1 and β at 0, so a new layer only normalises.
public struct LayerNorm: Layer {
  public let name: String
  public let dimension: Int
  public let epsilon: Double

  public init(_ name: String, dimension: Int, epsilon: Double = 1e-5) {
    self.name = name
    self.dimension = dimension
    self.epsilon = epsilon
  }

  public var ownParameters: [ParameterSpec] {
    [ParameterSpec("scale", [dimension], .ones), ParameterSpec("shift", [dimension], .zeros)]
  }
  public var submodules: [any Module] { [] }

  /// `x` has D on its last axis, any shape before it.
  public func callAsFunction(_ x: Expr) -> Expr {
    let b = x.builder
    return scoped(b) {
      let centered = x - meanOverLastAxis(x)
      let variance = meanOverLastAxis(centered * centered)
      return centered * pow(variance + epsilon, -0.5) * parameter("scale", in: b)
        + parameter("shift", in: b)
    }
  }
}

/// The mean over the last axis, broadcast back to `x`'s shape.
func meanOverLastAxis(_ x: Expr) -> Expr {
  guard var shape = x.shape, !shape.isEmpty else { return x }
  let full = shape
  shape[shape.count - 1] = 1
  return reshape(mean(x, axis: -1), shape).broadcast(to: full)
}
