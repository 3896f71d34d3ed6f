/// A multilayer perceptron: `Linear` layers `layer0`, `layer1`, … of the
/// given sizes with `activation` between them (not after the last):
/// sizes [2, 32, 3] is x ↦ σ(x·W₀ + b₀)·W₁ + b₁.
public struct MLP: Layer {
  public let name: String
  public let layers: [Linear]
  /// The activation's name, for descriptions.
  public let activationName: String
  let activation: (Expr) -> Expr

  /// Weights start as `randn · gain/√fan_in` (gain 1 by default).
  public init(
    _ name: String, sizes: [Int], activation: @escaping (Expr) -> Expr,
    activationName: String = "activation", gain: Double = 1
  ) {
    precondition(sizes.count >= 2, "MLP: give at least an input and an output size")
    self.name = name
    self.layers = (0..<sizes.count - 1).map { k in
      Linear(
        "layer\(k)", sizes[k], sizes[k + 1],
        weightInit: .normal(scale: gain / Double(sizes[k]).squareRoot()))
    }
    self.activation = activation
    self.activationName = activationName
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { layers }

  public func callAsFunction(_ x: Expr) -> Expr {
    scoped(x.builder) {
      var h = x
      for (k, layer) in layers.enumerated() {
        h = layer(h)
        if k < layers.count - 1 { h = activation(h) }
      }
      return h
    }
  }
}
