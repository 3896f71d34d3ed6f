/// A rewrite rule as data (ARCHITECTURE.md invariant 7): a name, a pattern, an
/// optional side condition and a result.  The identity it implements is
/// the doc comment on its declaration, with the condition under which it
/// holds; rules that are wrong for NaN/∞ or outside a domain say so there
/// and carry that condition.
///
/// The result is a function of the match: either a fixed right-hand side
/// (`ln(eˣ) → x`) or a computed one (collecting a sum's like terms).  It
/// returns `nil` when there is nothing to do.  The driver checks that a
/// result has the shape of the node it replaces, so a rule cannot change a
/// shape.
package final class RewriteRule: Sendable, CustomStringConvertible {
  package let name: String
  package let phase: Phase
  package let pattern: Pattern
  /// How the driver matches `pattern`.
  let shape: PatternShape
  let condition: (@Sendable (Match, RuleContext) -> Bool)?
  let result: @Sendable (Match, RuleContext) throws -> NodeID?
  /// Where the rule is declared (`CompGraph/Simplify/Algebraic.swift`), for `--trace`.
  package let fileID: String
  package let line: Int
  /// Where the identity holds, when `assumeFinite` lets it fire outside
  /// that domain; `--trace` prints it beside each firing.
  package let domain: String?
  /// For a headless pattern, the op kinds its condition lets it fire on
  /// (`nil`: every kind): the driver tries it on those kinds only.
  let kinds: Set<Op.Kind>?

  init(
    _ name: String, _ phase: Phase, _ pattern: Pattern, on kinds: Set<Op.Kind>? = nil,
    if condition: (@Sendable (Match, RuleContext) -> Bool)? = nil,
    domain: String? = nil,
    fileID: String = #fileID, line: Int = #line,
    _ result: @escaping @Sendable (Match, RuleContext) throws -> NodeID?
  ) {
    let (nodes, numbers) = pattern.holeNames
    precondition(
      (nodes + numbers).allSatisfy { $0.utf8.count <= HoleName.capacity }
        && Set(nodes).count <= Bindings.capacity && Set(numbers).count <= Bindings.capacity,
      "rule \(name): a pattern names holes with at most \(HoleName.capacity) UTF-8 bytes, and at most \(Bindings.capacity) of a sort"
    )
    self.name = name
    self.phase = phase
    self.pattern = pattern
    self.shape = PatternShape(pattern)
    self.condition = condition
    self.domain = domain
    self.kinds = kinds
    self.result = result
    self.fileID = fileID
    self.line = line
  }

  /// `file:line` of the declaration, without the module prefix.
  package var location: String {
    let file = fileID.split(separator: "/").last.map(String.init) ?? fileID
    return "\(file):\(line)"
  }

  package var description: String { "\(name) @ \(location): \(pattern)" }
}

/// The phases, in the order the driver runs them.  The first three are run
/// together to a fixpoint (each node tries canonicalize's rules first, then
/// folding, then the identities); stabilize runs next, on the normal form,
/// and lowering last, because canonicalization would undo it.
public enum Phase: String, Sendable, CaseIterable, Comparable {
  /// Normal forms for sums (term → coefficient), products (base → exponent)
  /// and powers, so that equal values become the same node.
  case canonicalize
  /// Evaluates ops whose inputs are all constants, with the evaluator's table.
  case foldConstants
  /// Identities that shrink the graph: `ln(eˣ) → x`, `0·x → 0`, einsum rules.
  case algebraic
  /// Rewrites for accuracy (PyTensor's `stabilize`): forms whose value and
  /// every derivative stay finite and accurate where the naive form
  /// overflows or cancels, `ln(1 + x) → log1p(x)`, max-shifted logsumexp.
  /// Not in the default phases: `compgraph eval` runs it (alone) before
  /// differentiating, and `compgraph simplify --stabilize` shows it.
  case stabilize
  /// Rewrites for evaluation cost: Horner form, factoring, `x^½ → √x`.
  case lowering

  /// The rule table of this phase.
  package var rules: [RewriteRule] {
    switch self {
    case .canonicalize: canonicalizeRules
    case .foldConstants: foldConstantsRules
    case .algebraic: algebraicRules + einsumRules + reshapeRules
    case .stabilize: stabilizeRules
    case .lowering: loweringRules
    }
  }

  public static func < (a: Phase, b: Phase) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

/// One rule firing, as `--trace` prints it: `rule @ file:line: before → after`.
public struct RuleFiring: Sendable, CustomStringConvertible {
  public let rule: String
  /// `file:line` of the rule's declaration.
  public let location: String
  /// Short text of the node before and after (deep subterms elided as `…`).
  public let before: String
  public let after: String
  /// The rule's domain when it is narrower than all reals (`RewriteRule.domain`).
  public let domain: String?
  /// The node rewritten and the node it became, in the simplifying
  /// builder's arena (`GraphBuilder.simplify` keeps both there), so a
  /// viewer can draw the two subgraphs side by side.
  public let node: NodeID
  public let result: NodeID

  public var description: String {
    "\(rule) @ \(location): \(before) → \(after)" + (domain.map { " (\($0))" } ?? "")
  }
}

/// Knobs of the simplifier.  The defaults are what `compgraph simplify` uses.
public struct SimplifyOptions: Sendable, Equatable {
  /// The phases to run: all but stabilize (lowering can be left out to see
  /// the normal form).
  public var phases: Set<Phase> = Set(Phase.allCases).subtracting([.stabilize])
  /// Iteration cap: passes over the graph per stage before giving up on a fixpoint.
  public var maxPasses = 32
  /// Rewrites tried at one node within one pass.
  public var maxRewritesPerNode = 16
  /// Treat every subexpression as finite where the expression is evaluated
  /// (SymPy's and SymEngine's default, `-ffinite-math-only`'s spirit).  With
  /// it, `0·x → 0` and `x − x → 0` fire for every `x`; without it, only when
  /// `x` is provably finite (bounded ops like tanh, sin, cos and constants).
  /// Labelled unsound for x = ±∞ or NaN, where the original gives NaN.
  public var assumeFinite = true
  /// Largest polynomial (in terms) that lowering expands before giving up.
  public var maxPolynomialTerms = 256
  /// Largest polynomial region (in nodes) that lowering looks at.
  public var maxRegionNodes = 4096
  /// Largest constant (in elements) that folding materialises.
  public var maxFoldElements = 4096

  public init() {}

  /// The stabilize phase alone: stable forms of an expression as written,
  /// which is what `compgraph eval` differentiates and evaluates.
  public static var stabilizeOnly: SimplifyOptions {
    var options = SimplifyOptions()
    options.phases = [.stabilize]
    return options
  }
}
