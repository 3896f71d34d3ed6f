/// A lookup table E [vocabulary, dimension] applied to one-hot rows:
/// onehot(i)·E is row i of E, so the lookup is a matrix product and its
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

  /// `x` is one-hot: [vocabulary] or a batch [B, vocabulary] (see `oneHot`).
  public func callAsFunction(_ x: Expr) -> Expr {
    scoped(x.builder) { matmul(x, parameter("E", in: x.builder)) }
  }
}

/// Rows of the identity: a [indices.count, classes] tensor whose row r is 1
/// at column indices[r] and 0 elsewhere.
public func oneHot(_ indices: [Int], classes: Int) -> Tensor {
  var values = [Double](repeating: 0, count: indices.count * classes)
  for (row, index) in indices.enumerated() {
    precondition(0 <= index && index < classes, "oneHot: index \(index) outside 0..<\(classes)")
    values[row * classes + index] = 1
  }
  return Tensor(shape: [indices.count, classes], scalars: values)
}
