import ArgumentParser
import CompGraph
import Foundation

/// `NAME=VALUE` of `--at`.  The value is
/// - a number or a row-major list of numbers: `x=1.5`, `v=1,2,3`;
/// - a nested array, whose nesting gives the shape: `A=[[1,2],[3,4]]`;
/// - a file: `A=@values.json` (a number or a nested array), `A=@values.csv`
///   (one row of numbers a line; one line is a vector, several a matrix), or a tensor as ONNX
///   and NumPy write them, `A=@input_0.pb` (a `TensorProto`) or `A=@a.npy`, with its shape.
///
/// A variable bound to a nested array or a file without a `--var`
/// declaration takes that shape; a flat list fills a declared shape in
/// row-major order.  Numbers are written as in expressions (`parseNumber`:
/// no `0x10`, no `1e999`); `nan`, `inf` and `-inf` are numbers too, and a
/// JSON file may spell them `NaN`, `Infinity` and `-Infinity` as Python's
/// `json` module writes them, or `"nan"`, `"inf"` and `"-inf"` as `eval --json`
/// writes them.
struct Binding {
  enum Source {
    /// A number or flat list (`shape == nil`), or a nested array.
    case literal(shape: Shape?, values: [Double])
    case file(String)
  }

  let name: String
  let source: Source
  /// The option that gave it (`--at`, `--hvp`), which its errors name.
  let option: String

  /// Parses `x=1.5`, `v=1,2,3`, `A=[[1,2],[3,4]]` or `A=@file` given to
  /// `--at`; the error says what is wrong with it.
  init(parsing argument: String) throws { try self.init(parsing: argument, option: "--at") }

  /// The same, given to `option`.
  init(parsing argument: String, option: String) throws {
    let (name, raw) = try splitAssignment(argument, example: "x=1.5")
    self.name = name
    self.option = option
    let text = raw.trimmingCharacters(in: .whitespaces)
    if text.hasPrefix("@") {
      guard text.count > 1 else {
        throw ValidationError("name a file after '@', e.g. \(name)=@values.csv")
      }
      source = .file(String(text.dropFirst()))
    } else if let (shape, values) = parseValues(text) {
      source = .literal(shape: shape, values: values)
    } else {
      throw ValidationError(
        "'\(displayText(text, limit: 40))' is not a number, a list such as 1,2,3 or a nested "
          + "array such as [[1,2],[3,4]] (numbers as in expressions: 1.5, -2e3, inf, nan)")
    }
  }

  /// The numbers and, unless they are a flat list, their shape; reads a file
  /// source of at most `limit` bytes (a `UserError` when it cannot be read
  /// or parsed).
  func resolve(limit: ByteCount) throws -> (shape: Shape?, values: [Double]) {
    switch source {
    case .literal(let shape, let values): return (shape, values)
    case .file(let path) where ModelInput.isTensorFile(path):
      let tensor = try ModelInput.tensor(path, option: option, name: name, limit: limit)
      return (tensor.shape, tensor.scalars)
    case .file(let path):
      let data = try BoundedInput.read(
        path, name: "'\(path)'", context: "\(option) \(name): ", limit: limit)
      let text = String(decoding: data, as: UTF8.self)
      if path.lowercased().hasSuffix(".csv") {
        do { return try parseCSV(text) } catch {
          throw UserError(
            "\(option) \(name): '\(path)' is not a CSV file of numbers with the same count on "
              + "every line: \(error.problem)")
        }
      }
      guard let (shape, values) = parseValues(expressionSpellings(ofJSON: text)) else {
        throw UserError(
          "\(option) \(name): '\(path)' is not a number or a nested array of numbers such as "
            + "[[1, 2], [3, 4]] (numbers as in expressions: 1.5, -2e3, inf, nan; or as Python's "
            + "json writes them: NaN, Infinity, -Infinity; or as eval --json does: \"nan\")")
      }
      return (shape ?? [values.count], values)
    }
  }
}

/// Reads every binding once (files included): values by name, and the
/// shapes of nested-array and file values for variables `--var` did not
/// declare.
func resolveBindings(_ bindings: [Binding], input: InputOptions) throws
  -> (values: [String: (shape: Shape?, values: [Double])], shapes: [String: Shape])
{
  var values: [String: (shape: Shape?, values: [Double])] = [:]
  var shapes: [String: Shape] = [:]
  let declaredNames = Set(input.declarations.map(\.name))
  for binding in bindings {
    let value = try binding.resolve(limit: input.maxInput)
    values[binding.name] = value
    if let shape = value.shape, !declaredNames.contains(binding.name) {
      shapes[binding.name] = shape
    }
  }
  return (values, shapes)
}

