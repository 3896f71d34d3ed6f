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

  /// Throws a `UserError` before `option` builds anything when the `rows × columns` entries of
  /// its result, `bytesPerEntry` each, cannot fit: `--jacobian` holds its Jacobians (8 bytes an
  /// entry, its sweeps run in chunks), `--hessian` its blocks, the matrix made of them and their
  /// text.
  func checkEntries(rows: Double, columns: Double, bytesPerEntry: Double, option: String) throws {
    let bytes = bytesPerEntry * rows * columns
    guard bytes > limit else { return }
    throw UserError(
      "\(option) needs about \(ByteCount.approximate(bytes)) of memory for its "
        + "\(formatNumber(rows * columns)) entries, more than the \(ByteCount.approximate(limit)) "
        + "limit; raise it with --max-memory, or differentiate with respect to fewer elements")
  }

  /// The values of `graph`'s outputs at `point`, once `check` has passed: compiled (fused
  /// loops, planned buffers) when the graph has tensors and the plan fits the budget, else by
  /// the reference evaluator, which sums an einsum used once without building it.
  func evaluate(_ graph: Graph, at point: [String: Tensor]) throws -> [Tensor] {
    try check(graph)
    let program = try graph.ids.contains { !graph.shape($0).isEmpty } ? Program(graph) : nil
    if let program, Double(program.peakBytes) <= limit { return try program.evaluate(point) }
    return try graph.evaluate(point)
  }

  /// Throws a `UserError` naming the node and its shape when evaluating
  /// `graph` would need more than the budget; `doing` names the work (an
  /// export's constants and one-hot tables grow with the same tensors).
  func check(_ graph: Graph, doing what: String = "evaluating") throws {
    let (bytes, node) = graph.peakMemoryEstimate()
    guard bytes > limit else { return }
    let shape = graph.shape(node)
    let needed = ByteCount.approximate(bytes)
    // Past the machine only when --max-memory was raised past it: the default's message and
    // its advice do not depend on the machine.
    if Double(maxMemory.bytes) > Self.machineBytes {
      throw UserError(
        "\(what) needs about \(needed) of memory (at \(graph.op(node).info.name) node \(node), "
          + "shape \(shape.shapeDescription)), more than this machine has "
          + "(\(ByteCount.approximate(Self.machineBytes))); use smaller tensors")
    }
    throw UserError(
      "\(what) needs about \(needed) of memory (at \(graph.op(node).info.name) node \(node), "
        + "shape \(shape.shapeDescription)), more than the \(maxMemory) limit; raise it with "
        + "--max-memory (e.g. --max-memory \(ByteCount.approximate(bytes * 1.25, roundingUp: true))), "
        + "or use smaller tensors")
  }
}
