/// The outputs as text in another language: a LaTeX `aligned` block, a Python function (NumPy or
/// `jax.numpy`), or C statements.
extension Graph {
  /// The outputs written in `format`, with subexpressions used more than once named first, as
  /// `infixLines` names them (`t1`, `t2`, …):
  ///
  /// - `.compgraph`: `infixLines`, one per line;
  /// - `.latex`: `\begin{aligned} t_{1} &= … \\ \frac{\partial f}{\partial x} &= … \end{aligned}`;
  /// - `.python`, `.jax`: `def NAME(x, y):` returning a tuple of the outputs in order, after
  ///   `import numpy as np` or `import jax.numpy as jnp` (and, for `erf`, `import math` or
  ///   `import jax.scipy.special`) and `OUTPUT_NAMES`, the tuple of their names (`"∂f/∂x"`);
  /// - `.c`: `const double t1 = …;` and `out[j] = …;` statements over `double` variables named
  ///   as the graph's, for the body of a function; a variable whose name C reserves, or `out`,
  ///   is renamed (`out_`, `NAN_`), and a first comment line lists the renamings. A graph with
  ///   tensors is written as loops (`tensorCStatements`) over `const double *` variables and the
  ///   outputs' elements in `out`.
  ///
  /// Throws for a `name` or variable the language cannot spell, and for f32 tensors in C.
  public func text(_ format: TextFormat, name: String = "f") throws -> String {
    try checkSpellings(format)
    switch format {
    case .compgraph:
      return infixLines().map { $0 + "\n" }.joined()
    case .latex:
      let (lets, results) = infixDefinitions(.latex)
      let lines =
        lets.map { "\(format.name($0.name)) &= \($0.text)" }
        + results.map { "\(latexName($0.name)) &= \($0.text)" }
      return "\\begin{aligned}\n" + lines.joined(separator: " \\\\\n") + "\n\\end{aligned}\n"
    case .python, .jax:
      for identifier in [name] + variables.map(\.name) where pythonKeywords.contains(identifier) {
        throw GraphError.unsupported(
          "Python export: '\(identifier)' is a Python keyword or a module or built-in the function uses; rename it to use it as a name"
        )
      }
      let (lets, results) = infixDefinitions(format)
      let imports = format.imports(Set(ids.map { op($0).kind })).joined(separator: "\n")
      let quoted = outputNames.map { "\"\(pythonEscaped($0))\"" }
      var text = "\(imports)\n\n"
      text +=
        "OUTPUT_NAMES = (\(quoted.joined(separator: ", "))\(quoted.count == 1 ? "," : ""))\n\n\n"
      text += "def \(name)(\(variables.map(\.name).joined(separator: ", "))):\n"
      text +=
        "    \"\"\"(\(outputNames.joined(separator: ", "))), in the order of OUTPUT_NAMES.\"\"\"\n"
      for (shared, expression) in lets { text += "    \(shared) = \(expression)\n" }
      text += "    return (\n"
      for (_, expression) in results { text += "        \(expression),\n" }
      return text + "    )\n"
    case .c:
      if ids.contains(where: { !shape($0).isEmpty }) { return try tensorCStatements() }
      let renamed = try cRenamedVariables()
      let (lets, results) = infixDefinitions(.c, renamed: renamed)
      let note =
        renamed.isEmpty
        ? ""
        : "/* Variables renamed to keep clear of C's own names: "
          + renamed.sorted { $0.key < $1.key }.map { "\($0) -> \($1)" }.joined(separator: ", ")
          + " */\n"
      return note + lets.map { "const double \($0.name) = \($0.text);\n" }.joined()
        + results.enumerated().map { "out[\($0)] = \($1.text);  /* \($1.name) */\n" }.joined()
    }
  }
}

extension Graph {
  /// Throws for a custom op with no spelling in `format`, which Python and C cannot call by its
  /// name (the expression language and LaTeX write its name).
  func checkSpellings(_ format: TextFormat) throws {
    guard format == .python || format == .jax || format == .c else { return }
    for id in ids {
      if format == .c, op(id).matrixFunction != nil { throw cLinearAlgebraRefusal(op(id)) }
      if case .scan(let spec) = op(id) {
        throw spec.refusal(by: "\(format.rawValue) export", as: "\(format.rawValue) text")
      }
      if format == .c, [.patches, .unpatches].contains(op(id).kind) {
        throw GraphError.unsupported(
          "C export: '\(op(id).info.name)' (the windows of a convolution or pool) is not written in C yet; export the graph as ONNX (`compgraph export`) or Python (--format python)"
        )
      }
      if case .custom(let op) = op(id), op.spellings[format] == nil {
        throw GraphError.unsupported(
          "\(format.rawValue) export: the custom op '\(op.name)' has no spelling in \(format.rawValue); give its CustomOp `spellings: [.\(format.rawValue): …]`"
        )
      }
    }
  }

