import CompGraph

/// Planned memory of evaluating `graph` in node order when every value is
/// released after its last use (what the reference evaluator does): the
/// most bytes of intermediate values alive at once.  Leaves (parameters,
/// data, constants) are the caller's; outputs are counted apart, since every
/// schedule must hold them in the end, and `alive` is the most bytes of
/// intermediates and outputs so far at once (what a compiled program's
/// arena holds, before fusion).
func plannedPeakBytes(_ graph: Graph) -> (intermediates: Int, outputs: Int, alive: Int) {
  let count = graph.nodeCount
  var lastUse = [Int](repeating: -1, count: count)
  for id in graph.ids {
    for input in graph.inputs(id) { lastUse[input.index] = id.index }
  }
  var isOutput = [Bool](repeating: false, count: count)
  for output in graph.outputs { isOutput[output.index] = true }
  var releasedAt = [[Int]](repeating: [], count: count)
  for index in 0..<count where lastUse[index] >= 0 { releasedAt[lastUse[index]].append(index) }
  func bytes(_ index: Int) -> Int { graph.shape(NodeID(index)).elementCount * 8 }
  func counted(_ index: Int) -> Bool { !graph.op(NodeID(index)).isLeaf && !isOutput[index] }
  var live = 0, peak = 0, outputs = 0, alive = 0
  for index in 0..<count where !graph.op(NodeID(index)).isLeaf {
    if isOutput[index] { outputs += bytes(index) } else { live += bytes(index) }
    peak = max(peak, live)  // the new value exists while its inputs still do
    alive = max(alive, live + outputs)
    for released in releasedAt[index] where counted(released) { live -= bytes(released) }
  }
  return (peak, outputs, alive)
}
