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

  /// The memory this process can have: the machine's, or less under an address-space limit
  /// (`ulimit -v`). A budget above it (`--max-memory 8388607T`) is cut to it, so an evaluation
  /// the machine cannot hold is a message, not an allocation failure (which aborts).
  static let machineBytes: Double = {
    var limit = rlimit()
    let physical = Double(ProcessInfo.processInfo.physicalMemory)
    #if canImport(Glibc)
      let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
    #else
      let resource = RLIMIT_AS
    #endif
    guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else {
      return physical
    }
    return min(physical, Double(limit.rlim_cur))
  }()

  /// The budget in bytes: `--max-memory`, at most `machineBytes`.
  var limit: Double { min(Double(maxMemory.bytes), Self.machineBytes) }

  /// Whether evaluating `graph` fits the budget.
  func fits(_ graph: Graph) -> Bool {
    graph.peakMemoryEstimate().bytes <= limit
  }

  /// Throws a `UserError` before a Jacobian is built whose values cannot fit: every sweep's
  /// output tangents (one sweep a variable element), the blocks copied out of them and the rows
  /// or text made of those, 8 bytes an entry each (`exp(A)` with 10⁴ elements held 2.4 GB
  /// resident; this says 2.4 GB).
  func checkJacobian(outputs: [Shape], variables: [Shape], option: String) throws {
    let rows = outputs.reduce(0.0) { $0 + Double($1.elementCount) }
    let columns = variables.reduce(0.0) { $0 + Double($1.elementCount) }
    let bytes = 3 * 8 * rows * columns
    guard bytes > limit else { return }
    throw UserError(
      "\(option) needs about \(ByteCount.approximate(bytes)) of memory for its "
        + "\(formatNumber(rows * columns)) entries, more than the \(ByteCount.approximate(limit)) "
        + "limit; raise it with --max-memory, or differentiate with respect to fewer elements")
  }

  /// Throws a `UserError` naming the node and its shape when evaluating
  /// `graph` would need more than the budget.
  func check(_ graph: Graph) throws {
    let (bytes, node) = graph.peakMemoryEstimate()
    guard bytes > limit else { return }
    let shape = graph.shape(node)
    let needed = ByteCount.approximate(bytes)
    // Past the machine only when --max-memory was raised past it: the default's message and
    // its advice do not depend on the machine.
    if Double(maxMemory.bytes) > Self.machineBytes {
      throw UserError(
        "evaluating needs about \(needed) of memory (at \(graph.op(node).info.name) node \(node), "
          + "shape \(shape.shapeDescription)), more than this machine has "
          + "(\(ByteCount.approximate(Self.machineBytes))); use smaller tensors")
    }
    throw UserError(
      "evaluating needs about \(needed) of memory (at \(graph.op(node).info.name) node \(node), "
        + "shape \(shape.shapeDescription)), more than the \(maxMemory) limit; raise it with "
        + "--max-memory (e.g. --max-memory \(ByteCount.approximate(bytes * 1.25, roundingUp: true))), "
        + "or use smaller tensors")
  }
}
