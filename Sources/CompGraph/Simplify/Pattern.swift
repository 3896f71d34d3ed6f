/// The left-hand side of a rewrite rule: a small tree of op heads with
/// named holes, egg style (`(ln (exp ?x))` is `.ln(.exp(x))`).
///
/// A pattern is a few nodes deep, so matching recurses on the *pattern*,
/// never on the graph: the graph may be a million nodes deep.
package indirect enum Pattern: Sendable, CustomStringConvertible {
  /// `?x`: any node, bound to a name; a second `?x` must be the same node.
  case node(String)
  /// `?c`: any scalar constant; its value is bound to the name.
  case scalar(String)
  /// One scalar constant (compared by value, so `0` matches `-0.0` too).
  case literal(Double)
  /// An op with exactly these inputs (in any order for `add` and `mul`), or
  /// with any inputs when `inputs` is `nil`.
  case apply(Head, [Pattern]?)

  /// The op part of a pattern: an op kind, and for `pow` its constant
  /// exponent as a hole (`.any("c")`) or a value (`nil`: any exponent).
  package struct Head: Sendable, Equatable, CustomStringConvertible {
    package let kind: Op.Kind
    package let exponent: Exponent?

    package enum Exponent: Sendable, Equatable {
      case any(String)
      case value(Double)
    }

    package init(_ kind: Op.Kind) {
      self.kind = kind
      self.exponent = nil
    }

    /// A `pow` head with its exponent.
    package static func pow(_ exponent: Exponent) -> Head { Head(.pow, exponent: exponent) }

    private init(_ kind: Op.Kind, exponent: Exponent) {
      self.kind = kind
      self.exponent = exponent
    }

    /// Whether a node of this kind, with this number (`NodeTable.numbers`:
    /// a `pow`'s exponent), has this head.
    func matches(_ kind: Op.Kind, _ number: Double) -> Bool {
      guard kind == self.kind else { return false }
      if case .value(let v) = exponent { return v == number }
      return true
    }

    package var description: String {
      switch exponent {
      case .any(let name): "\(kind.name)[?\(name)]"
      case .value(let v): "\(kind.name)[\(formatNumber(v))]"
      case nil: kind.name
      }
    }
  }

  // Builders that read like the maths: `.ln(.exp(x))`, `.pow(x, "c")`.
  package static func add(_ inputs: Pattern...) -> Pattern { .apply(Head(.add), inputs) }
  package static func mul(_ inputs: Pattern...) -> Pattern { .apply(Head(.mul), inputs) }
  package static func pow(_ x: Pattern, _ exponent: String) -> Pattern {
    .apply(.pow(.any(exponent)), [x])
  }
  package static func pow(_ x: Pattern, _ exponent: Double) -> Pattern {
    .apply(.pow(.value(exponent)), [x])
  }
  package static func exp(_ x: Pattern) -> Pattern { .op(.exp, x) }
  package static func ln(_ x: Pattern) -> Pattern { .op(.ln, x) }
  package static func sqrt(_ x: Pattern) -> Pattern { .op(.sqrt, x) }
  package static func sin(_ x: Pattern) -> Pattern { .op(.sin, x) }
  package static func cos(_ x: Pattern) -> Pattern { .op(.cos, x) }
  package static func tanh(_ x: Pattern) -> Pattern { .op(.tanh, x) }
  /// Any node of this kind, whatever its inputs.
  package static func any(_ kind: Op.Kind) -> Pattern { .apply(Head(kind), nil) }
  /// A node of this kind with exactly these inputs.
  package static func op(_ kind: Op.Kind, _ inputs: Pattern...) -> Pattern {
    .apply(Head(kind), inputs)
  }

  /// The names of the node holes and of the number holes (scalar
  /// constants and `pow` exponents), in pattern order.
  var holeNames: (nodes: [String], numbers: [String]) {
    switch self {
    case .node(let name): return ([name], [])
    case .scalar(let name): return ([], [name])
    case .literal: return ([], [])
    case .apply(let head, let inputs):
      var numbers: [String] = []
      if case .any(let name)? = head.exponent { numbers.append(name) }
      var nodes: [String] = []
      for input in inputs ?? [] {
        let names = input.holeNames
        nodes += names.nodes
        numbers += names.numbers
      }
      return (nodes, numbers)
    }
  }

  /// The head a matching node must have (`nil`: any node), used to index rules.
  var head: Head? {
    if case .apply(let head, _) = self { return head }
    return nil
  }

  /// S-expression text: `(ln (exp ?x))`.
  package var description: String {
    switch self {
    case .node(let name): return "?\(name)"
    case .scalar(let name): return "?\(name):const"
    case .literal(let v): return formatNumber(v)
    case .apply(let head, nil): return "(\(head) …)"
    case .apply(let head, let inputs?):
      return "(" + ([head.description] + inputs.map(\.description)).joined(separator: " ") + ")"
    }
  }
}

