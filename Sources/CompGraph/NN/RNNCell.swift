/// The Elman cell of the seed's char-RNN: h′ = tanh(h·W + x·U + b), with
/// W [hidden, hidden], U [input, hidden] and b [hidden].  With one-hot x,
/// x·U is an embedding lookup.
public struct RNNCell: Module {
  public let name: String
  public let inputSize: Int
  public let hiddenSize: Int
  public let weightInit: Initializer

  /// W and U start as `randn · 0.01` unless `weightInit` says otherwise; b as 0.
  public init(
    _ name: String, inputSize: Int, hiddenSize: Int,
    weightInit: Initializer = .normal(scale: 0.01)
  ) {
    self.name = name
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.weightInit = weightInit
  }

  public var ownParameters: [ParameterSpec] {
    [
      ParameterSpec("W", [hiddenSize, hiddenSize], weightInit),
      ParameterSpec("U", [inputSize, hiddenSize], weightInit),
      ParameterSpec("b", [hiddenSize], .zeros),
    ]
  }
  public var submodules: [any Module] { [] }

  /// The next hidden state.  `h` is nil for h₀ = 0 (the h·W term is dropped).
  public func callAsFunction(_ h: Expr?, _ x: Expr) -> Expr {
    let builder = x.builder
    return scoped(builder) {
      let input = matmul(x, parameter("U", in: builder)) + parameter("b", in: builder)
      guard let h else { return tanh(input) }
      return tanh(matmul(h, parameter("W", in: builder)) + input)
    }
  }
}
