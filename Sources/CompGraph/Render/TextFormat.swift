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
  /// C99 expressions on `double`s (`exp`, `pow(x, 2.5)`); scalar graphs only.
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

  /// How a unary elementwise op is called: the text before and after its operand.
  func call(_ op: Op) -> (before: String, after: String) {
    let name: String
    switch op {
    case .exp: name = "exp"
    case .ln: name = self == .compgraph || self == .latex ? "ln" : "log"
    case .sqrt:
      if self == .latex { return ("\\sqrt{", "}") }
      name = "sqrt"
    case .sin: name = "sin"
    case .cos: name = "cos"
    case .tanh: name = "tanh"
    case .variable, .constant, .add, .mul, .pow, .einsum, .sumTo, .broadcastTo, .power, .abs, .sign,
      .maximum, .minimum, .less, .lessEqual, .greater, .greaterEqual, .equal, .select, .tan, .atan,
      .asin, .acos, .sinh, .cosh, .erf, .log1p, .expm1, .cbrt, .reshape, .reduceMax, .slice, .pad,
      .oneHot:
      preconditionFailure("\(op.info.name) is not a unary function")
    }
    switch self {
    case .compgraph, .c: return (name + "(", ")")
    case .latex: return ("\\" + name + open, close)
    case .python, .jax: return ("\(module!).\(name)(", ")")
    }
  }
}
