/// The primitive operations of a graph.  Everything else (subtraction,
/// division, `sigmoid`, `matmul`, …) is sugar over these.
///
/// The set is closed under differentiation: every local derivative in `DerivativeRules.swift`
/// is written with these ops, so `gradient` applies to its own output forever.
///
/// Public on purpose, cases included: a pass outside the library reads a graph's ops
/// (`Graph.op(_:)`) and may switch over them. The set grows (a release may add ops), so a
/// client's `switch` over `Op` or `Op.Kind` needs a `default:` branch to keep compiling;
/// `Op.Kind.category` is the coarse view, which an added op rarely extends.
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
  /// atan2(y, x): the angle of the point (x, y) in (−π, π], NumPy broadcasting.
  case atan2
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
  /// An elementwise op defined outside the library, keyed by its identity.
  case custom(CustomOp)
  /// The same values converted to element type `DType` (rounded to nearest,
  /// ties to even, when narrowing); its derivative converts back.
  case cast(DType)
  /// X = A⁻¹B for square A (…, n, n) and B (…, n, k) with the same leading axes, by LU with
  /// partial pivoting (LAPACK `dgetrf`/`dgetrs`); NaN for an exactly singular A.
  case solve
  /// A⁻¹ of square A (…, n, n), by LU (`dgetrf`/`dgetrs`); NaN for an exactly singular A.
  case inverse
  /// det A of square A (…, n, n), the product of LU's pivots with their sign (`dgetrf`): (…).
  case determinant
  /// The lower-triangular L with L·Lᵀ = S = ½(A + Aᵀ) and a positive diagonal (`dpotrf`), as
  /// `jnp.linalg.cholesky` symmetrizes; NaN when S is not positive definite.
  case cholesky
  /// X = op(T)⁻¹B, T the lower (`lower`) or upper triangle of L (…, n, n) and op(T) = Tᵀ when
  /// `transpose`, B (…, n, k) (`dtrsm`); NaN when T's diagonal holds a 0.
  case triangularSolve(lower: Bool, transpose: Bool)
  /// ln det S of S = ½(A + Aᵀ) positive definite, 2·Σᵢ ln Lᵢᵢ with L = cholesky(A): (…);
  /// NaN when S is not positive definite.
  case logdet
  /// A loop: the body folded over the leading axis of sequences (`ScanSpec`), its stacked
  /// outputs and final carries packed in one vector.
  case scan(ScanSpec)
  /// The receptive fields of a convolution or pool (im2col): shape (…, D, …) ↦ (…, K, O, …),
  /// y[…, k, o, …] = x[…, o·s − b + k·d, …], zero where that is in the padding (`Window`).
  /// Linear; its transpose is `unpatches` with the same window.
  case patches(Window)
  /// The transpose of `patches` (col2im): shape (…, K, O, …) ↦ (…, D, …), each element added
  /// to the position o·s − b + k·d its tap reads, those in the padding dropped.
  case unpatches(Window)
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
    if case .variable(let name) = self {
      return OpInfo(kind, name: name, symbol: name, arity: kind.arity)
    }
    if case .custom(let op) = self {
      return OpInfo(kind, name: op.name, symbol: op.name, arity: .exactly(op.arity))
    }
    return OpInfo(kind, name: kind.name, symbol: symbol, arity: kind.arity)
  }

  /// The symbol drawn for the op in pictures (`+`, `×`, `√`, `^2`).
  private var symbol: String {
    switch self {
    case .variable(let name): name
    case .constant(let t):
      t.isScalar ? formatNumber(t.scalars[0]) : "const \(t.shape.shapeDescription)"
    case .add: "+"
    case .mul: "×"
    case .pow(let c): "^\(formatNumber(c))"
    case .power: "^"
    case .sqrt: "√"
    case .abs: "|·|"
    case .maximum: "max"
    case .minimum: "min"
    case .less: "<"
    case .lessEqual: "≤"
    case .greater: ">"
    case .greaterEqual: "≥"
    case .equal: "="
    case .select: "where"
    case .cbrt: "∛"
    case .exp, .ln, .sin, .cos, .tanh, .sign, .tan, .atan, .asin, .acos, .sinh, .cosh, .erf,
      .log1p, .expm1, .atan2:
      kind.name
    case .einsum(let spec):
      "einsum \(spec.description.replacingOccurrences(of: "->", with: "→"))"
    case .sumTo(let s): "Σ→\(s.shapeDescription)"
    case .broadcastTo(let s): "⇑\(s.shapeDescription)"
    case .reshape(let s): "reshape \(s.shapeDescription)"
    case .reduceMax(let axis): "max axis \(axis)"
    case .slice(let axis, let start, let end): "slice \(axis): \(start)..<\(end)"
    case .pad(let axis, let before, let after): "pad \(axis): \(before), \(after)"
    case .oneHot(let n): "one-hot \(n)"
    case .custom(let op): op.name
    case .cast(let dtype): "→\(dtype.rawValue)"
    case .solve: "solve"
    case .inverse: "⁻¹"
    case .determinant: "det"
    case .cholesky: "chol"
    case .triangularSolve(let lower, let transpose):
      "\(lower ? "L" : "U")\(transpose ? "⁻ᵀ" : "⁻¹")·"
    case .logdet: "logdet"
    case .scan(let spec): "scan \(spec.body.name) ×\(spec.length)"
    case .patches(let w): "patches \(w.kernel.shapeDescription)"
    case .unpatches(let w): "unpatches \(w.kernel.shapeDescription)"
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
    case tan, atan, asin, acos, sinh, cosh, erf, log1p, expm1, cbrt, atan2
    case einsum, sumTo, broadcastTo, reshape, reduceMax, slice, pad, oneHot
    case custom, cast
    case solve, inverse, determinant, cholesky, triangularSolve, logdet
    case scan
    case patches, unpatches
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
    case .atan2: .atan2
    case .einsum: .einsum
    case .sumTo: .sumTo
    case .broadcastTo: .broadcastTo
    case .reshape: .reshape
    case .reduceMax: .reduceMax
    case .slice: .slice
    case .pad: .pad
    case .oneHot: .oneHot
    case .custom: .custom
    case .cast: .cast
    case .solve: .solve
    case .inverse: .inverse
    case .determinant: .determinant
    case .cholesky: .cholesky
    case .triangularSolve: .triangularSolve
    case .logdet: .logdet
    case .scan: .scan
    case .patches: .patches
    case .unpatches: .unpatches
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
    case .atan2: "atan2"
    case .einsum: "einsum"
    case .sumTo: "sum_to"
    case .broadcastTo: "broadcast_to"
    case .reshape: "reshape"
    case .reduceMax: "amax"
    case .slice: "slice"
    case .pad: "pad"
    case .oneHot: "one_hot"
    case .custom: "custom"
    case .cast: "cast"
    case .solve: "solve"
    case .inverse: "inv"
    case .determinant: "det"
    case .cholesky: "cholesky"
    case .triangularSolve: "triangular_solve"
    case .logdet: "logdet"
    case .scan: "scan"
    case .patches: "patches"
    case .unpatches: "unpatches"
    }
  }

  /// The op the parser builds when `name(…)` is called, for kinds called by
  /// their own name; `nil` for kinds reached through operators (`+ * ^`),
  /// library functions (`sum`, `matmul`) or parameters the call cannot give.
  public var callable: Op? {
    switch self {
    case .variable, .constant, .add, .mul, .pow, .power, .einsum, .sumTo, .broadcastTo: nil
    case .reshape, .reduceMax, .slice, .pad, .oneHot: nil  // integer parameters: `Function`
    case .custom: nil  // the user's own (`CustomOp.callAsFunction`)
    case .scan: nil  // a body: `scan step(c, x) { … } over xs from c0`
    case .cast: nil  // a type parameter: `Function`
    case .solve, .triangularSolve: nil  // a vector right-hand side, flags: `Function`
    case .patches, .unpatches: nil  // a window's integers: `Function`
    case .inverse: .inverse
    case .determinant: .determinant
    case .cholesky: .cholesky
    case .logdet: .logdet
    case .less, .lessEqual, .greater, .greaterEqual, .equal: nil  // `<`, `<=`, `>`, `>=`, `==`
    case .abs: .abs
    case .acos: .acos
    case .asin: .asin
    case .atan: .atan
    case .cbrt: .cbrt
    case .atan2: .atan2
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
      .reduceMax, .slice, .pad, .oneHot, .custom, .atan2, .cast, .solve, .inverse, .determinant,
      .cholesky, .triangularSolve, .logdet, .scan, .patches, .unpatches:
      false
    }
  }

  /// Variables and constants.
  public var isLeaf: Bool { category == .leaf }

  /// Whether each output element is computed from the same element of each input
  /// (after broadcasting): the categories fused into one loop.
  public var isElementwise: Bool {
    switch category {
    case .unary, .binary, .variadic, .comparison, .selection, .custom: true
    case .leaf, .contraction, .reduction, .layout, .structured, .linearAlgebra, .loop: false
    }
  }

  /// How many inputs ops of this kind take.
  public var arity: Arity {
    switch category {
    case .leaf: .exactly(0)
    case .unary, .reduction, .layout, .structured: .exactly(1)
    case .binary, .comparison: .exactly(2)
    case .selection: .exactly(3)
    case .variadic: .atLeast(1)
    case .contraction: self == .einsum ? .atLeast(1) : .exactly(1)
    case .custom: .between(1, 3)  // each op its own (`CustomOp.arity`)
    case .linearAlgebra: self == .solve || self == .triangularSolve ? .exactly(2) : .exactly(1)
    case .loop: .atLeast(0)  // each scan its body's parameters
    }
  }
}

