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

  /// A scalar as a number, a tensor as nested arrays (row-major).
  static func tensor(_ t: Tensor) -> String {
    if t.isScalar { return number(t.scalars[0], t.dtype) }
    var out = ""
    var index = 0
    // The rank is small, so nesting by a counter per axis is a plain loop.
    var position = [Int](repeating: 0, count: t.shape.count)
    out += String(repeating: "[", count: t.shape.count)
    while index < t.scalars.count {
      out += number(t.scalars[index], t.dtype)
      index += 1
      var axis = t.shape.count - 1
      position[axis] += 1
      while axis > 0 && position[axis] == t.shape[axis] {
        position[axis] = 0
        out += "]"
        axis -= 1
        position[axis] += 1
      }
      if axis == 0 && position[0] == t.shape[0] {
        out += "]"
      } else {
        out += ", " + String(repeating: "[", count: t.shape.count - 1 - axis)
      }
    }
    return t.scalars.isEmpty
      ? String(repeating: "[", count: t.shape.count) + String(repeating: "]", count: t.shape.count)
      : out
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
