/// Quoting for the DOT language and its HTML-like labels.
enum DOTSyntax {
  /// A DOT double-quoted string: `"` and `\` are escaped, a newline becomes
  /// the label line break `\n`, a carriage return is dropped.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": break
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Text inside an HTML-like label: `&`, `<`, `>` and `"` become entities.
  static func htmlEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.unicodeScalars.append(scalar)
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
