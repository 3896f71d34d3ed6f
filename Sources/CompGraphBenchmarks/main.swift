import CompGraph
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
let depth = 1_000_000
let g = GraphBuilder()
let x = try g.variable("x")
var y = x
var t = seconds { for _ in 0..<depth { y = y * 0.5 + 1 } }
print("build", t, g.count)
var dy = x
t = try seconds { dy = try gradient(of: y, wrt: x) }
print("grad", t, g.count)
var graph: Graph?
t = try seconds { graph = try y.graph(names: ["y", "dy"], with: [dy]) }
print("freeze", t)
t = try seconds { _ = try graph!.evaluate(["x": 3.0]) }
print("eval", t)
