/// How each elementwise op is written outside the library: one row per op, the one table
/// (ARCHITECTURE.md invariant 5) that every writer reads — the text formats (`Graph.text`,
/// `Graph.infixLines`), the C export and the native backend (`cExpression`), `Program`'s kernels
/// (`Sources/CKernels/include/cg_elementwise.h`, generated from the rows by
/// `elementwiseKernelHeader`), the C names the export reserves (`CNames`) and the ONNX export
/// (`ONNXLowering`).
///
/// The sums, products, constant powers and casts are written as operators with their own
/// rules (`2*x/y^2`, `x**3`, `(float)(x)`), and the ops that are not elementwise by their
/// structure (`Op.Structure`): they have no row.  A custom op carries its own spellings.
struct Spelling: Sendable {
  /// The C library function the C text calls (`log` for ln), if it calls one: a name the C
  /// export reserves.
  let libm: String?
  /// In the expression language, which `parseProgram` reads back.
  let compgraph: Template
  /// In LaTeX maths.
  let latex: Template
  /// In Python with NumPy as `np`.
  let numpy: Template
  /// In Python with `jax.numpy` as `jnp`.
  let jax: Template
  /// In C99 on doubles needing only libm (the statements of `--format c`).
  let c: Template
  /// The ONNX operator, or the nodes that compute the op where ONNX has none.
  let onnx: ONNXSpelling
  /// Whether onnxruntime's CPU provider runs `onnx` in float64; it runs Atan, Asin, Acos and Erf
  /// in float32 only, so the tests check such models in ONNX's reference evaluator instead.
  let onnxruntimeFloat64: Bool
  /// What `Program`'s kernels compute, in C on `$0 $1 $2` with the helpers of `cg_math.h`
  /// (`exp_inline`): the kernels in `kernels.c` and the emitted C (`cExpression`) both use it, so
  /// they agree to the last bit.
  let kernel: Template
  /// Whether `kernel` vectorises (`LANES` in `kernels.c`) or calls libm for each element (`CALLS`).
  let vectorises: Bool
  /// What `Program`'s kernels compute for f32 values (`cg_run_f32` in `kernels_f32.c`, and the
  /// emitted C for f32 nodes), in C on floats with the helpers of `cg_math_f32.h`
  /// (`expf_inline`); by default the f64 libm function of the operands widened, rounded once
  /// (`(float)erf((double)$0)`), as the reference evaluator computes an f32 node.
  let kernelF32: Template
  /// The most f32 ulps by which `kernelF32` differs from `kernel`'s value on the same operands
  /// rounded to f32 (0: it is that value, bit for bit), as `F32KernelTests` measures it for every
  /// row.
  let ulpsF32: Int

  /// A row; `compgraph` defaults to the kind's name called on its operands, `jax` to `numpy`'s
  /// text with `jnp.` for `np.` (jax.numpy has NumPy's names), `c` to `libm` called on the
  /// operands, `kernelF32` to `libm` called on the widened operands and rounded.
  init(
    _ kind: Op.Kind, libm: String?, compgraph: String? = nil, latex: String, numpy: String,
    jax: String? = nil, c: String? = nil, onnx: ONNXSpelling, onnxruntimeFloat64: Bool = true,
    kernel: String, vectorises: Bool, kernelF32: String? = nil, ulpsF32: Int = 0
  ) {
    let operands = (0..<kind.arity.minimum).map { "$\($0)" }.joined(separator: ", ")
    let widened = (0..<kind.arity.minimum).map { "(double)$\($0)" }.joined(separator: ", ")
    self.libm = libm
    self.compgraph = Template(compgraph ?? "\(kind.name)(\(operands))")
    self.latex = Template(latex)
    self.numpy = Template(numpy)
    self.jax = Template(jax ?? numpy.replacingOccurrences(of: "np.", with: "jnp."))
    self.c = Template(c ?? libm.map { "\($0)(\(operands))" } ?? "")
    self.onnx = onnx
    self.onnxruntimeFloat64 = onnxruntimeFloat64
    self.kernel = Template(kernel)
    self.vectorises = vectorises
    self.kernelF32 = Template(kernelF32 ?? libm.map { "(float)\($0)(\(widened))" } ?? "")
    self.ulpsF32 = ulpsF32
  }