/// The holes a pattern bound: nodes by name, and numbers (scalar constants
/// and `pow` exponents) by name.  `root` is the matched node.
///
/// Every field is a plain word, so making and dropping a match (once per
/// rule tried, hundreds of thousands of times a pass) costs no reference
/// counting.
package struct Match {
  package let root: NodeID
  var nodes = Bindings()
  var numbers = Bindings()

  init(root: NodeID) { self.root = root }

  /// The node bound to `?name` (a rule only asks for holes its pattern has).
  package subscript(_ name: String) -> NodeID { nodes[HoleName(name)].map(NodeID.init(bits:))! }

  /// The number bound to `?name` (a scalar constant or a `pow` exponent).
  package func number(_ name: String) -> Double {
    numbers[HoleName(name)].map(Double.init(bitPattern:))!
  }
}

/// A hole's name as one word: its UTF-8 bytes, of which a rule's pattern
/// has at most `capacity` (`RewriteRule.init` checks).
struct HoleName: Equatable {
  static let capacity = 8
  let bits: UInt64

  init(_ name: String) {
    var bits: UInt64 = 0
    for (i, byte) in name.utf8.prefix(Self.capacity).enumerated() {
      bits |= UInt64(byte) << (8 * UInt64(i))
    }
    self.bits = bits
  }
}

/// The name → value pairs of one sort that a match bound, values as bit
/// patterns: at most `capacity` of them (`RewriteRule.init` checks), kept
/// inline, so binding allocates nothing.
struct Bindings {
  static let capacity = 4
  private var names: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private var values: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private var count = 0

  /// The value bound to `name`, if any.
  subscript(_ name: HoleName) -> UInt64? {
    if count > 0 && names.0 == name.bits { return values.0 }
    if count > 1 && names.1 == name.bits { return values.1 }
    if count > 2 && names.2 == name.bits { return values.2 }
    if count > 3 && names.3 == name.bits { return values.3 }
    return nil
  }

  mutating func bind(_ name: HoleName, to value: UInt64) {
    switch count {
    case 0: (names.0, values.0) = (name.bits, value)
    case 1: (names.1, values.1) = (name.bits, value)
    case 2: (names.2, values.2) = (name.bits, value)
    default: (names.3, values.3) = (name.bits, value)
    }
    count += 1
  }
}

extension NodeID {
  /// The id whose `rawValue` is the low 32 bits of `bits` (a bound hole).
  init(bits: UInt64) { self.init(Int(Int32(truncatingIfNeeded: bits))) }

  /// The id as a bound hole's value.
  var bits: UInt64 { UInt64(UInt32(bitPattern: rawValue)) }
}

/// How the driver matches a rule's pattern: the two common shapes — one
/// head with any inputs, one hole — without walking the pattern tree (whose
/// indirect cases cost reference counting to read); others by the walk.
enum PatternShape {
  /// `.apply(head, nil)`: any node of this kind (and `pow` exponent, when
  /// the head gives its value); binds nothing.
  case head(Op.Kind, exponent: Double?)
  /// `.node(name)`: any node, bound to `name`.
  case hole(HoleName)
  /// Any other pattern, walked; `inputKind` is the op kind its one input
  /// must have, when the pattern says (`(pow (pow ?x ?a) ?b)`), checked
  /// before the walk.
  case tree(inputKind: Op.Kind?)

