/// A syntax or building error in expression text, with its position and the
/// source line it is on.  `description` renders it like a compiler:
///
///     1:9: error: unknown function 'sqr' — did you mean 'sqrt'?
///     sqrt(x)+sqr(y)
///             ^
public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Kind: Equatable, Sendable {
    /// The parser wanted `expected` but read `found` (both as the message
    /// says them, user text already escaped and cut).
    case unexpected(found: String, expected: String)
    case unexpectedCharacter(Character)
    /// `**`, which Python users type for a power.
    case doubleStar
    case badNumber(String)
    case unterminatedString
    /// A `(` or `name(` (`opener`, at `line:column`) that is never closed.
    case unclosedParenthesis(opener: String, line: Int, column: Int)
    case unmatchedParenthesis
    case unknownFunction(String, suggestion: String?)
    /// A call with the wrong number of arguments (`expected` says how many it takes).
    case wrongArgumentCount(function: String, expected: String, found: Int)
    case badShape(String)
    /// An element type that is neither `f32` nor `f64`.
    case badDType(String)
    /// A `[` that does not start a nested array of numbers with even rows.
    case badTensor(String)
    /// A `[…]` right after an operand, as NumPy's `v[2]`: the language
    /// indexes with `index` and `slice`.
    case subscriptAfterOperand
    /// A `let`, `var` or `out` name that is already taken.
    case redefinition(String)
    /// A `scope name {` (at `line:column`) with no closing `}`.
    case unclosedScope(name: String, line: Int, column: Int)
    /// A `}` with no open scope.
    case unmatchedBrace
    /// A `let`, `var` or `out` name that is a named constant (`pi`, `e`, `inf`, `nan`).
    case constantName(String)
    /// A program with declarations or bindings but nothing to compute.
    case noOutput
    /// A name that a program with `var` declarations neither declares nor binds.
    case undeclaredName(String, suggestion: String?)
    /// A `let` binding that nothing uses (a warning, see `isWarning`).
    case unusedBinding(String)
    /// `count` more unused bindings, the first of them named: past a few, they are one warning.
    case moreUnusedBindings(Int, first: [String])
    /// Building the graph failed at this operator or call (e.g. shapes do not fit).
    case graph(GraphError)
  }

  public let kind: Kind
  /// 1-based line and column (the column counts characters).
  public let line: Int
  public let column: Int
  /// The source line holding the error (a window of it when the line is
  /// long), with control and invisible characters escaped.
  public let excerpt: String
  /// The 0-based character column of the error in `excerpt`.
  let excerptColumn: Int

  /// User text in a message: escaped (see `displayText`) and cut to a
  /// line's worth, so a megabyte-long name gives a short message.
  private static func quoted(_ text: String) -> String { displayText(text, limit: 40) }

  /// `unexpected character '§'`; a control character escaped, an
  /// invisible one named (`U+200B ZERO WIDTH SPACE`).
  private static func unexpected(_ character: Character) -> String {
    let scalar = character.unicodeScalars.first!
    if scalar.value < 0x20 || scalar.value == 0x7F {
      return "unexpected control character \(displayScalar(scalar))"
    }
    if character.unicodeScalars.count == 1 && isInvisible(scalar) {
      return "unexpected invisible character \(describeScalar(scalar))"
    }
    return "unexpected character '\(quoted(String(character)))'"
  }

  public var message: String {
    switch kind {
    case .unexpected(let found, let expected): "expected \(expected), found \(found)"
    case .unexpectedCharacter(let character):
      Self.unexpected(character)
    case .doubleStar: "'**' is not an operator: write '^' for a power, as in x^2"
    case .badNumber(let text): "invalid number '\(Self.quoted(text))'"
    case .unterminatedString: "unterminated string: expected a closing '\"' on the same line"
    case .unclosedParenthesis(let opener, let line, let column):
      "'\(opener)' at \(line):\(column) is never closed: expected ')'"
    case .unmatchedParenthesis: "unmatched ')'"
    case .unknownFunction(let name, let suggestion?):
      "unknown function '\(Self.quoted(name))' — did you mean '\(suggestion)'?"
    case .unknownFunction(let name, nil): "unknown function '\(Self.quoted(name))'"
    case .wrongArgumentCount(let function, let expected, let found):
      "'\(Self.quoted(function))' takes \(expected), but was given \(found)"
    case .badShape(let text): "invalid shape '\(Self.quoted(text))': write e.g. 2x3, 5 or scalar"
    case .badDType(let text):
      "invalid element type '\(Self.quoted(text))': write f32 or f64"
    case .badTensor(let text):
      "invalid tensor '\(Self.quoted(text))': write a nested array "
        + "of numbers whose rows have equal lengths, e.g. [[1, 2], [3, 4]]"
    case .subscriptAfterOperand:
      "'[…]' after a value is not indexing here: take elements with index(A, axis, i) "
        + "(v[2] is index(v, 0, 2)) or slice(A, axis, start, end)"
    case .redefinition(let name): "'\(Self.quoted(name))' is already defined"
    case .unclosedScope(let name, let line, let column):
      "scope '\(Self.quoted(name))' opened at \(line):\(column) is never closed: expected '}'"
    case .unmatchedBrace: "unmatched '}': no scope is open"
    case .constantName(let name):
      "'\(name)' is a constant (\(formatNumber(NamedConstant.values[name]!))): choose another name"
    case .noOutput:
      "the program has no output: end it with an expression or 'out name = expression'"
    case .undeclaredName(let name, let suggestion):
      "unknown name '\(Self.quoted(name))'"
        + (suggestion.map { " — did you mean '\($0)'?" }
          ?? "; this program declares its variables, so add it to a 'var' line")
    case .unusedBinding(let name): "'\(Self.quoted(name))' is never used"
    case .moreUnusedBindings(let count, let first):
      "\(count) more bindings are never used: "
        + first.map { "'\(Self.quoted($0))'" }.joined(separator: ", ")
        + (count > first.count ? ", …" : "")
    case .graph(let error): "\(error)"
    }
  }

  /// Whether this is a warning (the input parsed) rather than an error.
  public var isWarning: Bool {
    switch kind {
    case .unusedBinding, .moreUnusedBindings: return true
    default: return false
    }
  }

  public var description: String {
    let caret = String(excerpt.prefix(excerptColumn).map { $0 == "\t" ? "\t" : " " }) + "^"
    let severity = isWarning ? "warning" : "error"
    return "\(line):\(column): \(severity): \(message)\n\(excerpt)\n\(caret)"
  }

  /// Longest excerpt shown before it is cut to a window around the column.
  private static let excerptLimit = 100

  /// Locates byte `offset` of `bytes`: only runs when an error is thrown.
  init(_ kind: Kind, at offset: Int, in bytes: [UInt8]) {
    let offset = min(offset, bytes.count)
    let lineStart = Self.lineStart(of: offset, in: bytes)
    let lineEnd = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
    // Escaped, so control bytes never reach the terminal and invisible
    // characters show; the caret counts the escaped characters.
    let before = displayText(String(decoding: bytes[lineStart..<offset], as: UTF8.self))
    var raw = String(decoding: bytes[offset..<lineEnd], as: UTF8.self)
    if raw.last == "\r" { raw.removeLast() }
    let after = displayText(raw)
    self.kind = kind
    (line, column) = Self.location(of: offset, in: bytes)
    let head = before.suffix(60)
    if before.count + after.count <= Self.excerptLimit {
      excerpt = before + after
      excerptColumn = before.count
    } else if head.count < before.count {
      excerpt = "…" + head + after.prefix(39) + (after.count > 39 ? "…" : "")
      excerptColumn = head.count + 1
    } else {
      excerpt = head + after.prefix(39) + (after.count > 39 ? "…" : "")
      excerptColumn = head.count
    }
  }

  /// The 1-based line and character column of byte `offset`.
  static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
    let start = lineStart(of: offset, in: bytes)
    let line = bytes[..<start].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    return (line, String(decoding: bytes[start..<offset], as: UTF8.self).count + 1)
  }

  private static func lineStart(of offset: Int, in bytes: [UInt8]) -> Int {
    bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
  }
}
