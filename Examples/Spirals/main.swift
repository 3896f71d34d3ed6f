// Spirals: an MLP classifier (2-32-32-3, tanh) on a generated three-arm spiral, trained
// full-batch by Adam as one training-step graph to ≥ 98% training accuracy; draws the
// decision boundary with the points and the loss curve.
//
//     swift run -c release Spirals
//
// Pictures go to the current directory, or to DIR with --out DIR.
import CompGraph
import ExampleSupport
import Foundation

let graphs = outputDirectory()

var spirals = try Spirals()
print(
  "data: \(spirals.labels.count) points on 3 arms; model:",
  spirals.model.parameters.map { "\($0.path) \($0.shape.shapeDescription)" }.joined(separator: ", ")
)
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

// Decision boundary: the predicted arm on a 120 × 120 grid over [−1.1, 1.1]², as coloured
// cells, with the training points on top.
let n = 120, extent = 1.1, size = 480.0
let cells = (0..<n * n).flatMap { k -> [Double] in
  let (row, column) = (k / n, k % n)
  return [
    -extent + 2 * extent * (Double(column) + 0.5) / Double(n),
    extent - 2 * extent * (Double(row) + 0.5) / Double(n),
  ]
}
let predicted = try spirals.predict(Tensor(shape: [n * n, 2], scalars: cells))
let fills = ["#f6d1b1", "#c9e3c3", "#cfd8f0"], strokes = ["#c0600e", "#2f7d32", "#2f4f97"]
let cell = size / Double(n)
func pixel(_ x: Double, _ y: Double) -> (Double, Double) {
  ((x + extent) / (2 * extent) * size, (extent - y) / (2 * extent) * size)
}
var svg = """
  <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(size))" height="\(Int(size) + 30)" font-family="Helvetica" font-size="13">
  <text x="8" y="20">Spirals: decision boundary of a 2-32-32-3 tanh MLP, training accuracy \(String(format: "%.1f", 100 * accuracy))%</text>
  <g transform="translate(0,30)" shape-rendering="crispEdges">

  """
for (k, arm) in predicted.enumerated() {
  svg +=
    "<rect x=\"\(Double(k % n) * cell)\" y=\"\(Double(k / n) * cell)\" width=\"\(cell + 0.05)\" height=\"\(cell + 0.05)\" fill=\"\(fills[arm])\"/>\n"
}
svg += "</g><g transform=\"translate(0,30)\">\n"
for (i, arm) in spirals.labels.enumerated() {
  let (x, y) = pixel(spirals.points.scalars[2 * i], spirals.points.scalars[2 * i + 1])
  svg +=
    "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3\" fill=\"\(strokes[arm])\" stroke=\"white\" stroke-width=\"0.6\"/>\n"
}
svg += "</g></svg>\n"
try Data(svg.utf8).write(to: graphs.appending(path: "spirals-boundary.svg"), options: .atomic)
print("wrote \(graphs.path)/spirals-boundary.svg")

var plot = LinePlot(title: "Spirals: training loss", xLabel: "step", yLabel: "mean cross-entropy")
plot.yScale = .log
plot.series = [LinePlot.Series("loss", x: losses.indices.map { Double($0 + 1) }, y: losses)]
try plot.write(to: graphs.appending(path: "spirals-loss.svg"))
print("wrote \(graphs.path)/spirals-loss.svg")
