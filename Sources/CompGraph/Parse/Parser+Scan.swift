/// A scan in a program (see `parseProgram`'s grammar):
///
///     let hT, ys = scan step(h, x) {
///       let n = tanh(h * w + x)
///       n, n * n            # the next carries, then the per-step outputs
///     } over xs from h0
///
/// The parameters are the carries (one per value after `from`) and then the rows (one per
/// sequence after `over`; `for N` gives a trip count instead).  A name of the program the body
/// reads (`w`) is a closed-over value.  The names bound are the final carries, then the
/// stacked outputs.
extension Parser {
  /// The program around a scan's body, as the body's parser sees it.
  struct Enclosing {
    /// The shape and element type of a name of the program around the body; `nil` for a name
    /// it cannot resolve.
    let lookup: (String) -> (Shape, DType)?
    /// The names the body read from it, in order, with where: its closed-over values.
    var captured: [(name: String, at: Int)] = []
  }

  /// A parser for a scan's body, starting after its `{`.
  init(body lexer: Lexer, builder: GraphBuilder, defaultDType: DType, enclosing: Enclosing) {
    self.lexer = lexer
    self.builder = builder
    shapes = [:]
    dtypes = [:]
    self.defaultDType = defaultDType
    self.enclosing = enclosing
  }

  /// What `name` would resolve to here, without building anything.
  func lookup(_ name: String) -> (Shape, DType)? {
    if let known = names[name] {
      return known.expr.shape.map { ($0, known.expr.dtype ?? defaultDType) }
    }
    if let shape = shapes[name] ?? builder.variables[name] {
      return (shape, dtypes[name] ?? builder.variableDTypes[name] ?? defaultDType)
    }
    if let enclosing { return enclosing.lookup(name) }
    return declaresVariables ? nil : ([], dtypes[name] ?? defaultDType)
  }

  /// A name of the program around the body, read inside it: a closed-over parameter of the
  /// same name, shape and type.
  mutating func captured(_ name: String, at offset: Int) throws(ParseError) -> Operand {
    guard let (shape, dtype) = enclosing?.lookup(name) else {
      throw error(
        .undeclaredName(name, suggestion: closest(to: name, in: Array(names.keys))), at: offset)
    }
    do {
      let operand = Operand(try builder.variable(name, shape, dtype: dtype))
      names[name] = operand
      enclosing?.captured.append((name, offset))
      return operand
    } catch let graphError as GraphError {
      throw error(.graph(graphError), at: offset)
    } catch {
      throw self.error(.graph(.unsupported("\(error)")), at: offset)
    }
  }

  /// After `let first`: the rest of a scan statement, `{"," name} "=" "scan" …`, binding its
  /// names; `false`, having read nothing, when the statement is not a scan.
  mutating func scanBinding(first: Token) throws(ParseError) -> Bool {
    var probe = lexer
    var targets = [first]
    var next = try probe.next()
    while next.kind == .comma {
      let name = try probe.next()
      guard name.kind == .identifier else { throw unexpected(name, expected: "a name") }
      targets.append(name)
      next = try probe.next()
    }
    let several = targets.count > 1
    guard next.kind == .equals else {
      if several { throw unexpected(next, expected: "'=' after the names") }
      return false
    }
    let keyword = try probe.next()
    var after = probe
    let bodyName = try after.next()
    guard keyword.kind == .identifier, lexer.text(keyword) == "scan",
      bodyName.kind == .identifier
    else {
      if several {
        throw unexpected(keyword, expected: "'scan name(…)': only a scan binds several names")
      }
      return false
    }
    lexer = probe
    let values = try parseScan(at: keyword)
    guard values.count == targets.count else {
      throw error(
        .graph(
          .unsupported(
            "scan \(lexer.text(bodyName)) gives \(values.count) values (its final carries, then its stacked outputs), but \(targets.count) names are bound: name each"
          )), at: first.start)
    }
    for (target, value) in zip(targets, values) {
      let text = lexer.text(target)
      guard NamedConstant.values[text] == nil else {
        throw error(.constantName(text), at: target.start)
      }
      guard names[text] == nil, shapes[text] == nil else {
        throw error(.redefinition(text), at: target.start)
      }
      names[text] = Operand(value)
      unusedBindings[text] = target.start
    }
    return true
  }

