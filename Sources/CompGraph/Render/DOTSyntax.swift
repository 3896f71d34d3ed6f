/// Quoting for the DOT language and its HTML-like labels.
enum DOTSyntax {
  /// A DOT double-quoted string: `"` and `\` are escaped, a newline becomes
  /// the label line break `\n`, a carriage return is dropped, other control
  /// and invisible characters are spelled out (`\x1b`, `U+200B`; see
  /// `displayText`), so the SVG Graphviz makes is well-formed XML.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": break
      default:
        // A spelled-out `\x1b` keeps its backslash in the label.
        for c in displayScalar(scalar).unicodeScalars {
          if c == "\\" { out += "\\\\" } else { out.unicodeScalars.append(c) }
        }
      }
    }
    return out + "\""
  }

  /// Text inside an HTML-like label: `&`, `<`, `>` and `"` become entities,
  /// control and invisible characters are spelled out.
  static func htmlEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out += displayScalar(scalar)
      }
    }
    return out
  }

  /// `[a="1", b=<…>]` with the keys sorted, so output never depends on
  /// dictionary order.  Values are already quoted (or `<…>` HTML).
  static func attributeList(_ attributes: [String: String]) -> String {
    "["
      + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
        separator: ", ")
      + "]"
  }
}
