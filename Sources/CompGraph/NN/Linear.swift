/// A fully connected layer: y = x·W + b, with W of shape [in, out] and b of
/// shape [out] (x is [in] or a batch [B, in]).
public struct Linear: Layer {
  public let name: String
  public let inputSize: Int
  public let outputSize: Int
  public let hasBias: Bool
  public let weightInit: Initializer

  /// W starts as `randn · 1/√in` unless `weightInit` says otherwise; b as 0.
  public init(
    _ name: String, _ inputSize: Int, _ outputSize: Int, bias: Bool = true,
    weightInit: Initializer? = nil
  ) {
    self.name = name
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.hasBias = bias
    self.weightInit = weightInit ?? .normal(scale: 1 / Double(inputSize).squareRoot())
  }

  public var ownParameters: [ParameterSpec] {
    [ParameterSpec("W", [inputSize, outputSize], weightInit)]
      + (hasBias ? [ParameterSpec("b", [outputSize], .zeros)] : [])
  }
  public var submodules: [any Module] { [] }

  public func callAsFunction(_ x: Expr) -> Expr {
    scoped(x.builder) {
      let y = matmul(x, parameter("W", in: x.builder))
      return hasBias ? y + parameter("b", in: x.builder) : y
    }
  }
}