  /// `scan name(params) { body } (over list | for N) from list [reverse] [checkpoint k|sqrt]`
  /// after `scan`, up to the end of the statement: the final carries, then the stacked outputs.
  private mutating func parseScan(at keyword: Token) throws(ParseError) -> [Expr] {
    let nameToken = try lexer.next()
    let name = lexer.text(nameToken)
    let open = try lexer.next()
    guard open.kind == .leftParen else {
      throw unexpected(open, expected: "'(' and the body's parameters after 'scan \(name)'")
    }
    var parameters: [Token] = []
    while true {
      let parameter = try lexer.next()
      guard parameter.kind == .identifier else {
        throw unexpected(parameter, expected: "a parameter name")
      }
      parameters.append(parameter)
      let separator = try lexer.next()
      if separator.kind == .rightParen { break }
      guard separator.kind == .comma else { throw unexpected(separator, expected: "',' or ')'") }
    }
    let brace = try lexer.next()
    guard brace.kind == .leftBrace else { throw unexpected(brace, expected: "'{' and the body") }
    let body = lexer
    var depth = 1
    while depth > 0 {
      let token = try lexer.next()
      switch token.kind {
      case .leftBrace: depth += 1
      case .rightBrace: depth -= 1
      case .end:
        let (line, column) = lexer.location(of: brace.start)
        throw unexpected(
          token, expected: "'}' closing the body of scan \(name) opened at \(line):\(column)")
      default: break
      }
    }
    // The tail: the sequences or a trip count, the initial carries, the options.
    let word = try lexer.next()
    var sequences: [Expr] = []
    var length: Int?
    var from = word
    switch (word.kind, lexer.text(word)) {
    case (.identifier, "over"):
      sequences = try expressionList()
      from = terminator ?? word
    case (.identifier, "for"):
      let count = try lexer.next()
      guard case .number(let n) = count.kind, n >= 0, n == n.rounded(), n <= 1e9 else {
        throw unexpected(count, expected: "a trip count (a whole number) after 'for'")
      }
      length = Int(n)
      from = try lexer.next()
    default:
      throw unexpected(
        word, expected: "'over' and the sequences, or 'for' and a trip count, after the body")
    }
    guard from.kind == .identifier, lexer.text(from) == "from" else {
      throw unexpected(from, expected: "'from' and the initial carries")
    }
    let carries = try expressionList()
    var end = terminator ?? from
    var reverse = false
    var checkpoint = ScanCheckpoint.all
    while end.kind == .identifier {
      switch lexer.text(end) {
      case "reverse": reverse = true
      case "checkpoint":
        let k = try lexer.next()
        if case .number(let n) = k.kind, n >= 1, n == n.rounded(), n <= 1e9 {
          checkpoint = .every(Int(n))
        } else if k.kind == .identifier, lexer.text(k) == "sqrt" {
          checkpoint = .sqrt
        } else {
          throw unexpected(k, expected: "a run length or 'sqrt' after 'checkpoint'")
        }
      default:
        throw unexpected(end, expected: "'reverse', 'checkpoint' or the end of the statement")
      }
      end = try lexer.next()
    }
    switch end.kind {
    case .newline, .semicolon, .end: break
    default: throw unexpected(end, expected: "the end of the statement")
    }
    guard parameters.count == carries.count + sequences.count else {
      throw error(
        .graph(
          .unsupported(
            "scan \(name) has \(parameters.count) parameters, but \(carries.count) initial carries (after 'from') and \(sequences.count) sequences (after 'over'): name one parameter per carry, then one per sequence"
          )), at: nameToken.start)
    }
    do {
      var draft = try ScanDraft(
        name, in: builder, carries: carries, over: sequences, length: length,
        names: parameters.map(lexer.text))
      var inner = Parser(
        body: body, builder: draft.inner, defaultDType: defaultDType,
        enclosing: Enclosing(lookup: { [self] in self.lookup($0) }))
      for (parameter, value) in zip(parameters, draft.parameters) {
        inner.names[lexer.text(parameter)] = Operand(value)
      }
      let results = try inner.parseBody()
      for (captured, offset) in inner.enclosing?.captured ?? [] {
        _ = try draft.close(
          over: resolve(captured, at: offset, next: keyword).expr, named: captured)
      }
      guard results.count >= carries.count else {
        throw GraphError.unsupported(
          "scan \(name): the body's last line gives \(results.count) values, but the scan has \(carries.count) carries: list the next carries, then the outputs"
        )
      }
      let result = try draft.finish(
        next: Array(results[..<carries.count]), outputs: Array(results[carries.count...]),
        reverse: reverse, checkpoint: checkpoint)
      return result.carries + result.outputs
    } catch let parseError as ParseError {
      throw parseError
    } catch let graphError as GraphError {
      throw error(.graph(graphError), at: nameToken.start)
    } catch {
      throw self.error(.graph(.unsupported("\(error)")), at: nameToken.start)
    }
  }

  /// `expression {"," expression}`, each ended by `parseExpression(inList:)`.
  private mutating func expressionList() throws(ParseError) -> [Expr] {
    var items: [Expr] = []
    repeat {
      items.append(try parseExpression(inList: true).expr)
    } while terminator?.kind == .comma
    return items
  }

  /// A scan's body up to its `}`: `let` bindings (scans among them), then the line listing
  /// the next carries and the per-step outputs.
  mutating func parseBody() throws(ParseError) -> [Expr] {
    while true {
      let token = try lexer.peek()
      switch token.kind {
      case .newline, .semicolon:
        _ = try lexer.next()
        continue
      case .rightBrace:
        throw unexpected(
          token, expected: "the next carries and the outputs, as the body's last line")
      default:
        break
      }
      var probe = lexer
      let keyword = try probe.next()
      let name = try probe.next()
      if keyword.kind == .identifier, name.kind == .identifier, lexer.text(keyword) == "let" {
        lexer = probe
        if try !scanBinding(first: name) { try bind(name) }
        continue
      }
      var results: [Expr] = []
      while true {
        results.append(try parseExpression(inList: true).expr)
        guard let end = terminator, end.kind != .comma else { continue }
        switch end.kind {
        case .rightBrace: return results
        case .newline, .semicolon:
          while true {
            let next = try lexer.next()
            switch next.kind {
            case .newline, .semicolon: continue
            case .rightBrace: return results
            default:
              throw unexpected(
                next, expected: "'}': the body ends with the line of its carries and outputs")
            }
          }
        default:
          throw unexpected(end, expected: "',' or the end of the line")
        }
      }
    }
  }
}