  /// A comparison's row from its relation as C, NumPy and the expression language write it: LaTeX
  /// writes Iverson's bracket, ONNX the operator's boolean cast to the node's type.
  static func comparison(_ kind: Op.Kind, _ relation: String, latex: String, onnx: String)
    -> Spelling
  {
    Spelling(
      kind, libm: nil, compgraph: "comparison: $0 \(relation) $1",
      latex: #"\left[$0 "# + latex + #" $1\right]"#, numpy: "np.where($0 \(relation) $1, 1.0, 0.0)",
      c: "($0 \(relation) $1 ? 1.0 : 0.0)",
      onnx: .composition(["bool = \(onnx)($0, $1)", "Cast(bool; to=type)"]),
      kernel: "$0 \(relation) $1 ? 1.0 : 0.0", vectorises: true,
      kernelF32: "$0 \(relation) $1 ? 1.0f : 0.0f")
  }

  /// The spelling in a text format.
  func template(_ format: TextFormat) -> Template {
    switch format {
    case .compgraph: compgraph
    case .latex: latex
    case .python: numpy
    case .jax: jax
    case .c: c
    }
  }

  /// The rows, by kind (`nil` for kinds without one).
  static let rows: [Spelling?] = Op.Kind.allCases.map(\.row)

  /// The libm functions the rows' C text calls.
  static let libmNames = Set(rows.compactMap { $0?.libm })
}

extension Op.Kind {
  /// The kind's spelling row; `nil` for the kinds the writers spell by their own rules.
  var spelling: Spelling? { Spelling.rows[Int(rawValue)] }

