import ArgumentParser
import CompGraph

/// `compgraph check`: warnings on risky spots of the expression and of its
/// derivatives over a domain (`Graph.risks(in:order:)`).
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Warn where the expression or its derivatives can overflow or be undefined.",
    discussion: """
      Runs interval arithmetic over the graph and its derivative graphs up to --order with each \
      variable ranging over its --domain, and prints one line per node where the domain admits \
      ln of a number ≤ 0, a root of a negative number, an infinite derivative (√ at 0), a \
      division by an interval containing 0, or exp overflow: the order it appears at, the \
      subexpression, and the values of each variable that trigger it. Exits with 0 when \
      nothing is risky and 1 when something is.

      Example:
        compgraph check "ln(x - 0.5) + sqrt(x)" --domain x=0..1 --order 2
      """
  )

  @OptionGroup var input: InputOptions

  @Option(
    name: .customLong("domain"),
    help: ArgumentHelp(
      "The range of a variable: x=0..1, y=-inf..inf (repeatable; every variable needs one).",
      valueName: "name=lo..hi"))
  var ranges: [VariableRange] = []

  @Option(help: "Check the derivative graphs up to this order too (0: the expression only).")
  var order = 1

  @Flag(help: "Print one JSON object: {\"clean\", \"order\", \"domain\", \"risks\"}.")
  var json = false

  func validate() throws {
    var seen = Set<String>()
    for range in ranges {
      guard seen.insert(range.name).inserted else {
        throw ValidationError("--domain \(range.name) is given twice.")
      }
      guard !range.range.isEmpty else {
        throw ValidationError(
          "--domain \(range.argument): the range is empty; write the lower end first.")
      }
    }
    guard (0...Graph.maxOrder).contains(order) else {
      throw ValidationError("--order must be between 0 and \(Graph.maxOrder).")
    }
  }

  func run() throws {
    let graph = try input.parse().graph()
    let domain = Dictionary(uniqueKeysWithValues: ranges.map { ($0.name, $0.range) })
    let risks = try userFacing { try graph.risks(in: domain, order: order) }
    if json {
      try StandardStreams.write(lines: [report(risks)])
    } else if risks.isEmpty {
      let place = ranges.map { "\($0.name) in \($0.range)" }.joined(separator: ", ")
      try StandardStreams.write(
        lines: ["no risky spot up to order \(order)" + (place.isEmpty ? "" : " for " + place)])
    } else {
      try StandardStreams.write(lines: risks.map { "\($0)" })
    }
    if !risks.isEmpty { throw ExitCode(1) }
  }

  /// `{"clean": false, "order": 1, "domain": {"x": [0, 1]}, "risks": [{"kind":
  /// "ln-of-non-positive", "order": 0, "expression": "ln(x - 0.5)", "message":
  /// "ln of a number ≤ 0", "where": {"x": [0, 0.5]}}]}`.
  private func report(_ risks: [Risk]) -> String {
    func pair(_ range: Interval) -> String {
      "[\(JSONText.number(range.lower)), \(JSONText.number(range.upper))]"
    }
    let entries = risks.map { risk in
      JSONText.object([
        ("kind", JSONText.string(risk.kind.rawValue)),
        ("order", String(risk.order)),
        ("expression", JSONText.string(risk.expression)),
        ("message", JSONText.string(risk.kind.summary)),
        ("where", JSONText.object(risk.triggers.map { ($0.variable, pair($0.range)) })),
      ])
    }
    return JSONText.object([
      ("clean", risks.isEmpty ? "true" : "false"),
      ("order", String(order)),
      ("domain", JSONText.object(ranges.map { ($0.name, pair($0.range)) })),
      ("risks", "[" + entries.joined(separator: ", ") + "]"),
    ])
  }
}

/// `NAME=LO..HI` of `--domain`; the ends are numbers, `inf` or `-inf`.
struct VariableRange: ExpressibleByArgument {
  let name: String
  let range: Interval
  let argument: String

  init?(argument: String) {
    let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, isIdentifier(String(parts[0])) else { return nil }
    let ends = parts[1].components(separatedBy: "..")
    guard ends.count == 2, let lower = Self.number(ends[0]), let upper = Self.number(ends[1])
    else { return nil }
    self.argument = argument
    name = String(parts[0])
    range = lower <= upper ? Interval(lower, upper) : .empty
  }

  private static func number(_ text: String) -> Double? {
    let text = text.trimmingCharacters(in: .whitespaces)
    switch text {
    case "inf", "+inf": return .infinity
    case "-inf": return -.infinity
    default: return Double(text).flatMap { $0.isNaN ? nil : $0 }
    }
  }
}
