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
    case comparison(Comparison)
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
    case .comparison(let c): .compare(c)
    default: nil
    }
  }
}

/// The binary operators, loosest first.
enum BinaryOperator: Equatable {
  case compare(Comparison)
  case add, subtract, multiply, divide, power

  /// Binding power: comparisons 1, `+ -` 2, `* /` 3, (prefix `-` 4), `^` 5.
  var precedence: Int {
    switch self {
    case .compare: 1
    case .add, .subtract: 2
    case .multiply, .divide: 3
    case .power: 5
    }
  }

  /// Binding power of prefix `-`.
  static let negationPrecedence = 4

  var isRightAssociative: Bool { self == .power }
}

/// The comparison operators and the mask ops they build (1 where true, else 0).
enum Comparison: CaseIterable, Equatable {
  case less, lessEqual, greater, greaterEqual, equal

  init?(_ kind: Op.Kind) {
    guard let c = Self.allCases.first(where: { $0.op.kind == kind }) else { return nil }
    self = c
  }

  var op: Op {
    switch self {
    case .less: .less
    case .lessEqual: .lessEqual
    case .greater: .greater
    case .greaterEqual: .greaterEqual
    case .equal: .equal
    }
  }

  var spelling: String {
    switch self {
    case .less: "<"
    case .lessEqual: "<="
    case .greater: ">"
    case .greaterEqual: ">="
    case .equal: "=="
    }
  }
}

extension Token {
  /// Whether the token ends an item of a scan's lists when it follows a complete operand: a
  /// `,`, the body's `}`, or a word (`over xs from h0`).
  var endsListItem: Bool {
    switch kind {
    case .comma, .rightBrace, .identifier: true
    default: false
    }
  }
}
