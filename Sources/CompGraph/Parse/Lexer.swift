/// Splits source text into tokens on demand, one at a time, over its UTF-8
/// bytes.  A value type: copying it peeks ahead.
///
/// Skips spaces, tabs, carriage returns and `#` comments (to the end of the
/// line); a line feed is a `newline` token, because newlines end statements.
struct Lexer {
  let bytes: [UInt8]
  private(set) var offset = 0

  init(_ source: String) { bytes = Array(source.utf8) }

  /// The source text of `token`.
  func text(_ token: Token) -> String {
    String(decoding: bytes[token.start..<token.end], as: UTF8.self)
  }

  /// An error at byte `offset`.
  func error(_ kind: ParseError.Kind, at offset: Int) -> ParseError {
    ParseError(kind, at: offset, in: bytes)
  }

  /// The 1-based line and column of byte `offset`.
  func location(of offset: Int) -> (line: Int, column: Int) {
    ParseError.location(of: offset, in: bytes)
  }

  /// The next token, without consuming it.
  func peek() throws(ParseError) -> Token {
    var copy = self
    return try copy.next()
  }

  mutating func next() throws(ParseError) -> Token {
    skipBlanks()
    let start = offset
    guard start < bytes.count else { return Token(kind: .end, start: start, end: start) }
    let byte = bytes[start]
    offset += 1
    let kind: Token.Kind
    switch byte {
    case UInt8(ascii: "\n"): kind = .newline
    case UInt8(ascii: "+"): kind = .plus
    case UInt8(ascii: "-"): kind = .minus
    case UInt8(ascii: "*"):
      if offset < bytes.count, bytes[offset] == UInt8(ascii: "*") {
        throw error(.doubleStar, at: start)
      }
      kind = .star
    case UInt8(ascii: "<"): kind = .comparison(consume("=") ? .lessEqual : .less)
    case UInt8(ascii: ">"): kind = .comparison(consume("=") ? .greaterEqual : .greater)
    case UInt8(ascii: "/"): kind = .slash
    case UInt8(ascii: "^"): kind = .caret
    case UInt8(ascii: "("): kind = .leftParen
    case UInt8(ascii: ")"): kind = .rightParen
    case UInt8(ascii: "{"): kind = .leftBrace
    case UInt8(ascii: "}"): kind = .rightBrace
    case UInt8(ascii: ","): kind = .comma
    case UInt8(ascii: ":"): kind = .colon
    case UInt8(ascii: "="): kind = consume("=") ? .comparison(.equal) : .equals
    case UInt8(ascii: ";"): kind = .semicolon
    case UInt8(ascii: "["):
      var depth = 1
      while offset < bytes.count, depth > 0 {
        if bytes[offset] == UInt8(ascii: "[") { depth += 1 }
        if bytes[offset] == UInt8(ascii: "]") { depth -= 1 }
        offset += 1
      }
      let text = String(decoding: bytes[start..<offset], as: UTF8.self)
      guard depth == 0, let tensor = Tensor(literal: text) else {
        // `A[:, 0]` or `v[i]`: a subscript right after a name or `)`.
        let before = bytes[..<start].last { $0 != UInt8(ascii: " ") }
        let isSubscript =
          before.map { $0 == UInt8(ascii: ")") || Self.isIdentifierStart($0) || Self.isDigit($0) }
          ?? false
        throw error(isSubscript ? .subscriptAfterOperand : .badTensor(text), at: start)
      }
      kind = .tensor(tensor)
    case UInt8(ascii: "\""):
      while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""),
        bytes[offset] != UInt8(ascii: "\n")
      {
        offset += 1
      }
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
        throw error(.unterminatedString, at: start)
      }
      offset += 1
      kind = .string
    case _ where Self.isDigit(byte) || byte == UInt8(ascii: ".") && isDigit(at: offset):
      kind = .number(try scanNumber(from: start))
    case _ where Self.isIdentifierStart(byte):
      while offset < bytes.count,
        Self.isIdentifierStart(bytes[offset]) || Self.isDigit(bytes[offset])
      {
        offset += 1
      }
      kind = .identifier
    default:
      throw error(.unexpectedCharacter(scalar(at: start)), at: start)
    }
    return Token(kind: kind, start: start, end: offset)
  }

  /// Consumes `character` if it comes next.
  private mutating func consume(_ character: Unicode.Scalar) -> Bool {
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: character) else { return false }
    offset += 1
    return true
  }

  /// The maximal run of letters, digits and `_` from here (after blanks):
  /// a shape such as `2x3` or `scalar`, which the number and identifier rules
  /// would split.  Returns the run's start.
  mutating func scanWord() -> (start: Int, text: String) {
    skipBlanks()
    let start = offset
    while offset < bytes.count, Self.isIdentifierStart(bytes[offset]) || Self.isDigit(bytes[offset])
    {
      offset += 1
    }
    return (start, String(decoding: bytes[start..<offset], as: UTF8.self))
  }

  /// `digits [. digits] [e [+-] digits]` or `. digits [e …]`; a number glued
  /// to letters, digits or dots (`1e`, `1.2.3`, `2x`) is malformed.
  private mutating func scanNumber(from start: Int) throws(ParseError) -> Double {
    skipDigits()
    if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
      offset += 1
      skipDigits()
    }
    if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
      var exponent = offset + 1
      if exponent < bytes.count,
        bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-")
      {
        exponent += 1
      }
      if isDigit(at: exponent) {
        offset = exponent
        skipDigits()
      }
    }
    let wellFormed =
      offset >= bytes.count
      || !(Self.isIdentifierStart(bytes[offset]) || Self.isDigit(bytes[offset])
        || bytes[offset] == UInt8(ascii: "."))
    while offset < bytes.count,
      Self.isIdentifierStart(bytes[offset]) || Self.isDigit(bytes[offset])
        || bytes[offset] == UInt8(ascii: ".")
    {
      offset += 1
    }
    let text = String(decoding: bytes[start..<offset], as: UTF8.self)
    guard wellFormed, let value = Double(text), value.isFinite else {
      throw error(.badNumber(text), at: start)
    }
    return value
  }

  private mutating func skipDigits() {
    while isDigit(at: offset) { offset += 1 }
  }

  private mutating func skipBlanks() {
    while offset < bytes.count {
      switch bytes[offset] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        offset += 1
      case UInt8(ascii: "#"):
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
      default:
        return
      }
    }
  }

  /// The Unicode scalar starting at byte `offset` (for messages).
  private func scalar(at offset: Int) -> Character {
    var end = offset + 1
    while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return String(decoding: bytes[offset..<end], as: UTF8.self).first ?? "?"
  }

  private func isDigit(at offset: Int) -> Bool {
    offset < bytes.count && Self.isDigit(bytes[offset])
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  /// ASCII letters and `_`.
  private static func isIdentifierStart(_ byte: UInt8) -> Bool {
    let lower = byte | 0x20
    return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
  }
}
