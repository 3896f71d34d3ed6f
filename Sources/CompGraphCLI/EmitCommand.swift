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

      With --hessian --sparse, NAME(x, nz) writes the Hessian's structural nonzeros only, \
      both triangles in CSC order (as eval --hessian --sparse --json lists them), computed in \
      one sweep per colour of a star colouring; the pattern is drawn in the header comment and \
      given as the arrays NAME_rows, NAME_cols and NAME_colptr.

      Example:
        compgraph emit c "x^2 * y + exp(x * y)" --hessian --name rosen -o rosen.c
        compgraph emit c "x^2 * y + exp(x * y)" --grad x,y --order 3 -o third.c
        cc -O2 -march=native -c rosen.c
      """
  )

  @OptionGroup var input: InputOptions
  @OptionGroup var budget: NodeBudget

  @OptionGroup var gradient: GradientOption

  @Flag(help: "Also compute the Hessian (with respect to --grad's variables, else all).")
  var hessian = false

  @Option(help: "The highest derivative order to write (with --grad; --hessian is --order 2).")
  var order: Int?

  @Flag(
    help:
      "With --hessian: write only the Hessian's structural nonzeros, in a fixed (CSC) order, with the pattern in the header comment and as arrays (NAME_rows, NAME_cols, NAME_colptr)."
  )
  var sparse = false

  @Option(help: "The C function's name.")
  var name = "f"

  @OptionGroup var stabilization: StabilizeFlag
  @OptionGroup var destination: OutputOption

  func validate() throws {
    if let order {
      if gradient.variables == nil {
        throw ValidationError(
          "--order needs --grad VARS (--hessian alone writes every variable's second derivatives).")
      }
      try validateOrder(order)
      if hessian && order != 2 {
        throw ValidationError("--hessian is --order 2: give one of them, not both.")
      }
    }
    if sparse && !hessian { throw ValidationError("--sparse goes with --hessian.") }
  }

  func run() throws {
    let parsed = try input.parse().graph()
    if sparse {
      return try writeOutput(Data(sparseHessianCode(parsed).utf8), to: destination.output ?? "-")
    }
    let variables = gradient.variables?.names ?? (hessian ? parsed.variables.map(\.name) : [])
    let graph = try userFacing {
      try parsed.derivatives(
        wrt: variables, order: order ?? (hessian ? 2 : 1), simplifying: true,
        stabilizing: stabilization.stabilize,
        nodeBudget: budget.nodeBudget
      ).graph
    }
    // Stabilized (or not) before it was differentiated.
    let code = Data(try userFacing { try graph.cCode(name: name, stabilizing: false) }.utf8)
    try writeOutput(code, to: destination.output ?? "-")
  }
}

extension EmitCCommand {
  /// `--hessian --sparse`: the sparse Hessian of the output, simplified and stabilized (unless
  /// `--no-stabilize`) as `eval --hessian --sparse` evaluates it, with respect to --grad's
  /// variables or all of them, in C.
  func sparseHessianCode(_ parsed: Graph) throws -> String {
    guard parsed.outputs.count == 1, parsed.shape(parsed.outputs[0]).isEmpty else {
      throw UserError(
        "--hessian --sparse needs one scalar output; the program has "
          + zip(parsed.outputNames, parsed.outputs).map {
            "'\($0)' of shape \(parsed.shape($1).shapeDescription)"
          }.joined(separator: ", "))
    }
    let builder = GraphBuilder(parsed)
    var options = SimplifyOptions()
    options.assumeFinite = false
    if stabilization.stabilize { options.phases.insert(.stabilize) }
    let f = builder.graph(outputs: builder.simplify(parsed.outputs, options: options))
    let variables = gradient.variables?.names ?? parsed.variables.map(\.name)
    return try userFacing { try f.sparseHessian(wrt: variables).cCode(name: name) }
  }
}
