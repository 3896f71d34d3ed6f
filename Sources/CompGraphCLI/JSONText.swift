import CompGraph
import Foundation

/// The pieces of `eval --json`: numbers in their shortest round-trip form,
/// non-finite numbers as the strings `"nan"`, `"inf"`, `"-inf"`, tensors as
/// nested arrays, object keys in the order given.
enum JSONText {
  /// A number; `-0.0` keeps its sign and its point (readers take `-0` for
  /// the integer 0).
  static func number(_ x: Double, _ dtype: DType = .f64) -> String {
    if x == 0 && x.sign == .minus { return "-0.0" }
    return x.isFinite ? formatNumber(x, dtype) : "\"\(formatNumber(x))\""
  }

  static func string(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// `{"a": 1, "b": 2}` in the order of `members`.
  static func object(_ members: [(key: String, value: String)]) -> String {
    "{" + members.map { string($0.key) + ": " + $0.value }.joined(separator: ", ") + "}"
  }
}
