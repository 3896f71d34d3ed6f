// Spirals: an MLP classifier (2-32-32-3, tanh) on a generated three-arm spiral, trained
// full-batch by Adam as one training-step graph to ≥ 98% training accuracy; draws the
// decision boundary with the points and the loss curve.
//
//     swift run -c release Spirals [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct SpiralsExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "Spirals",
    abstract: "Trains a 2-32-32-3 tanh MLP on a three-arm spiral by Adam.",
    discussion: """
      Prints the loss and training accuracy as it goes and writes the decision boundary \
      (spirals-boundary.svg) and the loss curve (spirals-loss.svg).
      """)

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    var spirals = try Spirals()
    print(
      "data: \(spirals.labels.count) points on 3 arms; model:",
      spirals.model.parameters.map { "\($0.path) \($0.shape.shapeDescription)" }.joined(
        separator: ", "))
    print("training-step graph:", spirals.training.graph.sizeSummary)
    let start = Date()
    var losses: [Double] = []
    for step in 1...Spirals.defaultSteps {
      losses.append(try spirals.step())
      if step % 200 == 0 {
        print(
          String(
            format: "step %4d  loss %.4f  accuracy %.1f%%", step, losses.last!,
            100 * (try spirals.accuracy())))
      }
    }
    let accuracy = try spirals.accuracy()
    print(
      String(
        format: "%d steps in %.1f s; training accuracy %.1f%%", losses.count,
        Date().timeIntervalSince(start), 100 * accuracy))

    // The predicted arm on a 120 × 120 grid over [−1.1, 1.1]², with the training points.
    let boundary = DecisionBoundaryPlot(
      title: String(
        format: "Spirals: decision boundary of a 2-32-32-3 tanh MLP, training accuracy %.1f%%",
        100 * accuracy), extent: 1.1, cellsPerSide: 120)
    let cells = boundary.cellCentres
    let predicted = try spirals.predict(Tensor(shape: [cells.count / 2, 2], scalars: cells))
    let xy = spirals.points.scalars
    let svg = boundary.svg(
      predicted: predicted, points: spirals.labels.indices.map { (xy[2 * $0], xy[2 * $0 + 1]) },
      labels: spirals.labels)
    try Data(svg.utf8).write(to: graphs.appending(path: "spirals-boundary.svg"), options: .atomic)
    print("wrote \(graphs.path)/spirals-boundary.svg")

    var plot = LinePlot(
      title: "Spirals: training loss", xLabel: "step", yLabel: "mean cross-entropy")
    plot.yScale = .log
    plot.series = [LinePlot.Series("loss", x: losses.indices.map { Double($0 + 1) }, y: losses)]
    try plot.write(to: graphs.appending(path: "spirals-loss.svg"))
    print("wrote \(graphs.path)/spirals-loss.svg")
  }
}

SpiralsExample.runAsExample()
