import ArgumentParser
import CompGraph
import Foundation

/// `--max-memory`: the most memory an evaluation may need, checked before
/// it starts (`Graph.peakMemoryEstimate`), so a 10¹²-element intermediate
/// is a message, not an allocation failure.
struct MemoryBudget: ParsableArguments {
  /// The budget unless `--max-memory` raises it.
  static let defaultLimit = ByteCount(bytes: 2 << 30)

  @Option(
    help: ArgumentHelp(
      "The most memory an evaluation may need (K, M, G, T suffixes).", valueName: "size"))
  var maxMemory = MemoryBudget.defaultLimit

  /// Whether evaluating `graph` fits the budget.
  func fits(_ graph: Graph) -> Bool {
    graph.peakMemoryEstimate().bytes <= Double(maxMemory.bytes)
  }

  /// Throws a `UserError` naming the node and its shape when evaluating
  /// `graph` would need more than the budget.
  func check(_ graph: Graph) throws {
    let (bytes, node) = graph.peakMemoryEstimate()
    guard bytes > Double(maxMemory.bytes) else { return }
    let shape = graph.shape(node)
    let needed = ByteCount.approximate(bytes)
    throw UserError(
      "evaluating needs about \(needed) of memory (at \(graph.op(node).info.name) node \(node), "
        + "shape \(shape.shapeDescription)), more than the \(maxMemory) limit; raise it with "
        + "--max-memory (e.g. --max-memory \(ByteCount.approximate(bytes * 1.25, roundingUp: true))), "
        + "or use smaller tensors")
  }
}
