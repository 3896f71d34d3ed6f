import Foundation
import Testing

@testable import CompGraph

/// Issue 27 §3: variables and outputs whose names clash with the language an export writes.
/// LaTeX spells every name so the text stays well-formed (no TeX engine is installed here, so
/// `latexProblems` checks what one would reject); ONNX keeps every name as it is and refuses the
/// ones it uses itself, and onnxruntime runs the rest.
@Suite struct ExportNameClashTests {
  /// What a TeX engine would reject in `text`, or take as other than a name: unbalanced braces,
  /// a script not in braces (`x_12` subscripts only the 1) or twice on one base (`a_{b}_{c}`),
  /// a special character outside its role (`#`, `$`, `%`, `~`, `&` but the one `&=` a line), and
  /// any command not in `allowed`.
  static func latexProblems(_ text: String, allowed: Set<String>) -> [String] {
    var problems: [String] = []
    for (number, line) in text.split(separator: "\n").enumerated() {
      let characters = Array(line)
      var depth = 0
      var i = 0
      var lastScriptClosedAt: (kind: Character, at: Int)? = nil
      var scriptGroups: [(kind: Character, depth: Int)] = []
      var ampersands = 0
      while i < characters.count {
        let c = characters[i]
        switch c {
        case "\\":
          var j = i + 1
          while j < characters.count, characters[j].isASCII, characters[j].isLetter { j += 1 }
          if j == i + 1 {
            // \_ \{ \} \$ \& \# \% \\ and spacing commands.
            if j < characters.count, !"_{}$&#%\\ ,;!".contains(characters[j]) {
              problems.append("line \(number): '\\\(characters[j])'")
            }
            i = j + 1
          } else {
            let command = String(characters[(i + 1)..<j])
            if !allowed.contains(command) { problems.append("line \(number): \\\(command)") }
            i = j
          }
          continue
        case "{": depth += 1
        case "}":
          depth -= 1
          if depth < 0 { problems.append("line \(number): '}' closes nothing") }
          if let last = scriptGroups.last, last.depth == depth {
            scriptGroups.removeLast()
            lastScriptClosedAt = (last.kind, i)
          }
        case "_", "^":
          if i + 1 >= characters.count || characters[i + 1] != "{" {
            problems.append("line \(number): '\(c)' not followed by a group")
          }
          if let last = lastScriptClosedAt, last.kind == c, last.at == i - 1 {
            problems.append("line \(number): double \(c == "_" ? "subscript" : "superscript")")
          }
          scriptGroups.append((c, depth))
        case "#", "$", "%", "~":
          problems.append("line \(number): unescaped '\(c)'")
        case "&":
          ampersands += 1
          if ampersands > 1 || i + 1 >= characters.count || characters[i + 1] != "=" {
            problems.append("line \(number): '&' that is not the line's one '&='")
          }
        default: break
        }
        i += 1
      }
      if depth != 0 { problems.append("line \(number): \(depth) braces left open") }
    }
    return problems
  }

  /// The commands `text` uses (`\frac`, `\partial`, …).
  static func commands(_ text: String) -> Set<String> {
    var found: Set<String> = []
    let characters = Array(text)
    var i = 0
    while i < characters.count {
      if characters[i] == "\\" {
        var j = i + 1
        while j < characters.count, characters[j].isASCII, characters[j].isLetter { j += 1 }
        if j > i + 1 { found.insert(String(characters[(i + 1)..<j])) }
        i = max(j, i + 2)
      } else {
        i += 1
      }
    }
    return found
  }

  /// A graph over `names` long enough that its second derivatives name shared subexpressions
  /// (`t1`, …), and its first and second derivatives with respect to every variable.
  static func hostileGraph(_ names: [String], output: String) throws -> Graph {
    let g = GraphBuilder()
    let xs = try names.map { try g.variable($0) }
    var f = xs[0]
    for (k, x) in xs.enumerated().dropFirst() {
      f = f + sin(x * xs[k - 1] + exp(x)) * tanh(x - Double(k))
    }
    f = f * f
    return try f.graph(names: [output]).derivatives(
      wrt: names, order: 2, simplifying: true
    ).graph
  }

