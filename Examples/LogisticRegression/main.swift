// LogisticRegression: a linear classifier built from einsum, L = mean(softplus(Xw + b) − y∘(Xw + b)),
// trained by full-batch gradient descent on two generated Gaussian clouds;
// prints the loss per epoch and draws the model's graph and its gradient graph.
//
//     swift run -c release LogisticRegression [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct LogisticRegressionExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "LogisticRegression",
    abstract: "An einsum logistic regression trained by gradient descent.",
    discussion:
      "Prints the model, the loss per epoch and the fit, and writes the loss curve and the model's and its gradient's graphs (logistic-regression-*.svg)."
  )

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    let regression = try LogisticRegression(samples: 200)
    print("model:", regression.model.sizeSummary)
    print(regression.model.listing)
    print("gradient graph:", regression.gradientGraph.sizeSummary)
    let epochs = 40
    let training = try regression.train(epochs: epochs, learningRate: 1)
    for (epoch, loss) in training.losses.enumerated() {
      print(String(format: "epoch %2d  loss %.6f", epoch, loss))
    }
    print(
      String(
        format: "w = (%.4f, %.4f), b = %.4f, accuracy %.1f%%", training.w[0], training.w[1],
        training.b,
        100 * training.accuracy))

    var plot = LinePlot(
      title: "Logistic regression: training loss", xLabel: "epoch", yLabel: "mean cross-entropy")
    plot.series = [
      LinePlot.Series("loss", x: training.losses.indices.map(Double.init), y: training.losses)
    ]
    try plot.write(to: graphs.appending(path: "logistic-regression-loss.svg"))
    print("wrote \(graphs.path)/logistic-regression-loss.svg")

    let pictures = [
      ("logistic-regression-model", regression.model, [0]),
      ("logistic-regression-gradient", regression.gradientGraph, [0, 1, 1]),
    ]
    for (name, graph, orders) in pictures {
      let dot = try DOTEncoder(options: .init(outputOrders: orders)).encode(graph, name: name)
      try GraphvizRenderer().render(dot: dot, format: .svg).write(
        to: graphs.appending(path: name + ".svg"), options: .atomic)
      print("wrote \(graphs.path)/\(name).svg")
    }
  }
}

LogisticRegressionExample.runAsExample()