  init(_ pattern: Pattern) {
    switch pattern {
    case .apply(let head, nil):
      if case .value(let v) = head.exponent {
        self = .head(head.kind, exponent: v)
      } else {
        self = .head(head.kind, exponent: nil)
      }
    case .node(let name): self = .hole(HoleName(name))
    case .apply(_, let inputs?) where inputs.count == 1:
      if case .apply(let head, _) = inputs[0] {
        self = .tree(inputKind: head.kind)
      } else {
        self = .tree(inputKind: nil)
      }
    case .scalar, .literal, .apply: self = .tree(inputKind: nil)
    }
  }
}

extension GraphBuilder {
  /// Matches `rule`'s pattern at `id`; returns the bindings or `nil`.
  /// (Inlined into the driver's loop: a match returned by a call is
  /// copied out, and the driver makes one per rule tried.)
  @inline(__always)
  func match(_ rule: RewriteRule, at id: NodeID) -> Match? {
    switch rule.shape {
    case .head(let kind, let exponent):
      guard nodes.kinds[id.index] == kind else { return nil }
      if let exponent, exponent != nodes.numbers[id.index] { return nil }
      return Match(root: id)
    case .hole(let name):
      var match = Match(root: id)
      match.nodes.bind(name, to: id.bits)
      return match
    case .tree(let inputKind):
      if let inputKind {
        let ins = borrowedInputs(id)
        guard ins.count == 1, nodes.kinds[ins[0].index] == inputKind else { return nil }
      }
      var match = Match(root: id)
      return bind(rule.pattern, id, &match) ? match : nil
    }
  }

  /// Recursion here follows the pattern (a few levels), not the graph.
  private func bind(_ pattern: Pattern, _ id: NodeID, _ match: inout Match) -> Bool {
    switch pattern {
    case .node(let name):
      let hole = HoleName(name)
      if let bound = match.nodes[hole] { return bound == id.bits }
      match.nodes.bind(hole, to: id.bits)
      return true
    case .scalar(let name):
      guard let value = scalarConstant(id) else { return false }
      let hole = HoleName(name)
      if let bound = match.numbers[hole] { return Double(bitPattern: bound) == value }
      match.numbers.bind(hole, to: value.bitPattern)
      return true
    case .literal(let value):
      return scalarConstant(id) == value
    case .apply(let head, let inputPatterns):
      guard head.matches(nodes.kinds[id.index], nodes.numbers[id.index]) else { return false }
      if case .any(let name)? = head.exponent {
        let c = nodes.numbers[id.index]
        let hole = HoleName(name)
        if let bound = match.numbers[hole] {
          if Double(bitPattern: bound) != c { return false }
        } else {
          match.numbers.bind(hole, to: c.bitPattern)
        }
      }
      guard let inputPatterns else { return true }
      let ins = borrowedInputs(id)  // matching builds nothing
      guard ins.count == inputPatterns.count else { return false }
      let start = ins.startIndex
      if head.kind.isCommutative && ins.count > 1 && ins.count <= 3 {
        // Commutative inputs are sorted by id, not by pattern: try each order.
        for order in permutations(ins.count) {
          var attempt = match
          if zip(order, inputPatterns).allSatisfy({ bind($1, ins[start + $0], &attempt) }) {
            match = attempt
            return true
          }
        }
        return false
      }
      return zip(inputPatterns, ins).allSatisfy { bind($0, $1, &match) }
    }
  }
}

/// The orders of 0..<n for n ≤ 3.
private func permutations(_ n: Int) -> [[Int]] {
  n == 2 ? orders2 : n == 3 ? orders3 : [Array(0..<n)]
}

private let orders2 = [[0, 1], [1, 0]]
private let orders3 = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
