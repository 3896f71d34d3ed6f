/// A lookup table E [vocabulary, dimension] indexed by integer tokens: row i
/// of E is onehot(i)·E (`gather`), so the lookup is a matrix product and its
/// gradient flows to exactly the rows used.
public struct Embedding: Layer {
  public let name: String
  public let vocabularySize: Int
  public let dimension: Int

  public init(_ name: String, vocabularySize: Int, dimension: Int) {
    self.name = name
    self.vocabularySize = vocabularySize
    self.dimension = dimension
  }

  public var ownParameters: [ParameterSpec] {
    [ParameterSpec("E", [vocabularySize, dimension], .normal(scale: 1))]
  }
  public var submodules: [any Module] { [] }

  /// `x` holds integer tokens in 0..<vocabulary, any shape s; the result
  /// has shape s + [dimension].
  public func callAsFunction(_ x: Expr) -> Expr {
    scoped(x.builder) { gather(parameter("E", in: x.builder), x) }
  }
}
