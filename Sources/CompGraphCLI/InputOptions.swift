import ArgumentParser
import CompGraph
import Foundation

/// Where the expression comes from, and the shapes of its tensor variables;
/// shared by every subcommand.
struct InputOptions: ParsableArguments {
  @Argument(help: "An expression such as 'sin(x)*y', or '-' to read standard input.")
  var expression: String?

  @Option(name: .shortAndLong, help: "Read a program file (.cg) instead; '-' reads standard input.")
  var file: String?

  @Option(
    name: .customLong("var"),
    help: ArgumentHelp(
      "Declare a tensor variable, e.g. --var A=2x3 (repeatable).", valueName: "name=shape"))
  var declarations: [Declaration] = []

  @Option(
    help: ArgumentHelp(
      "The most bytes to read from standard input or a file (K, M, G suffixes).",
      valueName: "size"))
  var maxInput = BoundedInput.defaultLimit

  func validate() throws {
    switch (expression, file) {
    case (nil, nil):
      throw ValidationError("Give an expression, '-' for standard input, or -f FILE.")
    case (_?, _?): throw ValidationError("Give either an expression or -f FILE, not both.")
    default: break
    }
  }

  /// Reads and parses the input into a fresh builder.  `inferred` gives
  /// shapes to variables that `--var` does not declare (from `--at` values).
  func parse(inferred: [String: Shape] = [:]) throws -> ParsedProgram {
    let (source, origin) = try read()
    var shapes = inferred
    for declaration in declarations { shapes[declaration.name] = declaration.shape }
    let program: ParsedProgram
    do {
      program = try parseProgram(source, declarations: shapes, into: GraphBuilder())
    } catch {
      throw UserError(error, source: origin)
    }
    for warning in program.warnings {
      StandardStreams.writeError(UserError(warning, source: origin).description)
    }
    return program
  }

  /// The source text and, for files and standard input, its name for messages.
  private func read() throws -> (text: String, origin: String?) {
    if let file, file != "-" {
      let data = try BoundedInput.read(file, name: "'\(file)'", limit: maxInput)
      return (String(decoding: data, as: UTF8.self), file)
    }
    if expression == "-" || file == "-" {
      let data = try BoundedInput.read(nil, name: "standard input", limit: maxInput)
      return (String(decoding: data, as: UTF8.self), "<stdin>")
    }
    return (expression ?? "", nil)
  }
}

/// `NAME=SHAPE` of `--var`.
struct Declaration: ExpressibleByArgument {
  let name: String
  let shape: Shape

  init?(argument: String) {
    let parts = argument.split(separator: "=", maxSplits: 1)
    guard parts.count == 2, isIdentifier(String(parts[0])), let shape = parseShape(String(parts[1]))
    else {
      return nil
    }
    name = String(parts[0])
    self.shape = shape
  }
}
