/// The languages `Graph.text(_:)` and `Graph.infixLines` write expressions in.
public enum TextFormat: String, Sendable, CaseIterable {
  /// CompGraph's own expression language (`parseProgram` reads it back).
  case compgraph
  /// LaTeX maths: `\frac`, `x^{2}`, `\tanh`, `\sqrt{x}`.
  case latex
  /// Python with NumPy (`np.exp`, `x**2`, `np.einsum`).
  case python
  /// Python with `jax.numpy` (`jnp.exp`, …), so it jits, vmaps and shards.
  case jax
  /// C99 expressions on `double`s (`exp`, `pow(x, 2.5)`); a graph with tensors is written as
  /// loops instead (`Graph.text(_:name:)`).
  case c

  /// The NumPy-like module prefix of the Python formats.
  var module: String? {
    switch self {
    case .python: "np"
    case .jax: "jnp"
    case .compgraph, .latex, .c: nil
    }
  }

  var open: String { self == .latex ? "\\left(" : "(" }
  var close: String { self == .latex ? "\\right)" : ")" }

  /// The name of a shared subexpression (`t1`): LaTeX writes its number as a subscript.
  func name(_ name: String) -> String {
    guard self == .latex, let digits = name.firstIndex(where: \.isNumber) else { return name }
    return name[..<digits].replacingOccurrences(of: "_", with: "\\_") + "_{\(name[digits...])}"
  }

  /// A scalar constant.
  func number(_ value: Double) -> String {
    switch self {
    case .compgraph, .latex:
      return formatNumber(value)
    case .python, .jax:
      if value.isNaN { return "\(module!).nan" }
      if value.isInfinite { return value < 0 ? "-\(module!).inf" : "\(module!).inf" }
      return formatNumber(value)
    case .c:
      if value.isNaN || value.isInfinite { return cLiteral(value) }
      let text = formatNumber(value)
      return text.contains(where: { ".e".contains($0) }) ? text : text + ".0"
    }
  }

  /// A shape as an argument: `2x3` in the expression language and C, `2 \times 3` in LaTeX, and
  /// a tuple `(2, 3)` in Python.
  func shape(_ shape: Shape) -> String {
    switch self {
    case .compgraph, .c: shape.shapeDescription
    case .latex: shape.isEmpty ? "()" : shape.map(String.init).joined(separator: " \\times ")
    case .python, .jax: pythonTuple(shape)
    }
  }

  /// The modules the Python function imports, for a graph holding `kinds`: NumPy or jax.numpy,
  /// the modules the kinds' spellings call into (`math.erf`, `jax.scipy.special.erf`), and
  /// `jax.scipy.linalg` for a triangular solve in JAX.
  func imports(_ kinds: Set<Op.Kind>) -> [String] {
    let base: String
    switch self {
    case .python: base = "numpy as np"
    case .jax: base = "jax.numpy as jnp"
    case .compgraph, .latex, .c: return []
    }
    let called = kinds.compactMap { $0.spelling?.template(self) }.flatMap(\.modules)
    let linalg = self == .jax && kinds.contains(.triangularSolve) ? ["jax.scipy.linalg"] : []
    return ([base] + Set(called).subtracting(["np", "jnp"]).sorted() + linalg).map {
      "import \($0)"
    }
  }
}

extension Template {
  /// The modules its Python text calls into: each dotted name's all but last part (`np` of
  /// `np.exp`, `jax.scipy.special` of `jax.scipy.special.erf`).
  var modules: [String] {
    let text = pieces.map { if case .text(let text) = $0 { text } else { " " } }.joined()
    let names = text.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
    return names.filter { $0.first?.isLetter == true && $0.contains(".") }.map {
      $0.split(separator: ".").dropLast().joined(separator: ".")
    }
  }
}
