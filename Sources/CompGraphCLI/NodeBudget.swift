import ArgumentParser
import CompGraph

/// `--node-budget`: the most nodes building derivatives may add.  The
/// library's tower projects each order's growth from the orders below and
/// refuses one past the budget before building it, so a tower that would
/// take minutes says so in about a second instead.
struct NodeBudget: ParsableArguments {
  /// About ten seconds of building on one core (≈ 4 µs a node with simplification).
  static let defaultLimit = 2_000_000

  @Option(
    help: ArgumentHelp(
      "The most nodes building the derivatives may add; higher orders past it are refused "
        + "before they start.", valueName: "count"))
  var nodeBudget = NodeBudget.defaultLimit

  func validate() throws {
    guard nodeBudget > 0 else { throw ValidationError("--node-budget must be positive.") }
  }
}
