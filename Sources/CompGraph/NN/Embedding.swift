/// A lookup table E [vocabulary, dimension] indexed by integer tokens: row i
/// of E is onehot(i)·E (`gather`), so the lookup is a matrix product and its
/// gradient flows to exactly the rows used.
public struct Embedding: Layer {
  public let name: String
  public let vocabularySize: Int
  public let dimension: Int
  public let initializer: Initializer

  /// E starts as `randn` unless `initializer` says otherwise (GPT-2's is `randn · 0.02`).
  public init(
    _ name: String, vocabularySize: Int, dimension: Int,
    initializer: Initializer = .normal(scale: 1)
  ) {
    self.name = name
    self.vocabularySize = vocabularySize
    self.dimension = dimension
    self.initializer = initializer
  }

  public var ownParameters: [ParameterSpec] {
    [ParameterSpec("E", [vocabularySize, dimension], initializer)]
  }

  /// The table E itself as its variable (a head tied to the embedding reads it).
  public func table(in builder: GraphBuilder) -> Expr {
    scoped(builder) { parameter("E", in: builder) }
  }
  public var submodules: [any Module] { [] }

  /// `x` holds integer tokens in 0..<vocabulary, any shape s; the result
  /// has shape s + [dimension].
  public func callAsFunction(_ x: Expr) -> Expr {
    scoped(x.builder) { gather(parameter("E", in: x.builder), x) }
  }
}
