/// Layers applied one after another: x ↦ layerₙ(… layer₁(x)).
public struct Sequential: Layer {
  public let name: String
  public let layers: [any Layer]

  public init(_ name: String, _ layers: [any Layer]) {
    self.name = name
    self.layers = layers
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { layers }

  public func callAsFunction(_ x: Expr) -> Expr {
    scoped(x.builder) { layers.reduce(x) { h, layer in layer(h) } }
  }
}

/// An activation as a layer (no parameters), so `Sequential` can hold it.
public struct Activation: Layer {
  public let name: String
  let function: (Expr) -> Expr

  public init(_ name: String, _ function: @escaping (Expr) -> Expr) {
    self.name = name
    self.function = function
  }

  public var ownParameters: [ParameterSpec] { [] }
  public var submodules: [any Module] { [] }

  public func callAsFunction(_ x: Expr) -> Expr { scoped(x.builder) { function(x) } }
}
