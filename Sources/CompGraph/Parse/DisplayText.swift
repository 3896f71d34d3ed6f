/// User text as it is safe to show in a message on a terminal: control
/// characters escaped (`\x1b`, `\r`, `\0`), invisible and look-alike
/// characters named by code point (`U+200B`, `U+FEFF`, `U+00A0`, `U+202E`),
/// so an input can neither send escape codes to the terminal nor hide what
/// it holds.  With `limit`, at most that many characters are kept, then `…`.
///
///     displayText("x\u{1B}[2J")  == #"x\x1b[2J"#
///     displayText("a\u{200B}b")  == "aU+200Bb"
package func displayText(_ text: some StringProtocol, limit: Int? = nil) -> String {
  var out = ""
  var kept = 0
  for scalar in text.unicodeScalars {
    if let limit, kept == limit {
      out += "…"
      break
    }
    out += displayScalar(scalar)
    kept += 1
  }
  return out
}

/// One scalar as `displayText` shows it (itself when it is visible).
func displayScalar(_ scalar: Unicode.Scalar) -> String {
  switch scalar {
  case "\0": return "\\0"
  case "\r": return "\\r"
  case "\t", " ": return String(scalar)
  case _ where scalar.value < 0x20 || scalar.value == 0x7F:
    return "\\x" + hex(scalar.value, digits: 2, uppercase: false)
  case _ where isInvisible(scalar):
    return "U+" + hex(scalar.value, digits: 4, uppercase: true)
  default:
    return String(scalar)
  }
}

/// The scalar's code point and, when Unicode names it, its name:
/// `U+200B ZERO WIDTH SPACE`.
func describeScalar(_ scalar: Unicode.Scalar) -> String {
  let code = "U+" + hex(scalar.value, digits: 4, uppercase: true)
  return scalar.properties.name.map { "\(code) \($0)" } ?? code
}

/// Characters that show as nothing, or as something else: C1 controls,
/// format characters (zero-width, bidi overrides, the BOM), separators
/// other than the space (NBSP, line and paragraph separators), and
/// unassigned or private-use code points.
func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar.properties.generalCategory {
  case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .unassigned,
    .privateUse, .surrogate:
    return scalar != " "
  default:
    return false
  }
}

private func hex(_ value: UInt32, digits: Int, uppercase: Bool) -> String {
  let text = String(value, radix: 16, uppercase: uppercase)
  return String(repeating: "0", count: max(0, digits - text.count)) + text
}
