import CompGraph
import Foundation
func scratchW1() throws {
  let g = GraphBuilder()
  let x = try g.variable("x")
  var d = tanh(x)
  let n = 1_000_000
  let xs = (0..<n).map { -2 + 4 * Double($0) / Double(n - 1) }
  for order in 0...3 {
    let graph = try d.graph()
    let p = try Program(graph)
    let t = try medianSeconds { _ = try p.evaluate(batch: [xs], count: n) }
    let v = try p.evaluate(batch: [[0.5]], count: 1)[0].first!
    print(order, graph.operationCount, p.instructionCount, t, v)
    d = try gradient(of: d, wrt: x)
  }
}
