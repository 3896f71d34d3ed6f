/// One lexical token: its kind and where it sits in the source (UTF-8 byte
/// offsets, so a 10 MB input is never copied into substrings).
struct Token {
  enum Kind: Equatable {
    case number(Double)
    /// A nested array of numbers, `[[1, 2], [3, 4]]`: a tensor constant.
    case tensor(Tensor)
    case identifier
    /// A double-quoted string (only einsum's subscripts use one).
    case string
    case plus, minus, star, slash, caret
    case leftParen, rightParen, comma, colon, equals, semicolon
    /// `{` `}` around a `scope name { … }` block.
    case leftBrace, rightBrace
    case newline
    case end
  }

  let kind: Kind
  /// Byte offsets of the token's first byte and one past its last.
  let start: Int
  let end: Int
}

extension Token.Kind {
  /// How an error message names the token (`'+'`, `end of input`).
  func describe(_ text: String) -> String {
    let text = displayText(text, limit: 40)
    return switch self {
    case .number: "number '\(text)'"
    case .tensor: "tensor \(text)"
    case .identifier: "'\(text)'"
    case .string: "string \(text)"
    case .newline: "end of line"
    case .end: "end of input"
    default: "'\(text)'"
    }
  }

  /// Binding power and associativity of a binary operator token.
  var binaryOperator: BinaryOperator? {
    switch self {
    case .plus: .add
    case .minus: .subtract
    case .star: .multiply
    case .slash: .divide
    case .caret: .power
    default: nil
    }
  }
}

/// The binary operators, loosest first.
enum BinaryOperator {
  case add, subtract, multiply, divide, power

  /// Binding power: `+ -` 1, `* /` 2, (prefix `-` 3), `^` 4.
  var precedence: Int {
    switch self {
    case .add, .subtract: 1
    case .multiply, .divide: 2
    case .power: 4
    }
  }

  var isRightAssociative: Bool { self == .power }
}