  /// The variables C statements cannot use under their own names, each with the name they get
  /// instead: those C reserves (`CNames`: `NAN`, `M_PI`, `errno`, `exp`, …), the helpers'
  /// names, `out`, the array the statements write, and those `reserved` says the statements
  /// use. Each gets `_` appended until the name is
  /// free and taken by no other variable. Throws for a name that is not ASCII letters, digits
  /// and `_`.
  func cRenamedVariables(alsoTaken reserved: (String) -> Bool = { _ in false }) throws
    -> [String: String]
  {
    let names = variables.map(\.name)
    if let name = names.first(where: { !isCSpelling($0) }) {
      throw GraphError.unsupported(
        "C export: the variable '\(name)' cannot be a C name (letters, digits and '_', not starting with a digit); rename it"
      )
    }
    var taken = Set(names)
    var renamed: [String: String] = [:]
    for name in names where name == "out" || !isCIdentifier(name) || reserved(name) {
      var new = name + "_"
      while taken.contains(new) || !isCIdentifier(new) || reserved(new) { new += "_" }
      taken.insert(new)
      renamed[name] = new
    }
    return renamed
  }
}

/// `∂²f/∂p∂q` as `\frac{\partial^{2} f}{\partial p \partial q}`; other names as `latexSymbol`
/// spells them, as are the names of the output and variables inside a derivative's.
private func latexName(_ name: String) -> String {
  let superscripts = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
  func typeset(_ part: Substring) -> String {
    var out = ""
    var power = ""
    var symbol = ""
    func endSymbol() {
      if !symbol.isEmpty { out += latexSymbol(symbol) }
      symbol = ""
    }
    for ch in part {
      if let digit = superscripts.firstIndex(of: ch) {
        endSymbol()
        power += String(digit)
        continue
      }
      if !power.isEmpty {
        if out.hasSuffix(" ") { out.removeLast() }
        out += "^{\(power)} "
        power = ""
      }
      if ch == "∂" {
        endSymbol()
        out += out.isEmpty ? "\\partial " : " \\partial "
      } else {
        symbol.append(ch)
      }
    }
    endSymbol()
    if !power.isEmpty, out.hasSuffix(" ") { out.removeLast() }
    return out + (power.isEmpty ? "" : "^{\(power)}")
  }
  guard name.hasPrefix("∂"), let slash = name.firstIndex(of: "/") else { return latexSymbol(name) }
  let numerator = typeset(name[..<slash])
  let denominator = typeset(name[name.index(after: slash)...])
  return "\\frac{\(numerator)}{\(denominator)}"
}

/// A variable's or output's name as LaTeX maths shows it, so that no name can close a group,
/// start a script or call a command: an identifier (ASCII letters, digits, `_`) with each `_`
/// escaped (`a_b_c` → `a\_b\_c`, a double subscript otherwise); any other name upright in
/// `\text{…}` with TeX's special characters escaped (`50%` → `\text{50\%}`, `\frac` →
/// `\text{\textbackslash{}frac}`). Distinct names stay distinct.
func latexSymbol(_ name: String) -> String {
  if name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
    return name.replacingOccurrences(of: "_", with: "\\_")
  }
  var text = ""
  for ch in name {
    switch ch {
    case "\\": text += "\\textbackslash{}"
    case "^": text += "\\textasciicircum{}"
    case "~": text += "\\textasciitilde{}"
    case "{", "}", "$", "&", "#", "%", "_": text += "\\" + String(ch)
    default: text.append(ch)
    }
  }
  return "\\text{\(text)}"
}

private func pythonEscaped(_ text: String) -> String {
  text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
}

private let pythonKeywords: Set<String> = [
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
  "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
  "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
  "yield", "np", "jnp", "jax", "math", "float",
]
