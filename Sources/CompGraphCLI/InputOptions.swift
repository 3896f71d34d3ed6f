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
    name: .customLong("onnx"),
    help: ArgumentHelp(
      "Read an ONNX model instead: its graph inputs are the variables, its outputs the outputs.",
      valueName: "model.onnx"))
  var onnx: String?

  @Flag(
    help: ArgumentHelp(
      "With --onnx: make the model's weights (its real-valued initializers) variables, so that "
        + "they can be differentiated; by default they are constants."))
  var paramsAsVariables = false

  @Option(
    name: .customLong("var"),
    help: ArgumentHelp(
      "Declare a tensor variable, e.g. --var A=2x3, or one of element type f32, --var A=2x3:f32 "
        + "(repeatable).", valueName: "name=shape[:dtype]"),
    transform: Declaration.init(parsing:))
  var declarations: [Declaration] = []

  @Option(
    help: ArgumentHelp(
      "The element type of variables not declared with one: f64 (the default) or f32.",
      valueName: "dtype"),
    transform: { text in
      guard let dtype = DType(rawValue: text) else {
        throw ValidationError(
          "'\(displayText(text, limit: 40))' is not an element type: write f32 or f64")
      }
      return dtype
    })
  var dtype: DType = .f64

  @Option(
    help: ArgumentHelp(
      "The most bytes to read from standard input or a file (K, M, G suffixes).",
      valueName: "size"))
  var maxInput = BoundedInput.defaultLimit

  func validate() throws {
    if onnx != nil {
      guard expression == nil && file == nil else {
        throw ValidationError("Give either --onnx MODEL, an expression or -f FILE, not two.")
      }
      return
    }
    if paramsAsVariables {
      throw ValidationError("--params-as-variables goes with --onnx MODEL.")
    }
    switch (expression, file) {
    case (nil, nil):
      throw ValidationError("Give an expression, '-' for standard input, -f FILE or --onnx MODEL.")
    case (_?, _?): throw ValidationError("Give either an expression or -f FILE, not both.")
    default: break
    }
  }

  /// The program and the values it brings of its own: an ONNX model's weights when
  /// `--params-as-variables` makes them variables (bound unless `--at` binds them).
  func load(inferred: [String: Shape] = [:]) throws -> (
    program: ParsedProgram, values: [String: Tensor]
  ) {
    guard let onnx else { return (try parse(inferred: inferred), [:]) }
    let imported = try ModelInput.importModel(
      onnx, parametersAsVariables: paramsAsVariables, inputShapes: inferred, maxInput: maxInput)
    return (imported.program, imported.parametersAreVariables ? imported.parameterValues : [:])
  }

  /// Reads and parses the input into a fresh builder.  `inferred` gives
  /// shapes to variables that `--var` does not declare (from `--at` values).
  func parse(inferred: [String: Shape] = [:]) throws -> ParsedProgram {
    if onnx != nil { return try load(inferred: inferred).program }
    let (source, origin) = try read()
    var shapes = inferred
    var dtypes: [String: DType] = [:]
    for declaration in declarations {
      shapes[declaration.name] = declaration.shape
      dtypes[declaration.name] = declaration.dtype
    }
    let program: ParsedProgram
    do {
      program = try parseProgram(
        source, declarations: shapes, dtypes: dtypes, defaultDType: dtype, into: GraphBuilder())
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

/// `NAME=SHAPE[:DTYPE]` of `--var`.
struct Declaration {
  let name: String
  let shape: Shape
  /// The element type after the shape, if one is given.
  let dtype: DType?

  /// Parses `A=2x3` or `A=2x3:f32`; the error says what is wrong with it.
  init(parsing argument: String) throws {
    let (name, typed) = try splitAssignment(argument, example: "A=2x3")
    let parts = typed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let text = String(parts[0])
    if parts.count == 2 {
      guard let dtype = DType(rawValue: String(parts[1])) else {
        throw ValidationError(
          "'\(displayText(String(parts[1]), limit: 40))' is not an element type: write e.g. "
            + "A=2x3:f32 (f32 or f64)")
      }
      self.dtype = dtype
    } else {
      self.dtype = nil
    }
    guard let shape = parseShape(text) else {
      throw ValidationError(
        "'\(displayText(text, limit: 40))' is not a shape: write e.g. 2x3, 5 or scalar")
    }
    self.name = name
    self.shape = shape
  }
}

/// `NAME` and the text after its `=`, for `--var` and `--at`; the error says
/// which part is wrong.
func splitAssignment(_ argument: String, example: String) throws -> (name: String, text: String) {
  let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
  guard parts.count == 2 else { throw ValidationError("write NAME=VALUE, e.g. \(example)") }
  let name = String(parts[0])
  guard isIdentifier(name) || isModelName(name) else {
    throw ValidationError(
      "'\(displayText(name, limit: 40))' is not a variable name: letters, digits and _, "
        + "not starting with a digit")
  }
  return (name, String(parts[1]))
}

/// Whether `name` is a value name as ONNX models write them (`gpu_0/data_0`, `input.1`,
/// `onnx::Conv_0`, `0`): digits only, or letters, digits, `_` and at least one of `/ . : -`.
func isModelName(_ name: String) -> Bool {
  let marks: Set<Character> = ["/", ".", ":", "-"]
  if !name.isEmpty && name.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
  return name.contains(where: marks.contains)
    && name.allSatisfy {
      ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || marks.contains($0)
    }
}
