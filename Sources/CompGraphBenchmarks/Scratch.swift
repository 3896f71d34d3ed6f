import CompGraph
import Foundation
func scratchW1() throws {
  let depth = 1_000_000
  let g = GraphBuilder()
  let x = try g.variable("x")
  var y = x
  var t = medianSeconds(runs: 1) { y = x; for _ in 0..<depth { y = y * 0.5 + 1 } }
  print("build", t, g.count)
  var dy = x
  t = try medianSeconds(runs: 1) { dy = try gradient(of: y, wrt: x) }
  print("grad", t, g.count)
  var graph: Graph?
  t = try medianSeconds(runs: 1) { graph = try y.graph(names: ["y", "dy"], with: [dy]) }
  print("freeze", t)
  t = try medianSeconds(runs: 1) { _ = try graph!.evaluate(["x": 3.0]) }
  print("eval", t)
}
