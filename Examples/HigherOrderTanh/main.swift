// HigherOrderTanh: tanh and its first six derivatives on [−7, 7], each order
// built by differentiating the one before, drawn in one line chart; and the
// graphs of the first three derivatives, coloured by derivative order.
//
//     swift run -c release HigherOrderTanh [--out DIR]
//
// Pictures go to the current directory, or to DIR with --out DIR.
import ArgumentParser
import CompGraph
import ExampleSupport
import Foundation

struct HigherOrderTanhExample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "HigherOrderTanh",
    abstract: "tanh and its first six derivatives by repeated differentiation.",
    discussion:
      "Prints each order's size and writes one chart of all seven (tanh-derivatives.svg) and the graphs of orders 1–3 (tanh-derivative-1.svg …)."
  )

  @OptionGroup var output: OutputOptions

  func run() throws {
    let graphs = try output.directory()
    let order = 6
    let tanhs = try TanhDerivatives(order: order)
    print("tanh and its derivatives, each order the simplified derivative of the order below")
    print("order  operations  name")
    for k in 0...order {
      let count = String(tanhs.operationCount(order: k))
      print(
        "\(k)      " + String(repeating: " ", count: max(0, 10 - count.count)) + count + "  "
          + tanhs.graph.outputNames[k])
    }
    print("all orders together (shared nodes): \(tanhs.graph.operationCount) operations")

    let xs = (0...1400).map { -7 + Double($0) / 100 }
    let values = try tanhs.values(at: xs)
    // The 5th and 6th derivatives reach ±16 and ±52; a window of ±4 keeps the
    // lower orders readable and clips their peaks.
    var plot = LinePlot(
      title: "tanh and its first six derivatives (y clipped to ±4)", xLabel: "x", yLabel: "value")
    plot.yRange = -4...4
    plot.series = values.enumerated().map { k, ys in
      LinePlot.Series(tanhs.graph.outputNames[k], x: xs, y: ys)
    }
    try plot.write(to: graphs.appending(path: "tanh-derivatives.svg"))
    print("wrote \(graphs.path)/tanh-derivatives.svg")

    for k in 1...3 {
      let name = "tanh-derivative-\(k)"
      let dot = try DOTEncoder(options: .init(outputOrders: Array(0...k))).encode(
        tanhs.graph(upTo: k), name: name)
      try GraphvizRenderer().render(dot: dot, format: .svg).write(
        to: graphs.appending(path: name + ".svg"), options: .atomic)
      print(
        "wrote \(graphs.path)/\(name).svg (orders 0…\(k), \(tanhs.graph(upTo: k).nodeCount) nodes)")
    }
  }
}

HigherOrderTanhExample.runAsExample()