extension Op.Kind {
  /// The groups of ops (as tinygrad's `GroupOp`): what an op does to its inputs' elements. The
  /// bookkeeping tables derive from it instead of listing ops — arity, `isLeaf`, the shape of
  /// elementwise ops, how a tensor plan runs an op (`StepClass`), intern hashing, the
  /// simplifier's normal-form marks, listings and element types — so that only the tables
  /// that need a decision (derivative, semantics, intervals, simplifier facts, spellings) name
  /// each op.
  public enum Category: Sendable, CaseIterable {
    /// Variables and constants.
    case leaf
    /// y = f(x) elementwise (`exp`, `pow(c)`): the input's shape.
    case unary
    /// y = f(a, b) elementwise, NumPy broadcasting (`power`, `max`).
    case binary
    /// Sums and products of any number of inputs, NumPy broadcasting; the simplifier keeps them
    /// in normal forms (term → coefficient, base → exponent).
    case variadic
    /// 1 where a relation of two inputs holds, else 0, broadcasting.
    case comparison
    /// where(c, a, b), broadcasting.
    case selection
    /// Sums of products over indices (`einsum`, `sum_to`).
    case contraction
    /// Reduces one axis, which the result drops (`amax`).
    case reduction
    /// Moves, repeats or drops elements without arithmetic (`reshape`, `broadcast_to`, `slice`,
    /// `pad`).
    case layout
    /// Builds a structured tensor from its input (`one_hot`, the windows of a convolution:
    /// `patches` and `unpatches`).
    case structured
    /// An elementwise op of 1 to 3 inputs defined outside the library (`CustomOp`).
    case custom
    /// A matrix function of the last two axes, batched over the leading ones, computed by
    /// LAPACK (`solve`, `cholesky`, `logdet`).
    case linearAlgebra
    /// A loop over a body graph (`scan`): its inputs are the body's carries, sequences and
    /// closed-over values, its value the stacked outputs and final carries, packed.
    case loop
  }

