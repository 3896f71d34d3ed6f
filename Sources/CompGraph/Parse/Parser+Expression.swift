/// Expressions, by shunting-yard: an explicit operator stack and operand
/// stack instead of recursion, so 100,000 nested parentheses cost two arrays
/// of 100,000 entries, not 100,000 stack frames.
///
/// Precedence, loosest first: comparisons `< <= > >= ==` (left), `+ -`
/// (left), `* /` (left), prefix `-`, `^` (right).  So `-x^2` is `-(x^2)`, `2^-1` is `2^(-1)`, `a-b-c` is
/// `(a-b)-c` and `a^b^c` is `a^(b^c)`.
extension Parser {
  /// What waits on the operator stack.
  private enum Pending {
    case binary(BinaryOperator, at: Int)
    case negate(at: Int)
    case parenthesis(at: Int)
    /// A call whose arguments start at `firstOperand` on the operand stack.
    case call(Function, name: String, literal: Literal, firstOperand: Int, at: Int)

    /// Binding power of an operator; `nil` for an opening bracket.
    var precedence: Int? {
      switch self {
      case .binary(let op, _): op.precedence
      case .negate: BinaryOperator.negationPrecedence
      case .parenthesis, .call: nil
      }
    }
  }

  /// Parses one expression up to a newline, `;` or the end of input outside
  /// parentheses, consuming that terminator (kept in `terminator`).  Newlines inside
  /// parentheses and after an operator continue the expression.  `inList` (a scan's lists
  /// and its body's results) also ends it at a `,`, a `}` or a word after a complete operand
  /// (`over xs from h0`).
  mutating func parseExpression(inList: Bool = false) throws(ParseError) -> Operand {
    var pending: [Pending] = []
    var operands: [Operand] = []
    var openBrackets = 0
    var expectOperand = true
    while true {
      let token = try lexer.next()
      if expectOperand {
        switch token.kind {
        case .newline:
          continue
        case .number(let value):
          operands.append(.number(value, in: builder))
        case .tensor(let value):
          operands.append(Operand(builder.constant(value)))
        case .identifier:
          let name = lexer.text(token)
          let next = try lexer.peek()
          guard next.kind == .leftParen else {
            operands.append(try resolve(name, at: token.start, next: next))
            break
          }
          guard let function = Function(named: name) else {
            throw error(
              .unknownFunction(name, suggestion: Function.suggestion(for: name)), at: token.start)
          }
          _ = try lexer.next()
          let literal: Literal =
            function == .sugar(.einsum) ? .subscripts(try einsumSubscripts(at: token.start)) : .none
          pending.append(
            .call(
              function, name: name, literal: literal, firstOperand: operands.count,
              at: token.start))
          openBrackets += 1
          continue
        case .leftParen:
          pending.append(.parenthesis(at: token.start))
          openBrackets += 1
          continue
        case .minus:
          pending.append(.negate(at: token.start))
          continue
        case .rightParen:
          if case .call(let function, let name, _, let first, let start)? = pending.last,
            first == operands.count
          {
            throw error(
              .wrongArgumentCount(function: name, expected: function.arityDescription, found: 0),
              at: start)
          }
          throw unexpected(token, expected: "an expression")
        default:
          throw unexpected(token, expected: "an expression")
        }
        expectOperand = false
        continue
      }
      if let op = token.kind.binaryOperator {
        try reduce(
          &pending, &operands, downTo: op.isRightAssociative ? op.precedence + 1 : op.precedence)
        pending.append(.binary(op, at: token.start))
        expectOperand = true
        continue
      }
      if inList, token.endsListItem, pending.allSatisfy({ $0.precedence != nil }) {
        try reduce(&pending, &operands, downTo: 0)
        terminator = token
        return operands[0]
      }
      switch token.kind {
      case .comma:
        try reduce(&pending, &operands, downTo: 0)
        guard case .call(let function, let name, _, let first, let start) = pending.last else {
          throw unexpected(token, expected: expectation(pending))
        }
        if function.takesShape {
          let word = lexer.scanWord()
          guard let shape = parseShape(word.text) else {
            throw error(.badShape(word.text), at: word.start)
          }
          pending[pending.count - 1] = .call(
            function, name: name, literal: .shape(shape), firstOperand: first, at: start)
          expectOperand = false
        } else if function.takesDType {
          let word = lexer.scanWord()
          guard let dtype = DType(rawValue: word.text) else {
            throw error(.badDType(word.text), at: word.start)
          }
          pending[pending.count - 1] = .call(
            function, name: name, literal: .dtype(dtype), firstOperand: first, at: start)
          expectOperand = false
        } else {
          expectOperand = true
        }
      case .rightParen:
        try reduce(&pending, &operands, downTo: 0)
        switch pending.popLast() {
        case .parenthesis:
          break
        case .call(let function, let name, let literal, let first, let start):
          let arguments = Array(operands[first...])
          let hasShape = if case .shape = literal { true } else { false }
          let hasDType = if case .dtype = literal { true } else { false }
          guard function.arity.accepts(arguments.count), function.takesShape == hasShape,
            function.takesDType == hasDType
          else {
            throw error(
              .wrongArgumentCount(
                function: name, expected: function.arityDescription, found: arguments.count),
              at: start)
          }
          operands.removeLast(arguments.count)
          operands.append(try checked(function.apply(arguments, literal: literal), at: start))
        default:
          throw error(.unmatchedParenthesis, at: token.start)
        }
        openBrackets -= 1
      case .newline where openBrackets > 0:
        continue
      case .newline, .semicolon, .end:
        try reduce(&pending, &operands, downTo: 0)
        switch pending.last {
        case .parenthesis(let start)?:
          throw unclosed("(", at: start, before: token)
        case .call(_, let name, _, _, let start)?:
          throw unclosed(name + "(", at: start, before: token)
        default:
          terminator = token
          return operands[0]
        }
      case .tensor:
        throw error(.subscriptAfterOperand, at: token.start)
      default:
        throw unexpected(token, expected: expectation(pending))
      }
    }
  }

