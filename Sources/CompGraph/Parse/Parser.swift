/// The state of one parse: the lexer, the builder it builds into, and what
/// each name means so far.
///
/// A name resolves to, in order: a `let` or `out` binding; a named constant
/// (`pi`, `e`, `inf`, `nan`); a declared
/// variable (`var` or the `declarations` argument) with its shape and type; a variable
/// already in the builder, with its shape; otherwise a new scalar variable
/// (so `x*y` needs no declarations) — unless the program has declared its
/// variables with `var`: then an undeclared name is an error (a misspelling,
/// with the closest known name suggested).
struct Parser {
  var lexer: Lexer
  let builder: GraphBuilder
  /// Declared variable shapes.
  var shapes: [String: Shape]
  /// Declared variable element types; a variable not declared with one has `defaultDType`.
  var dtypes: [String: DType]
  let defaultDType: DType
  /// Bindings and the variables used so far, by name.
  var names: [String: Operand] = [:]
  /// Whether a `var` statement was read: new names must then be declared.
  var declaresVariables = false
  /// `let` bindings not used yet, with where they were bound.
  var unusedBindings: [String: Int] = [:]
  /// The `scope name {` blocks still open, innermost last (name token).
  var openScopes: [Token] = []
  /// In a scan's body: the program around it, whose names the body reads as closed-over
  /// values (`Parser+Scan.swift`).
  var enclosing: Enclosing?
  /// The token that ended the last expression (`parseExpression(inList:)`).
  var terminator: Token?

  init(
    _ source: String, declarations: [String: Shape], dtypes: [String: DType], defaultDType: DType,
    builder: GraphBuilder
  ) {
    lexer = Lexer(source)
    self.builder = builder
    shapes = declarations
    self.dtypes = dtypes
    self.defaultDType = defaultDType
  }

  /// An error at byte `offset`.
  func error(_ kind: ParseError.Kind, at offset: Int) -> ParseError {
    lexer.error(kind, at: offset)
  }

  /// "expected `expected`, found <token>".
  func unexpected(_ token: Token, expected: String) -> ParseError {
    error(
      .unexpected(found: token.kind.describe(lexer.text(token)), expected: expected),
      at: token.start)
  }

  /// The operand a name stands for; `next` is the token after it (a function
  /// name must be followed by `(`).
  mutating func resolve(_ name: String, at offset: Int, next: Token) throws(ParseError) -> Operand {
    if let known = names[name] {
      unusedBindings[name] = nil
      return known
    }
    if let value = NamedConstant.values[name] { return .number(value, in: builder) }
    if Function(named: name) != nil {
      throw unexpected(next, expected: "'(' after function '\(name)'")
    }
    if enclosing != nil { return try captured(name, at: offset) }
    if declaresVariables && shapes[name] == nil && builder.variables[name] == nil {
      let known = Array(names.keys) + Array(shapes.keys)
      throw error(.undeclaredName(name, suggestion: closest(to: name, in: known)), at: offset)
    }
    let shape = shapes[name] ?? builder.variables[name] ?? []
    let dtype = dtypes[name] ?? builder.variableDTypes[name] ?? defaultDType
    do {
      let operand = Operand(try builder.variable(name, shape, dtype: dtype))
      names[name] = operand
      return operand
    } catch let graphError as GraphError {
      throw error(.graph(graphError), at: offset)
    } catch {
      throw self.error(.graph(.unsupported("\(error)")), at: offset)
    }
  }

  /// Throws the graph error of a failed handle, at the operator or call that made it.
  func checked(_ operand: Operand, at offset: Int) throws(ParseError) -> Operand {
    if case .failure(let graphError) = operand.expr.result {
      throw error(.graph(graphError), at: offset)
    }
    return operand
  }
}
