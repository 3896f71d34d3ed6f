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

  /// A shape as an argument: `2x3` in the expression language and C, `2 \times 3` in LaTeX, and
  /// a tuple `(2, 3)` in Python.
  func shape(_ shape: Shape) -> String {
    switch self {
    case .compgraph, .c: shape.shapeDescription
    case .latex: shape.isEmpty ? "()" : shape.map(String.init).joined(separator: " \\times ")
    case .python, .jax: pythonTuple(shape)
    }
  }

  /// How a unary elementwise function is called: the text before and after its operand, which
  /// is printed as a whole expression (no parentheses of its own); `nil` for the ops the printer
  /// spells itself (`log1p` and `expm1` in LaTeX, `sign` in C, and every op that is not a unary
  /// function).
  func call(_ op: Op) -> (before: String, after: String)? {
    /// The function's name in LaTeX (a command), NumPy / jax.numpy and C.
    let names: (latex: String, numpy: String, c: String)
    switch op {
    case .exp:
      if self == .latex { return ("e^{", "}") }
      names = ("\\exp", "exp", "exp")
    case .ln: names = ("\\ln", "log", "log")
    case .sqrt:
      if self == .latex { return ("\\sqrt{", "}") }
      names = ("", "sqrt", "sqrt")
    case .cbrt:
      if self == .latex { return ("\\sqrt[3]{", "}") }
      names = ("", "cbrt", "cbrt")
    case .abs:
      if self == .latex { return ("\\left|", "\\right|") }
      names = ("", "abs", "fabs")
    case .sin: names = ("\\sin", "sin", "sin")
    case .cos: names = ("\\cos", "cos", "cos")
    case .tanh: names = ("\\tanh", "tanh", "tanh")
    case .tan: names = ("\\tan", "tan", "tan")
    case .atan: names = ("\\arctan", "arctan", "atan")
    case .asin: names = ("\\arcsin", "arcsin", "asin")
    case .acos: names = ("\\arccos", "arccos", "acos")
    case .sinh: names = ("\\sinh", "sinh", "sinh")
    case .cosh: names = ("\\cosh", "cosh", "cosh")
    // NumPy has no erf: the standard library's, elementwise; JAX has its own.
    case .erf:
      if self == .python { return ("np.vectorize(math.erf, otypes=[float])(", ")") }
      if self == .jax { return ("jax.scipy.special.erf(", ")") }
      names = ("\\operatorname{erf}", "erf", "erf")
    case .log1p:
      if self == .latex { return nil }
      names = ("", "log1p", "log1p")
    case .expm1:
      if self == .latex { return nil }
      names = ("", "expm1", "expm1")
    case .sign:
      if self == .c { return nil }
      names = ("\\operatorname{sign}", "sign", "")
    case .variable, .constant, .add, .mul, .pow, .power, .maximum, .minimum, .less, .lessEqual,
      .greater, .greaterEqual, .equal, .select, .einsum, .sumTo, .broadcastTo, .reshape,
      .reduceMax, .slice, .pad, .oneHot, .custom, .atan2, .cast, .solve, .inverse, .determinant,
      .cholesky, .triangularSolve, .logdet:
      return nil
    }
    switch self {
    case .compgraph: return (op.info.name + "(", ")")
    case .c: return (names.c + "(", ")")
    case .latex: return (names.latex + "{" + open, close + "}")
    case .python, .jax: return ("\(module!).\(names.numpy)(", ")")
    }
  }

  /// The modules the Python function imports, for a graph holding `kinds`.
  func imports(_ kinds: Set<Op.Kind>) -> [String] {
    switch self {
    case .python: ["import numpy as np"] + (kinds.contains(.erf) ? ["import math"] : [])
    case .jax:
      ["import jax.numpy as jnp"] + (kinds.contains(.erf) ? ["import jax.scipy.special"] : [])
        + (kinds.contains(.triangularSolve) ? ["import jax.scipy.linalg"] : [])
    case .compgraph, .latex, .c: []
    }
  }
}
