import CKernels

/// `Program`'s exp, tanh, log, integer powers, sign, max and min as emitted C carries them: the
/// definitions of `cg_math.h` and, for f32 nodes, of `cg_math_f32.h` (kept there as text by
/// `CG_MATH_DEFINE` and `CG_MATH_F32_DEFINE`, so the kernels and the emitted file compile the
/// same code), one statement a line, and only those a file calls — a C compiler warns about a
/// `static` function the file defines and never calls.
struct CHelper {
  /// The function's name, as the file calls it.
  let name: String
  /// Its definition, one statement a line.
  let text: String
  /// The other helpers its body calls.
  let calls: Set<String>

  /// Every helper, in `cg_math.h`'s order then `cg_math_f32.h`'s (a helper after those it
  /// calls).
  static let all: [CHelper] =
    parse(String(cString: cg_math_source())) + parse(String(cString: cg_math_f32_source()))

  /// The definitions of one source, in order.
  private static func parse(_ text: String) -> [CHelper] {
    let source = Array(text)
    var definitions: [String] = []
    var current = ""
    var depth = 0
    for character in source {
      current.append(character)
      if character == "{" { depth += 1 }
      if character == "}" {
        depth -= 1
        if depth == 0 {
          definitions.append(current.trimmingSpaces)
          current = ""
        }
      }
    }
    // The name is the last identifier before the parameter list (after any attribute).
    let names = definitions.map { definition in
      let head = definition.replacing("__attribute__((always_inline))", with: "")
      return identifiers(in: String(head.prefix { $0 != "(" })).last!
    }
    return zip(names, definitions).map { name, definition in
      let used = Set(identifiers(in: definition)).intersection(names).subtracting([name])
      return CHelper(name: name, text: formatted(definition), calls: used)
    }
  }

  /// The names of all helpers (reserved: a user's function may not take one).
  static let names = Set(all.map(\.name))

  /// The definitions `code` calls, directly or through each other, in dependency order.
  static func definitions(calledBy code: String) -> String {
    var needed = Set(identifiers(in: code)).intersection(names)
    for helper in all.reversed() where needed.contains(helper.name) {
      needed.formUnion(helper.calls)
    }
    return all.filter { needed.contains($0.name) }.map { $0.text + "\n" }.joined()
  }

  /// The identifiers of C text, in order.
  static func identifiers(in text: String) -> [String] {
    var result: [String] = []
    var current = ""
    var inNumber = false
    for scalar in text.unicodeScalars {
      let word = scalar.isASCII && (scalar.properties.isAlphabetic || scalar == "_")
      let digit = ("0"..."9").contains(scalar)
      if current.isEmpty, !inNumber, word {
        current.unicodeScalars.append(scalar)
      } else if !current.isEmpty, word || digit {
        current.unicodeScalars.append(scalar)
      } else {
        if !current.isEmpty { result.append(current) }
        current = ""
        // A number's letters (1e-9, 0x3fULL) are not identifiers.
        inNumber = (digit || scalar == ".") || (inNumber && (word || digit))
      }
    }
    if !current.isEmpty { result.append(current) }
    return result
  }

  /// One definition as the stringified macro gives it (one line, single spaces), written one
  /// statement a line: a line break after `{` and after each `;` outside parentheses, and each
  /// `}` on a line of its own, indented two spaces a level; the declarators of one declaration
  /// (`const double a = 1, b = 2;`) one a line.
  private static func formatted(_ definition: String) -> String {
    var text = ""
    var depth = 0
    var parentheses = 0
    var atLineStart = false
    var skipSpace = false
    for character in definition {
      if skipSpace {
        skipSpace = false
        if character == " " { continue }
      }
      if atLineStart {
        if character == " " { continue }
        if character == "}" { depth -= 1 }
        text += String(repeating: "  ", count: depth)
        atLineStart = false
      } else if character == "}" {
        while text.last == " " { text.removeLast() }
        depth -= 1
        text += "\n" + String(repeating: "  ", count: depth)
      }
      text.append(character)
      switch character {
      case "(": parentheses += 1
      case ")": parentheses -= 1
      case "{":
        depth += 1
        text += "\n"
        atLineStart = true
      case ";" where parentheses == 0, "}":
        text += "\n"
        atLineStart = true
      // A declaration of several constants: one a line, indented past the first.
      case "," where parentheses == 0:
        text += "\n" + String(repeating: "  ", count: depth + 2)
        atLineStart = false
        skipSpace = true
      default: break
      }
    }
    while text.last == "\n" || text.last == " " { text.removeLast() }
    return text
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
