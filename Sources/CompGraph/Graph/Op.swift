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
  /// x^y for a variable exponent y, NumPy broadcasting; exact for integer y
  /// and negative x ((−2)³ = −8), NaN for a non-integer power of a negative x.
  case power
  case exp
  case ln
  case sqrt
  case sin
  case cos
  case tanh
  /// |x|.
  case abs
  /// sign x ∈ {−1, 0, 1} (0 at ±0; NaN at NaN).
  case sign
  /// max(a, b), NumPy broadcasting: a where a ≥ b, else b; NaN if either is.
  case maximum
  /// min(a, b), NumPy broadcasting: a where a ≤ b, else b; NaN if either is.
  case minimum
  /// 1 where a < b, else 0 (0 when either is NaN), NumPy broadcasting.
  case less
  /// 1 where a ≤ b, else 0.
  case lessEqual
  /// 1 where a > b, else 0.
  case greater
  /// 1 where a ≥ b, else 0.
  case greaterEqual
  /// 1 where a = b, else 0.
  case equal
  /// where(c, a, b): a where c ≠ 0 (NaN counts as true), else b; broadcasting.
  case select
  case tan
  case atan
  case asin
  case acos
  case sinh
  case cosh
  /// erf x = 2/√π ∫₀ˣ e^(−t²) dt.
  case erf
  /// ln(1 + x), accurate for small x.
  case log1p
  /// eˣ − 1, accurate for small x.
  case expm1
  /// ∛x, real for negative x (∛−8 = −2).
  case cbrt
  /// A tensor contraction over any number of operands.
  case einsum(EinsumSpec)
  /// Sums a tensor down to a shape it broadcasts from (undoes broadcasting).
  case sumTo(Shape)
  /// Repeats a tensor up to a shape it broadcasts to.
  case broadcastTo(Shape)
  /// The same elements (row-major) with another shape of the same size.
  case reshape(Shape)
  /// The largest element along `axis`, which the result drops.
  case reduceMax(axis: Int)
  /// Elements `start..<end` along `axis`.
  case slice(axis: Int, start: Int, end: Int)
  /// Zeros added before and after the elements along `axis` (the transpose of `slice`).
  case pad(axis: Int, before: Int, after: Int)
  /// One-hot rows of `n` for integer indices: shape s ↦ s + [n], row i is
  /// e_k for index k (all zeros for an index outside 0..<n or not an integer).
  case oneHot(Int)
}

/// How many inputs an op takes.
public enum Arity: Sendable, Equatable {
  case exactly(Int)
  /// From the first number to the second, inclusive.
  case between(Int, Int)
  case atLeast(Int)

  /// The fewest inputs it takes.
  var minimum: Int {
    switch self {
    case .exactly(let n), .between(let n, _), .atLeast(let n): n
    }
  }

  func accepts(_ count: Int) -> Bool {
    switch self {
    case .exactly(let n): count == n
    case .between(let low, let high): count >= low && count <= high
    case .atLeast(let n): count >= n
    }
  }
}

/// The one table that gives each op its symbol for pictures and listings and
/// its arity (ARCHITECTURE.md invariant 5), with its kind's name.  The parser, the
/// text listing and the DOT encoder all read it.
public struct OpInfo: Sendable {
  /// Identifier used in listings and by the parser (`exp`, `add`).
  public let name: String
  /// Mathematical symbol for pictures (`+`, `×`, `√`).
  public let symbol: String
  public let arity: Arity
  /// Whether input order is irrelevant (inputs are sorted when interned).
  public let isCommutative: Bool

  init(_ kind: Op.Kind, name: String, symbol: String, arity: Arity) {
    self.name = name
    self.symbol = symbol
    self.arity = arity
    self.isCommutative = kind.isCommutative
  }
}