/// The tensors to evaluate `graph` at: each binding checked against its
/// variable's shape, every variable of `graph` bound.  `written` are the
/// variables of the expression as the user wrote it: binding one that
/// simplification removed (`x` in `x*0`) is not an error.
func tensors(
  _ values: [String: (shape: Shape?, values: [Double])], for graph: Graph,
  written: [(name: String, shape: Shape)]
) throws -> [String: Tensor] {
  let shapes = Dictionary(
    (written + graph.variables).map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
  var tensors: [String: Tensor] = [:]
  for variable in graph.variables where values[variable.name] == nil {
    let name = displayText(variable.name, limit: 40)
    throw UserError(
      "variable '\(name)' has no value; bind it with "
        + (variable.shape.isEmpty
          ? "--at \(name)=1.5"
          : "--at \(name)=@values.csv or a nested array, as its shape "
            + "\(variable.shape.shapeDescription) needs (\(variable.shape.elementCount) value(s))"))
  }
  for (name, value) in values.sorted(by: { $0.key < $1.key }) {
    guard let shape = shapes[name] else {
      throw UserError("--at \(name): the expression has no variable '\(name)'")
    }
    if let given = value.shape, given != shape,
      !(given.count == 1 && value.values.count == shape.elementCount)
    {
      throw UserError(
        "--at \(name): variable '\(name)' has shape \(shape.shapeDescription) but the value has shape "
          + "\(given.shapeDescription); declare it with --var \(name)=\(given.shapeDescription) or give "
          + "\(shape.elementCount) value(s)")
    }
    guard value.values.count == shape.elementCount else {
      throw UserError(
        "--at \(name): variable '\(name)' has shape \(shape.shapeDescription) "
          + "(\(shape.elementCount) value(s)) but \(value.values.count) were given")
    }
    tensors[name] = Tensor(shape: shape, scalars: value.values)
  }
  return tensors
}

/// A number, a flat comma-separated list (shape `nil`), or a nested array
/// `[[1, 2], [3, 4]]` (its shape).
func parseValues(_ text: String) -> (shape: Shape?, values: [Double])? {
  let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
  guard text.hasPrefix("[") else {
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map {
      parseNumber($0.trimmingCharacters(in: .whitespaces))
    }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
    return (nil, values.compactMap { $0 })
  }
  return Tensor(literal: text).map { ($0.shape, $0.scalars) }
}

/// `text` with the non-finite spellings of Python's `json` module (`NaN`,
/// `Infinity`) and of `eval --json` (`"nan"`, `"inf"`, `"-inf"`) replaced by
/// the expression language's (`nan`, `inf`); a whole word only, so `NaNx`
/// stays wrong.
func expressionSpellings(ofJSON text: String) -> String {
  text.replacing(/\bNaN\b/, with: "nan").replacing(/\bInfinity\b/, with: "inf")
    .replacing(/"(-?inf|nan)"/) { String($0.1) }
}

/// What is wrong with a CSV file, where: `line 2, value 3 ('1e999') is not a number …`.
struct CSVProblem: Error {
  let problem: String
}

/// A CSV file of numbers: one line is a vector (its shape), several a matrix.
func parseCSV(_ text: String) throws(CSVProblem) -> (shape: Shape, values: [Double]) {
  var values: [Double] = []
  var columns: Int?
  var rows = 0
  for (number, row) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    .enumerated()
  where !row.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
    let cells = row.split(separator: ",", omittingEmptySubsequences: false)
    for (k, cell) in cells.enumerated() {
      let text = cell.trimmingCharacters(in: .whitespacesAndNewlines)
      guard let value = parseNumber(text) else {
        throw CSVProblem(
          problem: "line \(number + 1), value \(k + 1) ('\(displayText(text, limit: 40))') is not "
            + "a number as expressions write them (1.5, -2e3, inf, nan; a finite one within "
            + "±1.8e308)")
      }
      values.append(value)
    }
    if let columns, columns != cells.count {
      throw CSVProblem(
        problem: "line \(number + 1) has \(cells.count) value(s), the lines before it \(columns)")
    }
    columns = cells.count
    rows += 1
  }
  guard let columns else { throw CSVProblem(problem: "it holds no numbers") }
  return (rows == 1 ? [columns] : [rows, columns], values)
}
