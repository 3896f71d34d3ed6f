/// The primitive operations of a graph.  Everything else (subtraction,
/// division, `sigmoid`, `matmul`, …) is sugar over these.
///
/// The set is closed under differentiation: every local derivative in `DerivativeRules.swift`
/// is written with these ops, so `gradient` applies to its own output forever.
public enum Op: Hashable, Sendable {
  /// A named input with a static shape.
  case variable(String)
  /// A literal tensor (scalar or not), keyed by bit pattern.
  case constant(Tensor)
  /// Σ inputs, n-ary, NumPy broadcasting.
  case add
  /// Π inputs, n-ary, NumPy broadcasting.
  case mul
  /// x^c for a constant exponent c; exact for integer c and negative x.
  case pow(Double)
  case exp
  case ln
  case sqrt
  case sin
  case cos
  case tanh
  /// A tensor contraction over any number of operands.
  case einsum(EinsumSpec)
  /// Sums a tensor down to a shape it broadcasts from (undoes broadcasting).
  case sumTo(Shape)
  /// Repeats a tensor up to a shape it broadcasts to.
  case broadcastTo(Shape)
}

/// How many inputs an op takes.
public enum Arity: Sendable, Equatable {
  case exactly(Int)
  case atLeast(Int)

  func accepts(_ count: Int) -> Bool {
    switch self {
    case .exactly(let n): count == n
    case .atLeast(let n): count >= n
    }
  }
}

/// The one table that gives each op its name, its symbol for pictures and
/// listings, and its arity (ARCHITECTURE.md invariant 5).  The parser, the text
/// listing and the DOT encoder all read it.
public struct OpInfo: Sendable {
  /// Identifier used in listings and by the parser (`exp`, `add`).
  public let name: String
  /// Mathematical symbol for pictures (`+`, `×`, `√`).
  public let symbol: String
  public let arity: Arity
  /// Whether input order is irrelevant (inputs are sorted when interned).
  public let isCommutative: Bool
}

extension Op {
  public var info: OpInfo {
    switch self {
    case .variable(let name):
      OpInfo(name: name, symbol: name, arity: .exactly(0), isCommutative: false)
    case .constant(let t):
      OpInfo(
        name: "const",
        symbol: t.isScalar ? formatNumber(t.scalars[0]) : "const \(t.shape.shapeDescription)",
        arity: .exactly(0), isCommutative: false)
    case .add: OpInfo(name: "add", symbol: "+", arity: .atLeast(1), isCommutative: true)
    case .mul: OpInfo(name: "mul", symbol: "×", arity: .atLeast(1), isCommutative: true)
    case .pow(let c):
      OpInfo(name: "pow", symbol: "^\(formatNumber(c))", arity: .exactly(1), isCommutative: false)
    case .exp: OpInfo(name: "exp", symbol: "exp", arity: .exactly(1), isCommutative: false)
    case .ln: OpInfo(name: "ln", symbol: "ln", arity: .exactly(1), isCommutative: false)
    case .sqrt: OpInfo(name: "sqrt", symbol: "√", arity: .exactly(1), isCommutative: false)
    case .sin: OpInfo(name: "sin", symbol: "sin", arity: .exactly(1), isCommutative: false)
    case .cos: OpInfo(name: "cos", symbol: "cos", arity: .exactly(1), isCommutative: false)
    case .tanh: OpInfo(name: "tanh", symbol: "tanh", arity: .exactly(1), isCommutative: false)
    case .einsum(let spec):
      OpInfo(
        name: "einsum",
        symbol: "einsum \(spec.description.replacingOccurrences(of: "->", with: "→"))",
        arity: .atLeast(1), isCommutative: false)
    case .sumTo(let s):
      OpInfo(
        name: "sum_to", symbol: "Σ→\(s.shapeDescription)", arity: .exactly(1), isCommutative: false)
    case .broadcastTo(let s):
      OpInfo(
        name: "broadcast_to", symbol: "⇑\(s.shapeDescription)", arity: .exactly(1),
        isCommutative: false)
    }
  }

  /// Whether the op is a leaf (variable or constant).
  public var isLeaf: Bool {
    switch self {
    case .variable, .constant: true
    default: false
    }
  }

  /// The unary elementwise functions, by their parser name.
  public static let elementwise: [String: Op] = [
    "exp": .exp, "ln": .ln, "sqrt": .sqrt, "sin": .sin, "cos": .cos, "tanh": .tanh,
  ]
}