extension Op {
  public var info: OpInfo {
    switch self {
    case .variable(let name):
      OpInfo(kind, name: name, symbol: name, arity: .exactly(0))
    case .constant(let t):
      OpInfo(
        kind, name: kind.name,
        symbol: t.isScalar ? formatNumber(t.scalars[0]) : "const \(t.shape.shapeDescription)",
        arity: .exactly(0))
    case .add: OpInfo(kind, name: kind.name, symbol: "+", arity: .atLeast(1))
    case .mul: OpInfo(kind, name: kind.name, symbol: "×", arity: .atLeast(1))
    case .pow(let c):
      OpInfo(
        kind, name: kind.name, symbol: "^\(formatNumber(c))", arity: .exactly(1))
    case .power: OpInfo(kind, name: kind.name, symbol: "^", arity: .exactly(2))
    case .exp: OpInfo(kind, name: kind.name, symbol: "exp", arity: .exactly(1))
    case .ln: OpInfo(kind, name: kind.name, symbol: "ln", arity: .exactly(1))
    case .sqrt: OpInfo(kind, name: kind.name, symbol: "√", arity: .exactly(1))
    case .sin: OpInfo(kind, name: kind.name, symbol: "sin", arity: .exactly(1))
    case .cos: OpInfo(kind, name: kind.name, symbol: "cos", arity: .exactly(1))
    case .tanh: OpInfo(kind, name: kind.name, symbol: "tanh", arity: .exactly(1))
    case .abs: OpInfo(kind, name: kind.name, symbol: "|·|", arity: .exactly(1))
    case .sign: OpInfo(kind, name: kind.name, symbol: "sign", arity: .exactly(1))
    case .maximum: OpInfo(kind, name: kind.name, symbol: "max", arity: .exactly(2))
    case .minimum: OpInfo(kind, name: kind.name, symbol: "min", arity: .exactly(2))
    case .less: OpInfo(kind, name: kind.name, symbol: "<", arity: .exactly(2))
    case .lessEqual: OpInfo(kind, name: kind.name, symbol: "≤", arity: .exactly(2))
    case .greater: OpInfo(kind, name: kind.name, symbol: ">", arity: .exactly(2))
    case .greaterEqual:
      OpInfo(kind, name: kind.name, symbol: "≥", arity: .exactly(2))
    case .equal: OpInfo(kind, name: kind.name, symbol: "=", arity: .exactly(2))
    case .select: OpInfo(kind, name: kind.name, symbol: "where", arity: .exactly(3))
    case .tan: OpInfo(kind, name: kind.name, symbol: "tan", arity: .exactly(1))
    case .atan: OpInfo(kind, name: kind.name, symbol: "atan", arity: .exactly(1))
    case .asin: OpInfo(kind, name: kind.name, symbol: "asin", arity: .exactly(1))
    case .acos: OpInfo(kind, name: kind.name, symbol: "acos", arity: .exactly(1))
    case .sinh: OpInfo(kind, name: kind.name, symbol: "sinh", arity: .exactly(1))
    case .cosh: OpInfo(kind, name: kind.name, symbol: "cosh", arity: .exactly(1))
    case .erf: OpInfo(kind, name: kind.name, symbol: "erf", arity: .exactly(1))
    case .log1p: OpInfo(kind, name: kind.name, symbol: "log1p", arity: .exactly(1))
    case .expm1: OpInfo(kind, name: kind.name, symbol: "expm1", arity: .exactly(1))
    case .cbrt: OpInfo(kind, name: kind.name, symbol: "∛", arity: .exactly(1))
    case .einsum(let spec):
      OpInfo(
        kind, name: kind.name,
        symbol: "einsum \(spec.description.replacingOccurrences(of: "->", with: "→"))",
        arity: .atLeast(1))
    case .sumTo(let s):
      OpInfo(
        kind, name: kind.name, symbol: "Σ→\(s.shapeDescription)", arity: .exactly(1))
    case .broadcastTo(let s):
      OpInfo(
        kind, name: kind.name, symbol: "⇑\(s.shapeDescription)", arity: .exactly(1))
    case .reshape(let s):
      OpInfo(
        kind, name: kind.name, symbol: "reshape \(s.shapeDescription)", arity: .exactly(1))
    case .reduceMax(let axis):
      OpInfo(kind, name: kind.name, symbol: "max axis \(axis)", arity: .exactly(1))
    case .slice(let axis, let start, let end):
      OpInfo(
        kind, name: kind.name, symbol: "slice \(axis): \(start)..<\(end)", arity: .exactly(1))
    case .pad(let axis, let before, let after):
      OpInfo(
        kind, name: kind.name, symbol: "pad \(axis): \(before), \(after)", arity: .exactly(1))
    case .oneHot(let n):
      OpInfo(kind, name: kind.name, symbol: "one-hot \(n)", arity: .exactly(1))
    }
  }

  /// Whether the op is a leaf (variable or constant).
  public var isLeaf: Bool { kind.isLeaf }

  /// The ops the expression language calls by their name, with their
  /// inputs as arguments (`exp(x)`), derived from the kinds.
  public static let callable: [String: Op] = Dictionary(
    uniqueKeysWithValues: Kind.allCases.compactMap { kind in kind.callable.map { (kind.name, $0) } }
  )
}

extension Op {
  /// The op without its parameters: the key of every op-keyed table (rule
  /// indexes, pattern heads, parser names, the per-op test table).  Adding a
  /// case to `Op` fails to build until `kind` and the tables below know it.
  public enum Kind: UInt8, CaseIterable, Sendable {
    case variable, constant, add, mul, pow, power, exp, ln, sqrt, sin, cos, tanh
    case abs, sign, maximum, minimum, less, lessEqual, greater, greaterEqual, equal, select
    case tan, atan, asin, acos, sinh, cosh, erf, log1p, expm1, cbrt
    case einsum, sumTo, broadcastTo, reshape, reduceMax, slice, pad, oneHot
  }

