import ArgumentParser
import CompGraph
import Foundation

/// `compgraph emit`: the expression and its derivatives as source code for another toolchain.
struct EmitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "emit",
    abstract: "Write the expression and its derivatives as source code.",
    subcommands: [EmitCCommand.self]
  )
}

/// `compgraph emit c`: a standalone C99 file.
struct EmitCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "c",
    abstract: "Write a standalone C99 file (needs only libm) that evaluates the outputs.",
    discussion: """
      The file defines void NAME(const double *in, double *out), which evaluates every output \
      at one point, and void NAME_batch(size_t n, const double *const *in, double *const *out), \
      which evaluates n points given as columns (in[k][i], out[j][i]). A comment at the top \
      lists the inputs and outputs in order. A tensor variable is read as its elements, \
      row-major, and an output written the same way, one after another (the comment gives \
      each one's range and shape: --hessian of a 3x2 matrix W is one 3x2x3x2 output). \
      --grad VARS --order N writes every derivative up to order N, as export does. Compile \
      with -march=native (or -mfma) so that the file's fma calls are single instructions.

      Example:
        compgraph emit c "x^2 * y + exp(x * y)" --hessian --name rosen -o rosen.c
        compgraph emit c "x^2 * y + exp(x * y)" --grad x,y --order 3 -o third.c
        cc -O2 -march=native -c rosen.c
      """
  )

  @OptionGroup var input: InputOptions
  @OptionGroup var budget: NodeBudget

  @Option(
    name: .customLong("grad"),
    help: ArgumentHelp(
      "Also compute the gradient with respect to these variables, e.g. p,q.", valueName: "vars"))
  var gradient: VariableList?

  @Flag(help: "Also compute the Hessian (with respect to --grad's variables, else all).")
  var hessian = false

  @Option(help: "The highest derivative order to write (with --grad; --hessian is --order 2).")
  var order: Int?

  @Option(help: "The C function's name.")
  var name = "f"

  @Flag(
    inversion: .prefixedNo,
    help: "Write stable forms (log1p, expm1, max-shifted logsumexp, …), as eval evaluates them.")
  var stabilize = true

  @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  func validate() throws {
    if let order {
      if gradient == nil {
        throw ValidationError(
          "--order needs --grad VARS (--hessian alone writes every variable's second derivatives).")
      }
      try validateOrder(order)
      if hessian && order != 2 {
        throw ValidationError("--hessian is --order 2: give one of them, not both.")
      }
    }
    if let gradient { _ = try VariableList.distinct([gradient], option: "--grad") }
  }

  func run() throws {
    let parsed = try input.parse().graph()
    let variables = gradient?.names ?? (hessian ? parsed.variables.map(\.name) : [])
    let graph = try userFacing {
      try parsed.derivatives(
        wrt: variables, order: order ?? (hessian ? 2 : 1), simplifying: true,
        stabilizing: stabilize,
        nodeBudget: budget.nodeBudget
      ).graph
    }
    // Stabilized (or not) before it was differentiated.
    let code = Data(try userFacing { try graph.cCode(name: name, stabilizing: false) }.utf8)
    try writeOutput(code, to: output ?? "-")
  }
}
