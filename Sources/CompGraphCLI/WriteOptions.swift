import ArgumentParser

// The options of the commands that write the expression and its derivatives (export, render,
// emit), declared once.

/// `--grad VARS`: the variables whose derivatives a command also writes.
struct GradientOption: ParsableArguments {
  @Option(
    name: .customLong("grad"),
    help: ArgumentHelp(
      "Also write the derivatives with respect to these variables, e.g. p,q.", valueName: "vars"))
  var variables: VariableList?

  func validate() throws {
    if let variables { _ = try VariableList.distinct([variables], option: "--grad") }
  }
}

/// `--grad VARS --order N`: every derivative up to order N.
struct DerivativeOptions: ParsableArguments {
  @OptionGroup var gradient: GradientOption

  @Option(help: "The highest derivative order to write (with --grad).")
  var order = 1

  /// `--grad`'s variables, `nil` without it.
  var variables: VariableList? { gradient.variables }

  func validate() throws {
    if variables == nil && order != 1 { throw ValidationError("--order needs --grad VARS.") }
    try validateOrder(order)
  }
}

/// `--simplify` (the default) or `--no-simplify`.
struct SimplifyFlag: ParsableArguments {
  @Flag(inversion: .prefixedNo, help: "Simplify the graph before writing it.")
  var simplify = true
}

/// `--stabilize` (the default) or `--no-stabilize`.
struct StabilizeFlag: ParsableArguments {
  @Flag(
    inversion: .prefixedNo,
    help: "Write stable forms (log1p, expm1, max-shifted logsumexp, …), as eval evaluates them.")
  var stabilize = true
}

/// `-o FILE`, standard output without it.
struct OutputOption: ParsableArguments {
  @Option(
    name: .shortAndLong,
    help:
      "Write to this file (atomically; a device or FIFO is written through; - is standard output).")
  var output: String?
}
