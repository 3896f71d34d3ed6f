import CompGraph
import Foundation

/// The Spirals example: an MLP classifier on a generated three-arm spiral
/// (the CS231n data set: arm j at angles 4j … 4(j+1) radians, radius 0 … 1,
/// angle noise 0.2 rad), trained full-batch by Adam on the mean softmax
/// cross-entropy, as one `TrainingStep` graph.
public struct Spirals {
  public static let classes = 3
  /// Full-batch steps the example and its test train for.
  public static let defaultSteps = 400
  /// Points [N, 2] and their arm (0, 1, 2).
  public let points: Tensor
  public let labels: [Int]
  public let model: MLP
  public let training: TrainingStep
  /// Parameters and Adam's state.
  public var state: [String: Tensor]
  /// The element type of the parameters, Adam's state and the computation.
  public let dtype: DType

  /// `pointsPerArm` points on each arm; hidden layers of `hidden` tanh units;
  /// parameters and arithmetic in `dtype`.
  public init(
    pointsPerArm: Int = 100, hidden: [Int] = [32, 32], learningRate: Double = 0.02,
    seed: UInt64 = 3, dtype: DType = .f64
  ) throws {
    self.dtype = dtype
    var rng = SplitMix64(seed: seed)
    var xy: [Double] = [], labels: [Int] = []
    for arm in 0..<Self.classes {
      for i in 0..<pointsPerArm {
        let r = Double(i) / Double(pointsPerArm - 1)
        let t = 4 * (Double(arm) + r) + 0.2 * rng.nextNormal()
        xy += [r * Foundation.sin(t), r * Foundation.cos(t)]
        labels.append(arm)
      }
    }
    points = Tensor(shape: [labels.count, 2], scalars: xy)
    self.labels = labels
    model = MLP(
      "mlp", sizes: [2] + hidden + [Self.classes], activation: tanh, activationName: "tanh")
    let g = GraphBuilder()
    g.defaultDType = dtype
    training = try TrainingStep(
      loss: Self.loss(model, g, points: points, labels: labels),
      parameters: model.parameters.map(\.path), optimizer: Adam(learningRate: learningRate))
    state = model.initialParameters(seed: seed).merging(training.initialOptimizerState) { a, _ in
      a
    }
  }

  /// Mean cross-entropy of `model` on the points, built in `g` (the data
  /// are constants, so the parameters are the only variables).
  public static func loss(_ model: MLP, _ g: GraphBuilder, points: Tensor, labels: [Int]) -> Expr {
    crossEntropy(
      model(g.constant(points)),
      g.constant(Tensor(shape: [labels.count], scalars: labels.map(Double.init))))
  }

  /// One Adam step; returns the loss before it.
  public mutating func step() throws -> Double { try training.run(&state, data: [:]) }

  /// The predicted arm of each row of `xy` [M, 2].
  public func predict(_ xy: Tensor) throws -> [Int] {
    let g = GraphBuilder()
    g.defaultDType = dtype
    let logits = model(try g.variable("xy", xy.shape))
    return argmaxRows(try logits.evaluate(state.merging(["xy": xy]) { a, _ in a }))
  }

  /// The share of training points classified right.
  public func accuracy() throws -> Double {
    let predicted = try predict(points)
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
  }
}