  public var kind: Kind {
    switch self {
    case .variable: .variable
    case .constant: .constant
    case .add: .add
    case .mul: .mul
    case .pow: .pow
    case .power: .power
    case .exp: .exp
    case .ln: .ln
    case .sqrt: .sqrt
    case .sin: .sin
    case .cos: .cos
    case .tanh: .tanh
    case .abs: .abs
    case .sign: .sign
    case .maximum: .maximum
    case .minimum: .minimum
    case .less: .less
    case .lessEqual: .lessEqual
    case .greater: .greater
    case .greaterEqual: .greaterEqual
    case .equal: .equal
    case .select: .select
    case .tan: .tan
    case .atan: .atan
    case .asin: .asin
    case .acos: .acos
    case .sinh: .sinh
    case .cosh: .cosh
    case .erf: .erf
    case .log1p: .log1p
    case .expm1: .expm1
    case .cbrt: .cbrt
    case .einsum: .einsum
    case .sumTo: .sumTo
    case .broadcastTo: .broadcastTo
    case .reshape: .reshape
    case .reduceMax: .reduceMax
    case .slice: .slice
    case .pad: .pad
    case .oneHot: .oneHot
    }
  }
}

extension Op.Kind {
  /// The name in listings, rule traces and (for callable kinds) the parser.
  public var name: String {
    switch self {
    case .variable: "variable"
    case .constant: "const"
    case .add: "add"
    case .mul: "mul"
    case .pow: "pow"
    case .power: "power"
    case .exp: "exp"
    case .ln: "ln"
    case .sqrt: "sqrt"
    case .sin: "sin"
    case .cos: "cos"
    case .tanh: "tanh"
    case .abs: "abs"
    case .sign: "sign"
    case .maximum: "max"
    case .minimum: "min"
    case .less: "less"
    case .lessEqual: "less_equal"
    case .greater: "greater"
    case .greaterEqual: "greater_equal"
    case .equal: "equal"
    case .select: "where"
    case .tan: "tan"
    case .atan: "atan"
    case .asin: "asin"
    case .acos: "acos"
    case .sinh: "sinh"
    case .cosh: "cosh"
    case .erf: "erf"
    case .log1p: "log1p"
    case .expm1: "expm1"
    case .cbrt: "cbrt"
    case .einsum: "einsum"
    case .sumTo: "sum_to"
    case .broadcastTo: "broadcast_to"
    case .reshape: "reshape"
    case .reduceMax: "amax"
    case .slice: "slice"
    case .pad: "pad"
    case .oneHot: "one_hot"
    }
  }

  /// The op the parser builds when `name(…)` is called, for kinds called by
  /// their own name; `nil` for kinds reached through operators (`+ * ^`),
  /// library functions (`sum`, `matmul`) or parameters the call cannot give.
  public var callable: Op? {
    switch self {
    case .variable, .constant, .add, .mul, .pow, .power, .einsum, .sumTo, .broadcastTo: nil
    case .reshape, .reduceMax, .slice, .pad, .oneHot: nil  // integer parameters: `Function`
    case .less, .lessEqual, .greater, .greaterEqual, .equal: nil  // `<`, `<=`, `>`, `>=`, `==`
    case .abs: .abs
    case .acos: .acos
    case .asin: .asin
    case .atan: .atan
    case .cbrt: .cbrt
    case .cos: .cos
    case .cosh: .cosh
    case .erf: .erf
    case .exp: .exp
    case .expm1: .expm1
    case .ln: .ln
    case .log1p: .log1p
    case .maximum: .maximum
    case .minimum: .minimum
    case .select: .select
    case .sign: .sign
    case .sin: .sin
    case .sinh: .sinh
    case .sqrt: .sqrt
    case .tan: .tan
    case .tanh: .tanh
    }
  }

  /// Whether input order is irrelevant (inputs are sorted when interned).
  public var isCommutative: Bool {
    switch self {
    case .add, .mul, .equal: true
    case .variable, .constant, .pow, .power, .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs, .sign,
      .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .select, .tan, .atan, .asin,
      .acos, .sinh, .cosh, .erf, .log1p, .expm1, .cbrt, .einsum, .sumTo, .broadcastTo, .reshape,
      .reduceMax, .slice, .pad, .oneHot:
      false
    }
  }

  /// Variables and constants.
  public var isLeaf: Bool {
    switch self {
    case .variable, .constant: true
    case .add, .mul, .pow, .power, .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs, .sign, .maximum,
      .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .select, .tan, .atan, .asin,
      .acos, .sinh, .cosh, .erf, .log1p, .expm1, .cbrt, .einsum, .sumTo, .broadcastTo, .reshape,
      .reduceMax, .slice, .pad, .oneHot:
      false
    }
  }
}