  /// The kind's category: the one table the bookkeeping derives from.
  public var category: Category {
    switch self {
    case .variable, .constant: .leaf
    case .pow, .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs, .sign, .tan, .atan, .asin, .acos, .sinh,
      .cosh, .erf, .log1p, .expm1, .cbrt, .cast:
      .unary
    case .power, .maximum, .minimum, .atan2: .binary
    case .add, .mul: .variadic
    case .less, .lessEqual, .greater, .greaterEqual, .equal: .comparison
    case .select: .selection
    case .einsum, .sumTo: .contraction
    case .reduceMax: .reduction
    case .reshape, .broadcastTo, .slice, .pad: .layout
    case .oneHot, .patches, .unpatches: .structured
    case .custom: .custom
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet: .linearAlgebra
    case .scan: .loop
    }
  }
}

extension Op {
  /// A non-elementwise op with its parameters: the ops whose shape rule, tensor-plan step and
  /// listing are decisions of their own.  Every table that handles them switches over this,
  /// so a new one fails to build until each knows it, while elementwise ops (derived from their
  /// category) appear in none of them.
  public enum Structure: Sendable {
    case einsum(EinsumSpec)
    case sumTo(Shape)
    case broadcastTo(Shape)
    case reshape(Shape)
    case reduceMax(axis: Int)
    case slice(axis: Int, start: Int, end: Int)
    case pad(axis: Int, before: Int, after: Int)
    case oneHot(Int)
    case patches(Window)
    case unpatches(Window)
    case matrix(MatrixFunction)
    case scan(ScanSpec)
  }

  /// The op as a `Structure`; `nil` for leaves and elementwise ops.
  public var structure: Structure? {
    switch self {
    case .einsum(let spec): .einsum(spec)
    case .sumTo(let s): .sumTo(s)
    case .broadcastTo(let s): .broadcastTo(s)
    case .reshape(let s): .reshape(s)
    case .reduceMax(let axis): .reduceMax(axis: axis)
    case .slice(let axis, let start, let end): .slice(axis: axis, start: start, end: end)
    case .pad(let axis, let before, let after): .pad(axis: axis, before: before, after: after)
    case .oneHot(let n): .oneHot(n)
    case .solve: .matrix(.solve)
    case .inverse: .matrix(.inverse)
    case .determinant: .matrix(.determinant)
    case .cholesky: .matrix(.cholesky)
    case .triangularSolve(let lower, let transpose):
      .matrix(.triangularSolve(lower: lower, transpose: transpose))
    case .logdet: .matrix(.logdet)
    case .scan(let spec): .scan(spec)
    case .patches(let w): .patches(w)
    case .unpatches(let w): .unpatches(w)
    case .variable, .constant, .add, .mul, .pow, .power, .exp, .ln, .sqrt, .sin, .cos, .tanh,
      .abs, .sign, .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal,
      .select, .tan, .atan, .asin, .acos, .sinh, .cosh, .erf, .log1p, .expm1, .cbrt, .custom,
      .atan2, .cast:
      nil
    }
  }
}

/// A linear-algebra op with its parameters (`Op.Structure.matrix`): the tables of the
/// linear-algebra ops (kernels, shapes, derivatives, spellings) switch over it.
public enum MatrixFunction: Sendable, Hashable {
  case solve
  case inverse
  case determinant
  case cholesky
  case triangularSolve(lower: Bool, transpose: Bool)
  case logdet
}

extension Op {
  /// The op as a `MatrixFunction`; `nil` for the other ops.
  var matrixFunction: MatrixFunction? {
    if case .matrix(let f) = structure { f } else { nil }
  }
}