  /// Names an expression can have that LaTeX would read otherwise: underscores in every
  /// position (a double subscript, a subscript of one character of several, a subscript of
  /// nothing), `t1` and `t_1` beside the shared subexpressions LaTeX writes `t_{1}`, and TeX's
  /// own command names; then the names only the library can give, with TeX's special
  /// characters.
  static let identifiers = [
    "a_b_c", "x_", "_x", "__", "x_12", "t1", "t_1", "frac", "begin", "end", "left", "x1_y",
  ]
  static let libraryNames = ["a{b", "50%", "a$b", "x^2", "c#", "a&b", "\\frac", "~x", "a}"]

  @Test(arguments: [identifiers, ["t_1", "t_2", "y"], libraryNames])
  func latexOfHostileNamesIsWellFormed(names: [String]) throws {
    let hostile = try Self.hostileGraph(names, output: "loss_total_2")
    let text = try hostile.text(.latex)
    // The same graph with plain names: the commands it uses are all the hostile one may use,
    // with the escapes a name needs.
    let plain = try Self.hostileGraph(names.indices.map { "v\($0)" }, output: "f")
    let allowed = Self.commands(try plain.text(.latex)).union([
      "text", "textbackslash", "textasciicircum", "textasciitilde",
    ])
    #expect(text.contains("t_{1} &="), "no shared subexpressions: \(text.prefix(300))")
    #expect(Self.latexProblems(text, allowed: allowed) == [], "\(text)")
    // No two left-hand sides spelled alike.
    let sides = text.split(separator: "\n").compactMap { line in
      line.range(of: " &= ").map { String(line[..<$0.lowerBound]) }
    }
    #expect(sides.count == Set(sides).count, "\(sides)")
  }

  /// The checker finds what it is for (so a passing test means something).
  @Test func theLatexCheckerCatchesEachProblem() {
    let allowed: Set<String> = ["frac", "partial"]
    for bad in [
      "a_b_c &= 1", "x_{1}_{2} &= 1", "x_12 &= 1", "{a &= 1", "a} &= 1", "50% &= 1", "a & b &= 1",
      "\\input{x} &= 1", "x^2 &= 1",
    ] {
      #expect(Self.latexProblems(bad, allowed: allowed) != [], "\(bad)")
    }
    #expect(Self.latexProblems("\\frac{\\partial a\\_b}{x_{1}} &= 1", allowed: allowed) == [])
  }

  /// ONNX names every value once and CompGraph names its own `%k`: a variable or output named
  /// so is refused (it ran another value in its place), as is an empty output name (ONNX's "no
  /// value").
  @Test func onnxRefusesTheNamesItUses() throws {
    let g = GraphBuilder()
    let a = try g.variable("%1"), b = try g.variable("b")
    #expect {
      try (exp(a) * b).graph(names: ["f"]).onnxModel()
    } throws: { error in
      "\(error)".contains("'%1'") && "\(error)".contains("ONNX export")
    }
    for name in ["%2", ""] {
      #expect(throws: GraphError.self) { try (exp(b) * b).graph(names: [name]).onnxModel() }
    }
  }

  /// Names ONNX takes as they are, however they look (operator types, spaces, quotes, slashes,
  /// other scripts, a CompGraph suffix), run in onnxruntime against `Graph.evaluate`.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func hostileOnnxNamesRunInOnnxruntime() throws {
    let names = ["Identity", "Cast", "scalar0", "a b", "x.f32", "名前", "q\"uote", "in/put", "1%"]
    let g = GraphBuilder()
    let xs = try names.map { try g.variable($0) }
    var f = xs[0]
    for x in xs.dropFirst() { f = f * 0.5 + exp(x) * sin(f) }
    let gradient = try CompGraph.gradient(of: f, wrt: xs)
    let graph = try f.graph(
      names: ["out/0"] + names.map { "∂out/0/∂\($0)" }, with: gradient)
    var point: [String: Tensor] = [:]
    for (k, name) in names.enumerated() { point[name] = Tensor(0.25 + Double(k) / 10) }
    try ONNXExportTests.check([.init(label: "hostile names", graph: graph, point: point)])
  }
}