  /// The table: a new kind fails to build until it is here.  `$k` in a spelling is operand k:
  /// see `Template` for the forms `$=k`, `$^k` and `$+k`.
  fileprivate var row: Spelling? {
    switch self {
    case .variable, .constant, .add, .mul, .pow, .cast, .custom: nil
    case .einsum, .sumTo, .broadcastTo, .reshape, .reduceMax, .slice, .pad, .oneHot: nil
    case .patches, .unpatches: nil
    case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet: nil
    case .scan: nil
    case .exp:
      Spelling(
        self, libm: "exp", latex: "power: e^{$0}", numpy: "np.exp($0)", onnx: .op("Exp"),
        kernel: "exp_inline($0)", vectorises: true,
        kernelF32: "expf_inline($0)", ulpsF32: 1)
    case .ln:
      Spelling(
        self, libm: "log", latex: #"\ln{\left($0\right)}"#, numpy: "np.log($0)", onnx: .op("Log"),
        kernel: "log_inline($0)", vectorises: true,
        kernelF32: "logf_inline($0)", ulpsF32: 1)
    case .sqrt:
      Spelling(
        self, libm: "sqrt", latex: #"\sqrt{$0}"#, numpy: "np.sqrt($0)", onnx: .op("Sqrt"),
        kernel: "sqrt($0)", vectorises: true,
        kernelF32: "sqrtf($0)")
    case .sin:
      Spelling(
        self, libm: "sin", latex: #"\sin{\left($0\right)}"#, numpy: "np.sin($0)", onnx: .op("Sin"),
        kernel: "sin($0)", vectorises: false)
    case .cos:
      Spelling(
        self, libm: "cos", latex: #"\cos{\left($0\right)}"#, numpy: "np.cos($0)", onnx: .op("Cos"),
        kernel: "cos($0)", vectorises: false)
    case .tanh:
      Spelling(
        self, libm: "tanh", latex: #"\tanh{\left($0\right)}"#, numpy: "np.tanh($0)",
        onnx: .op("Tanh"), kernel: "tanh_inline($0)", vectorises: true,
        kernelF32: "tanhf_inline($0)", ulpsF32: 2)
    case .abs:
      Spelling(
        self, libm: "fabs", latex: #"\left|$0\right|"#, numpy: "np.abs($0)", onnx: .op("Abs"),
        kernel: "fabs($0)", vectorises: true,
        kernelF32: "fabsf($0)")
    // C has no expression for sign that reads its operand once: `repeatedInC` names it.
    case .sign:
      Spelling(
        self, libm: nil, latex: #"\operatorname{sign}{\left($0\right)}"#, numpy: "np.sign($0)",
        c: "($0 > 0 ? 1.0 : ($0 < 0 ? -1.0 : ($0 == 0 ? 0.0 : $0)))", onnx: .op("Sign"),
        kernel: "sign_inline($0)", vectorises: true,
        kernelF32: "signf_inline($0)")
    // NaN if either is, ties to the first (C's fmax and fmin drop a NaN).
    case .maximum:
      Spelling(
        self, libm: nil, compgraph: "max($=0, $=1)", latex: #"\max\left($0, $1\right)"#,
        numpy: "np.maximum($0, $1)",
        c: "($0 != $0 || $1 != $1 ? $0 + $1 : ($0 >= $1 ? $0 : $1))", onnx: .op("Max"),
        kernel: "max_inline($0, $1)", vectorises: true,
        kernelF32: "maxf_inline($0, $1)")
    case .minimum:
      Spelling(
        self, libm: nil, compgraph: "min($=0, $=1)", latex: #"\min\left($0, $1\right)"#,
        numpy: "np.minimum($0, $1)",
        c: "($0 != $0 || $1 != $1 ? $0 + $1 : ($0 <= $1 ? $0 : $1))", onnx: .op("Min"),
        kernel: "min_inline($0, $1)", vectorises: true,
        kernelF32: "minf_inline($0, $1)")
    // x^y: an operator but in C.
    case .power:
      Spelling(
        self, libm: "pow", compgraph: "power: $^0^$^1", latex: "power: $^0^{$1}",
        numpy: "power: $^0**$^1", onnx: .op("Pow"), kernel: "pow($0, $1)", vectorises: false)
    // 1.0 where the relation holds, else 0.0.
    case .less: .comparison(self, "<", latex: "<", onnx: "Less")
    case .lessEqual: .comparison(self, "<=", latex: #"\le"#, onnx: "LessOrEqual")
    case .greater: .comparison(self, ">", latex: ">", onnx: "Greater")
    case .greaterEqual: .comparison(self, ">=", latex: #"\ge"#, onnx: "GreaterOrEqual")
    case .equal: .comparison(self, "==", latex: "=", onnx: "Equal")
    // where(c, a, b): a where c ≠ 0, NaN included (a cast to bool is true).
    case .select:
      Spelling(
        self, libm: nil, compgraph: "where($=0, $=1, $=2)",
        latex: #"\begin{cases} $1 & \text{if } $0 \neq 0 \\ $2 & \text{otherwise} \end{cases}"#,
        numpy: "np.where($0 != 0, $1, $2)", c: "($0 != 0 ? $1 : $2)",
        onnx: .composition(["condition = Cast($0; to=bool)", "Where(condition, $1, $2)"]),
        kernel: "$0 != 0 ? $1 : $2", vectorises: true,
        kernelF32: "$0 != 0 ? $1 : $2")
    // onnxruntime has no float64 Tan, Sinh or Cosh: written with ops it runs, as accurately.
    case .tan:
      Spelling(
        self, libm: "tan", latex: #"\tan{\left($0\right)}"#, numpy: "np.tan($0)",
        onnx: .composition(["sin = Sin($0)", "cos = Cos($0)", "Div(sin, cos)"]),
        kernel: "tan($0)", vectorises: false)
    case .atan:
      Spelling(
        self, libm: "atan", latex: #"\arctan{\left($0\right)}"#, numpy: "np.arctan($0)",
        onnx: .op("Atan"), onnxruntimeFloat64: false, kernel: "atan($0)", vectorises: false)
    case .asin:
      Spelling(
        self, libm: "asin", latex: #"\arcsin{\left($0\right)}"#, numpy: "np.arcsin($0)",
        onnx: .op("Asin"), onnxruntimeFloat64: false, kernel: "asin($0)", vectorises: false)
    case .acos:
      Spelling(
        self, libm: "acos", latex: #"\arccos{\left($0\right)}"#, numpy: "np.arccos($0)",
        onnx: .op("Acos"), onnxruntimeFloat64: false, kernel: "acos($0)", vectorises: false)
    // sinh x = ±(e/2)·(e + 2)/(e + 1) with e = e^|x| − 1 (no cancellation near 0, nor for
    // x ≪ 0, and no overflow before sinh's own), and ±∞ where e is.
    case .sinh:
      Spelling(
        self, libm: "sinh", latex: #"\sinh{\left($0\right)}"#, numpy: "np.sinh($0)",
        onnx: .composition([
          "abs = Abs($0)", "e = expm1(abs)", "ep2 = Add(e, 2)", "ep1 = Add(e, 1)",
          "ratio = Div(ep2, ep1)", "half = Mul(e, 0.5)", "q = Mul(half, ratio)",
          "isinf = IsInf(e)", "magnitude = Where(isinf, e, q)", "negative = Neg(magnitude)",
          "isnegative = Less($0, 0)", "Where(isnegative, negative, magnitude)",
        ]), kernel: "sinh($0)", vectorises: false)
    // cosh x = (eˣ + e⁻ˣ)/2.
    case .cosh:
      Spelling(
        self, libm: "cosh", latex: #"\cosh{\left($0\right)}"#, numpy: "np.cosh($0)",
        onnx: .composition([
          "exp = Exp($0)", "neg = Neg($0)", "expneg = Exp(neg)", "sum = Add(exp, expneg)",
          "Mul(sum, 0.5)",
        ]), kernel: "cosh($0)", vectorises: false)
    // NumPy has no erf: the standard library's, elementwise; JAX has its own.
    case .erf:
      Spelling(
        self, libm: "erf", latex: #"\operatorname{erf}{\left($0\right)}"#,
        numpy: "np.vectorize(math.erf, otypes=[float])($0)", jax: "jax.scipy.special.erf($0)",
        onnx: .op("Erf"), onnxruntimeFloat64: false, kernel: "erf($0)", vectorises: false)
    // ln(1 + x) without cancellation (Goldberg): ln u · x / (u − 1) with u = 1 + x, which is x
    // where u = 1 and ln u where u = ±∞.
    case .log1p:
      Spelling(
        self, libm: "log1p", latex: #"\ln{\left(1 + $+0\right)}"#, numpy: "np.log1p($0)",
        onnx: .composition([
          "u = Add($0, 1)", "w = Sub(u, 1)", "ln = Log(u)", "num = Mul(ln, $0)", "q = Div(num, w)",
          "isone = Equal(w, 0)", "r1 = Where(isone, $0, q)", "isinf = IsInf(u)",
          "Where(isinf, ln, r1)",
        ]), kernel: "log1p($0)", vectorises: false)
    // eˣ − 1 without cancellation (Kahan): (u − 1)·x / ln u with u = eˣ, which is x where
    // u = 1, −1 where u = 0 and u where u = ∞.
    case .expm1:
      Spelling(
        self, libm: "expm1", latex: "sum: e^{$0} - 1", numpy: "np.expm1($0)",
        onnx: .composition([
          "u = Exp($0)", "um1 = Sub(u, 1)", "num = Mul(um1, $0)", "ln = Log(u)",
          "q = Div(num, ln)", "isone = Equal(u, 1)", "r1 = Where(isone, $0, q)",
          "iszero = Equal(u, 0)", "r2 = Where(iszero, -1, r1)", "isinf = IsInf(u)",
          "Where(isinf, u, r2)",
        ]), kernel: "expm1($0)", vectorises: false)
    // ∛x = sign(x)·|x|^⅓.
    case .cbrt:
      Spelling(
        self, libm: "cbrt", latex: #"\sqrt[3]{$0}"#, numpy: "np.cbrt($0)",
        onnx: .composition([
          "abs = Abs($0)", "root = Pow(abs, \(1.0 / 3))", "sign = Sign($0)", "Mul(sign, root)",
        ]), kernel: "cbrt($0)", vectorises: false)
    // atan2(u, v) = atan(u/v) for v > 0, ± π added for v < 0 (the sign of u's), and ±π/2 (u's
    // sign) for v = 0: ONNX has no Atan2.  NumPy calls it arctan2, with y first as C.
    case .atan2:
      Spelling(
        self, libm: "atan2", compgraph: "atan2($=0, $=1)",
        latex: #"\operatorname{atan2}\left($0, $1\right)"#, numpy: "np.arctan2($0, $1)",
        onnx: .composition([
          "ratio = Div($0, $1)", "atan = Atan(ratio)", "upper = GreaterOrEqual($0, 0)",
          "turn = Where(upper, \(Double.pi), \(-Double.pi))", "turned = Add(atan, turn)",
          "left = Less($1, 0)", "angle = Where(left, turned, atan)", "sign = Sign($0)",
          "axis = Mul(sign, \(Double.pi / 2))", "vertical = Equal($1, 0)",
          "Where(vertical, axis, angle)",
        ]), onnxruntimeFloat64: false, kernel: "atan2($0, $1)", vectorises: false)
    }
  }
}

/// A spelling with its operands' places.  `$k` is operand k written as an expression of at
/// least a sum's precedence (so the expression language parenthesises a comparison there);
/// `$=k` is operand k as a whole expression, a comparison too (a call's argument); `$^k` an
/// operand that binds as tightly as a power's base; `$+k` a term after `+` (parenthesised when
/// it starts with a minus).  A template that starts with `power: `, `sum: ` or `comparison: `
/// binds as loosely as those do (`x^y`, `eˣ − 1`, `a < b`); any other binds as a call does.
struct Template: Sendable {
  enum Piece: Sendable, Equatable {
    case text(String)
    case operand(Int, Place)
  }

  /// Where an operand stands, which decides its parentheses.
  enum Place: Character, Sendable {
    case argument = "$", whole = "=", atom = "^", term = "+"
  }

  let pieces: [Piece]
  let level: InfixLevel

  init(_ spelled: String) {
    var text = Substring(spelled)
    var level = InfixLevel.atom
    for candidate in [InfixLevel.power, .sum, .comparison] where text.hasPrefix("\(candidate): ") {
      level = candidate
      text = text.dropFirst("\(candidate): ".count)
    }
    self.level = level
    var pieces: [Piece] = []
    var literal = ""
    var rest = text
    while let dollar = rest.firstIndex(of: "$") {
      literal += rest[..<dollar]
      var next = rest.index(after: dollar)
      var place = Place.argument
      if next < rest.endIndex, let marked = Place(rawValue: rest[next]), marked != .argument {
        place = marked
        next = rest.index(after: next)
      }
      guard next < rest.endIndex, let k = rest[next].wholeNumberValue else {
        literal += rest[dollar..<next]
        rest = rest[next...]
        continue
      }
      if !literal.isEmpty { pieces.append(.text(literal)) }
      literal = ""
      pieces.append(.operand(k, place))
      rest = rest[rest.index(after: next)...]
    }
    literal += rest
    if !literal.isEmpty { pieces.append(.text(literal)) }
    self.pieces = pieces
  }

  /// The operands it writes, in order, with repetitions.
  var operands: [Int] {
    pieces.compactMap { if case .operand(let k, _) = $0 { k } else { nil } }
  }

  /// Whether it writes an operand more than once.
  var repeatsAnOperand: Bool { Set(operands).count < operands.count }

  /// Its text with operand k written as `operands[k]`.
  func filled(_ operands: [String]) -> String {
    pieces.map {
      switch $0 {
      case .text(let text): text
      case .operand(let k, _): operands[k]
      }
    }.joined()
  }
}

/// How an op is written in ONNX.
enum ONNXSpelling: Sendable {
  /// One operator on the op's operands.
  case op(String)
  /// Nodes computing the op, one a line: `name = Operator(arguments)`, the last without a name
  /// (it computes the op's value).  An argument is an operand (`$0`), a number (a scalar of the
  /// node's type), or an earlier line's name; `Operator` may also be a kind's name (`expm1`),
  /// for that kind's spelling.  `; to=bool` and `; to=type` after the arguments are a `Cast`'s
  /// target: ONNX's boolean, or the node's own type.
  case composition([String])
}

extension Op {
  /// An op as the writers see it: a row of the spelling table, or an op they spell by its own
  /// rules.
  enum Written {
    case row(Spelling)
    case variable(String)
    case constant(Tensor)
    case add, mul
    case pow(Double)
    case cast(DType)
    case custom(CustomOp)
    case structure(Structure)
  }

  /// The op's spelling row, or the op itself.
  var written: Written {
    if let row = kind.spelling { return .row(row) }
    if let structure { return .structure(structure) }
    switch self {
    case .variable(let name): return .variable(name)
    case .constant(let t): return .constant(t)
    case .add: return .add
    case .mul: return .mul
    case .pow(let c): return .pow(c)
    case .cast(let dtype): return .cast(dtype)
    case .custom(let op): return .custom(op)
    // Returned above: a row, or a structure.
    case .exp, .ln, .sqrt, .sin, .cos, .tanh, .abs, .sign, .maximum, .minimum, .power, .less,
      .lessEqual, .greater, .greaterEqual, .equal, .select, .tan, .atan, .asin, .acos, .sinh,
      .cosh, .erf, .log1p, .expm1, .cbrt, .atan2, .einsum, .sumTo, .broadcastTo, .reshape,
      .reduceMax, .slice, .pad, .oneHot, .solve, .inverse, .determinant, .cholesky,
      .triangularSolve, .logdet, .scan, .patches, .unpatches:
      preconditionFailure("\(kind.name) has a spelling row or a structure")
    }
  }
}
