import CompGraph
import Foundation

/// The LogisticRegression example: a linear classifier built from `einsum`,
///
///     z = X·w + b                   (einsum ij,j→i, b broadcast)
///     p = σ(z)
///     L = mean(softplus(z) − y∘z)   (= mean binary cross-entropy of p against y)
///
/// trained by gradient descent with ∂L/∂w and ∂L/∂b from `Graph.gradient`.
/// The data are two Gaussian clouds in the plane, drawn with a seeded
/// generator, so every run gives the same numbers.
public struct LogisticRegression: Sendable {
  /// Features X, shape [n, 2].
  public let features: Tensor
  /// Labels y ∈ {0, 1}, shape [n].
  public let labels: Tensor
  /// The loss L of variables X, y, w, b.
  public let model: Graph
  /// Outputs L, ∂L/∂w, ∂L/∂b.
  public let gradientGraph: Graph

  /// `samples` points, half of each class: class 0 around (−1, −0.5), class
  /// 1 around (1, 0.8), both with unit standard deviation.
  public init(samples: Int, seed: UInt64 = 7) throws {
    var rng = SplitMix64(seed: seed)
    var x: [Double] = [], y: [Double] = []
    for i in 0..<samples {
      let label = Double(i % 2)
      // Box–Muller: two uniforms give two independent standard normals.
      let r = (-2 * Foundation.log(1 - rng.nextUnit())).squareRoot(),
        angle = 2 * Double.pi * rng.nextUnit()
      x += [
        (label == 1 ? 1 : -1) + r * Foundation.cos(angle),
        (label == 1 ? 0.8 : -0.5) + r * Foundation.sin(angle),
      ]
      y.append(label)
    }
    features = Tensor(shape: [samples, 2], scalars: x)
    labels = Tensor(shape: [samples], scalars: y)
    let builder = GraphBuilder()
    let X = try builder.variable("X", [samples, 2]), Y = try builder.variable("y", [samples])
    let w = try builder.variable("w", [2]), b = try builder.variable("b")
    let z = einsum("ij,j->i", X, w) + b
    model = try (softplus(z) - Y * z).mean().graph(names: ["L"])
    gradientGraph = try model.gradient(wrt: ["w", "b"])
  }

  /// The result of training: the loss before each epoch's step and after the
  /// last, the final parameters, and the share of points classified right.
  public struct Training: Sendable {
    public let losses: [Double]
    public let w: [Double]
    public let b: Double
    public let accuracy: Double
  }

  /// Full-batch gradient descent from w = 0, b = 0:
  /// w ← w − η·∂L/∂w,  b ← b − η·∂L/∂b.
  public func train(epochs: Int, learningRate η: Double) throws -> Training {
    var w = Tensor(repeating: 0, shape: [2]), b = 0.0
    var losses: [Double] = []
    for epoch in 0...epochs {
      let out = try gradientGraph.evaluate(["X": features, "y": labels, "w": w, "b": Tensor(b)])
      losses.append(out[0].scalars[0])
      if epoch == epochs { break }
      w.scalars = zip(w.scalars, out[1].scalars).map { $0 - η * $1 }
      b -= η * out[2].scalars[0]
    }
    let n = labels.scalars.count
    let right = (0..<n).filter { i in
      let z =
        features.scalars[2 * i] * w.scalars[0] + features.scalars[2 * i + 1] * w.scalars[1] + b
      return (z > 0) == (labels.scalars[i] == 1)
    }.count
    return Training(losses: losses, w: w.scalars, b: b, accuracy: Double(right) / Double(max(n, 1)))
  }
}
