/// Statements of a program file; see `parseProgram` for the grammar.
extension Parser {
  /// The outputs so far, and their names (a set, so 100,000 outputs are not quadratic).
  struct Outputs {
    var list: [(name: String, expr: Expr)] = []
    var names: Set<String> = []
    var isEmpty: Bool { list.isEmpty }
  }

  mutating func parseProgram() throws(ParseError) -> ParsedProgram {
    var outputs = Outputs()
    var sawStatement = false
    while true {
      let token = try lexer.peek()
      switch token.kind {
      case .newline, .semicolon:
        _ = try lexer.next()
        continue
      case .rightBrace:
        _ = try lexer.next()
        guard openScopes.popLast() != nil else { throw error(.unmatchedBrace, at: token.start) }
        builder.closeScope()
        continue
      case .end:
        if let open = openScopes.last {
          let (line, column) = lexer.location(of: open.start)
          throw error(
            .unclosedScope(name: lexer.text(open), line: line, column: column), at: token.start)
        }
        guard !outputs.isEmpty else {
          throw sawStatement
            ? error(.noOutput, at: token.start) : unexpected(token, expected: "an expression")
        }
        return ParsedProgram(outputs: outputs.list, warnings: unusedWarnings())
      default:
        break
      }
      sawStatement = true
      var probe = lexer
      let keyword = try probe.next()
      let name = try probe.next()
      guard keyword.kind == .identifier, name.kind == .identifier else {
        try output("f", at: token.start, into: &outputs)
        continue
      }
      switch lexer.text(keyword) {
      case "var":
        lexer = probe
        declaresVariables = true
        try declarations(first: name)
      case "let":
        lexer = probe
        if try !scanBinding(first: name) {
          try bind(name)
          unusedBindings[lexer.text(name)] = name.start
        }
      case "out":
        lexer = probe
        let expr = try bind(name)
        try output(lexer.text(name), expr, at: name.start, into: &outputs)
      case "scope":
        lexer = probe
        let brace = try lexer.next()
        guard brace.kind == .leftBrace else {
          throw unexpected(brace, expected: "'{' after 'scope \(lexer.text(name))'")
        }
        openScopes.append(name)
        builder.openScope(lexer.text(name))
      default:
        try output("f", at: token.start, into: &outputs)
      }
    }
  }

  /// The most unused bindings warned about one by one; the rest are one warning with a count
  /// (100,000 unused lets printed 8 MB of warnings).
  static let unusedWarningLimit = 3

  /// The warnings for the unused `let` bindings, in source order.
  private func unusedWarnings() -> [ParseError] {
    let unused = unusedBindings.sorted { $0.value < $1.value }
    var warnings = unused.prefix(Self.unusedWarningLimit).map { name, offset in
      error(.unusedBinding(name), at: offset)
    }
    let rest = unused.dropFirst(Self.unusedWarningLimit)
    if let first = rest.first {
      warnings.append(
        error(.moreUnusedBindings(rest.count, first: rest.prefix(3).map(\.key)), at: first.value))
    }
    return warnings
  }

  /// A bare expression statement: the output `name`.
  private mutating func output(
    _ name: String, at start: Int, into outputs: inout Outputs
  )
    throws(ParseError)
  {
    try output(name, parseExpression().expr, at: start, into: &outputs)
  }

  private func output(
    _ name: String, _ expr: Expr, at start: Int, into outputs: inout Outputs
  ) throws(ParseError) {
    guard NamedConstant.values[name] == nil else { throw error(.constantName(name), at: start) }
    guard outputs.names.insert(name).inserted else { throw error(.redefinition(name), at: start) }
    outputs.list.append((name, expr))
  }

  /// `name "=" expression` after `let` or `out`; binds the name.
  @discardableResult
  mutating func bind(_ name: Token) throws(ParseError) -> Expr {
    let text = lexer.text(name)
    guard NamedConstant.values[text] == nil else {
      throw error(.constantName(text), at: name.start)
    }
    guard names[text] == nil, shapes[text] == nil else {
      throw error(.redefinition(text), at: name.start)
    }
    let equals = try lexer.next()
    guard equals.kind == .equals else { throw unexpected(equals, expected: "'=' after '\(text)'") }
    let value = try parseExpression()
    names[text] = value
    return value.expr
  }

  /// `name [":" type] {"," name [":" type]}` after `var`, to the end of the
  /// line, where a type is a shape, an element type or both (`2x3 f32`).
  private mutating func declarations(first: Token) throws(ParseError) {
    var name = first
    while true {
      var shape: Shape = []
      var dtype: DType?
      var next = try lexer.next()
      var expected = "':', ',' or end of line"
      if next.kind == .colon {
        expected = "',' or end of line"
        let word = lexer.scanWord()
        if let named = DType(rawValue: word.text) {
          dtype = named
        } else {
          guard let parsed = parseShape(word.text) else {
            throw error(.badShape(word.text), at: word.start)
          }
          shape = parsed
        }
        next = try lexer.next()
        if dtype == nil {
          expected = "an element type (f32 or f64), ',' or end of line"
          if next.kind == .identifier, let named = DType(rawValue: lexer.text(next)) {
            dtype = named
            next = try lexer.next()
          }
        }
      }
      try declare(name, shape, dtype ?? defaultDType)
      switch next.kind {
      case .comma:
        name = try lexer.next()
        guard name.kind == .identifier else { throw unexpected(name, expected: "a variable name") }
      case .newline, .semicolon, .end:
        return
      default:
        throw unexpected(next, expected: expected)
      }
    }
  }

  private mutating func declare(_ name: Token, _ shape: Shape, _ dtype: DType) throws(ParseError) {
    let text = lexer.text(name)
    guard NamedConstant.values[text] == nil else {
      throw error(.constantName(text), at: name.start)
    }
    guard names[text] == nil else { throw error(.redefinition(text), at: name.start) }
    if let known = shapes[text] ?? builder.variables[text], known != shape {
      throw error(.graph(.conflictingVariable(name: text, shapes: [known, shape])), at: name.start)
    }
    if let known = dtypes[text] ?? builder.variableDTypes[text], known != dtype {
      throw error(
        .graph(.conflictingVariableType(name: text, types: [known, dtype])), at: name.start)
    }
    shapes[text] = shape
    dtypes[text] = dtype
  }
}