  /// The bracket `opener` at byte `start` is still open at `token`.
  private func unclosed(_ opener: String, at start: Int, before token: Token) -> ParseError {
    let (line, column) = lexer.location(of: start)
    return error(.unclosedParenthesis(opener: opener, line: line, column: column), at: token.start)
  }

  /// What may follow a complete operand, for messages.
  private func expectation(_ pending: [Pending]) -> String {
    for entry in pending.reversed() {
      switch entry {
      case .parenthesis: return "an operator or ')'"
      case .call: return "an operator, ',' or ')'"
      default: continue
      }
    }
    return "an operator"
  }

  /// einsum's `"subscripts",` after its `(`; returns the text between the quotes.
  private mutating func einsumSubscripts(at start: Int) throws(ParseError) -> String {
    let string = try lexer.next()
    guard string.kind == .string else {
      throw unexpected(string, expected: "a subscript string such as \"ij,jk->ik\"")
    }
    let separator = try lexer.next()
    switch separator.kind {
    case .comma:
      return String(lexer.text(string).dropFirst().dropLast())
    case .rightParen:
      throw error(
        .wrongArgumentCount(
          function: "einsum", expected: Function.sugar(.einsum).arityDescription, found: 0),
        at: start)
    default:
      throw unexpected(separator, expected: "','")
    }
  }

  /// Applies stacked operators while their precedence is at least `floor`
  /// (`0`: down to the nearest bracket).
  private func reduce(_ pending: inout [Pending], _ operands: inout [Operand], downTo floor: Int)
    throws(ParseError)
  {
    while let top = pending.last, let precedence = top.precedence, precedence >= floor {
      pending.removeLast()
      switch top {
      case .binary(let op, let start):
        let rhs = operands.removeLast()
        let lhs = operands.removeLast()
        operands.append(try checked(lhs.applying(op, rhs), at: start))
      case .negate(let start):
        operands.append(try checked(operands.removeLast().negated(), at: start))
      case .parenthesis, .call:
        return
      }
    }
  }
}
