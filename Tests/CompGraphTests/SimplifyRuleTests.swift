import Foundation
import Testing

@testable import CompGraph

/// One row per rule, egg style: `input ⇒ expected`.  The expected expression
/// is built by hand in the same builder, so "simplifies to" is an integer
/// comparison of node ids (hash-consing).  Each row also checks that its rule
/// fired, and that the result evaluates like the input.
@Suite struct SimplifyRuleTests {
  struct Row: CustomTestStringConvertible, Sendable {
    let rule: String
    let note: String
    var phases: Set<Phase> = [.canonicalize, .foldConstants, .algebraic]
    var assumeFinite = true
    let build: @Sendable (Vars) throws -> (input: Expr, expected: Expr)
    var testDescription: String { "\(rule): \(note)" }
  }

  /// The handles a row builds with.
  struct Vars {
    let g: GraphBuilder
    let x: Expr
    let y: Expr
    let a: Expr  // a 2×3 matrix
    let b: Expr  // a 3×4 matrix
    let v: Expr  // a length-3 vector
    func c(_ value: Double) -> Expr { g.constant(value) }
    func node(_ op: Op, _ inputs: Expr...) throws -> Expr {
      g.expr(try g.node(op, inputs.map { try $0.node() }))
    }
  }

  static let all: Set<Phase> = SimplifyOptions().phases

  static let rows: [Row] = [
    // canonicalize
    Row(rule: "sum-collect", note: "x + x + y ⇒ 2x + y") { v in (v.x + v.x + v.y, 2 * v.x + v.y) },
    Row(rule: "sum-collect", note: "x + 0 ⇒ x") { v in (v.x + 0.0, v.x) },
    Row(rule: "sum-collect", note: "(x + 1) + (y + 2) ⇒ x + y + 3") { v in
      (v.x + 1 + (v.y + 2), try v.node(.add, v.x, v.y, v.c(3)))
    },
    Row(rule: "sum-collect", note: "x − x ⇒ 0") { v in (v.x - v.x, v.c(0)) },
    Row(rule: "sum-collect", note: "(x + 1)²·((x + 1) + 1) ⇒ (x + 1)²·(x + 2), x + 1 shared") { v in
      (pow(v.x + 1, 2) * (v.x + 1 + 1), pow(v.x + 1, 2) * (v.x + 2))
    },
    Row(rule: "product-collect", note: "x·x·y ⇒ x²·y") { v in (v.x * v.x * v.y, pow(v.x, 2) * v.y)
    },
    Row(rule: "product-collect", note: "x·x⁻¹ ⇒ 1 (a·a⁻¹ policy)") { v in
      (v.x * pow(v.x, -1), v.c(1))
    },
    Row(rule: "product-collect", note: "eˣ·eʸ ⇒ eˣ⁺ʸ") { v in (exp(v.x) * exp(v.y), exp(v.x + v.y))
    },
    Row(rule: "product-collect", note: "eˣ·e⁻ˣ ⇒ 1") { v in (exp(v.x) * exp(-v.x), v.c(1)) },
    Row(rule: "product-collect", note: "2·(3·x) ⇒ 6x") { v in (2 * (3 * v.x), 6 * v.x) },
    Row(rule: "distribute-coefficient", note: "2·(1 + 3x) ⇒ 2 + 6x") { v in
      (2 * (1 + 3 * v.x), 2 + 6 * v.x)
    },
    Row(rule: "pow-one", note: "x¹ ⇒ x") { v in (try v.node(.pow(1), v.x), v.x) },
    Row(rule: "pow-zero", note: "x⁰ ⇒ 1") { v in (try v.node(.pow(0), v.x), v.c(1)) },
    Row(rule: "pow-pow", note: "(x²)³ ⇒ x⁶") { v in (pow(pow(v.x, 2), 3), pow(v.x, 6)) },
    Row(rule: "pow-pow", note: "(√x)⁻¹ ⇒ x^−½") { v in (pow(sqrt(v.x), -1), pow(v.x, -0.5)) },
    Row(rule: "pow-pow", note: "(√(x²))² ⇒ x² (x² ≥ 0 known)") { v in
      (pow(sqrt(pow(v.x, 2)), 2), pow(v.x, 2))
    },
    Row(rule: "pow-product", note: "(x·y)² ⇒ x²·y²") { v in
      (pow(v.x * v.y, 2), pow(v.x, 2) * pow(v.y, 2))
    },
    Row(rule: "pow-exp", note: "(eˣ)³ ⇒ e³ˣ") { v in (pow(exp(v.x), 3), exp(3 * v.x)) },
    Row(rule: "sqrt-as-pow", note: "√x ⇒ x^½") { v in (sqrt(v.x), pow(v.x, 0.5)) },
    // fold constants
    Row(rule: "fold-constants", note: "sin(½) ⇒ 0.479…") { v in
      (sin(v.c(0.5)), v.c(Foundation.sin(0.5)))
    },
    Row(rule: "fold-constants", note: "exp(0) + x ⇒ 1 + x") { v in (exp(v.c(0)) + v.x, 1 + v.x) },
    // algebraic
    Row(rule: "mul-zero", note: "0·x ⇒ 0") { v in (try v.node(.mul, v.c(0), v.x), v.c(0)) },
    Row(rule: "mul-zero", note: "0·tanh x ⇒ 0, even without assumeFinite", assumeFinite: false) {
      v in
      (try v.node(.mul, v.c(0), tanh(v.x)), v.c(0))
    },
    Row(rule: "ln-exp", note: "ln(eˣ) ⇒ x") { v in (ln(exp(v.x)), v.x) },
    Row(rule: "exp-ln", note: "e^(ln x²) ⇒ x² (x² ≥ 0)") { v in (exp(ln(pow(v.x, 2))), pow(v.x, 2))
    },
    Row(rule: "exp-scaled-ln", note: "e^(3·ln(eˣ + 1)) ⇒ (eˣ + 1)³") { v in
      (exp(3 * ln(exp(v.x) + 1)), pow(exp(v.x) + 1, 3))
    },
    Row(rule: "power-constant", note: "x^(y − y + 3) ⇒ x³") { v in
      (pow(v.x, v.y - v.y + 3), pow(v.x, 3))
    },
    Row(rule: "pythagoras", note: "3sin²x + 3cos²x + y ⇒ 3 + y") { v in
      (3 * pow(sin(v.x), 2) + 3 * pow(cos(v.x), 2) + v.y, 3 + v.y)
    },
    Row(rule: "sin-odd", note: "sin(−x) ⇒ −sin x") { v in (sin(-v.x), -sin(v.x)) },
    Row(rule: "tanh-odd", note: "tanh(−2x) ⇒ −tanh 2x") { v in (tanh(-2 * v.x), -tanh(2 * v.x)) },
    Row(rule: "cos-even", note: "cos(−x) ⇒ cos x") { v in (cos(-v.x), cos(v.x)) },
    Row(rule: "sum-to-sum", note: "Σ→[](Σ→[3](A)) ⇒ Σ→[](A)") { v in
      (v.a.sum(to: [3]).sum(), v.a.sum())
    },
    Row(rule: "broadcast-to-broadcast", note: "⇑[2,3](⇑[3](x)) ⇒ ⇑[2,3](x)") { v in
      (v.x.broadcast(to: [3]).broadcast(to: [2, 3]), v.x.broadcast(to: [2, 3]))
    },
    Row(rule: "reshape-reshape", note: "reshape(reshape(A, 3x2), 6) ⇒ reshape(A, 6)") { v in
      (reshape(reshape(v.a, [3, 2]), [6]), reshape(v.a, [6]))
    },
    Row(rule: "reshape-same", note: "reshape(A, 2x3) ⇒ A") { v in (reshape(v.a, [2, 3]), v.a) },
    Row(rule: "sum-to-broadcast", note: "Σ(⇑[4](x)) ⇒ 4x") { v in
      (v.x.broadcast(to: [4]).sum(), 4 * v.x)
    },
    Row(rule: "select-constant", note: "where(2, x, y) ⇒ x") { v in
      (try v.node(.select, v.c(2), v.x, v.y), v.x)
    },
    Row(rule: "select-constant", note: "where(0, x, v) ⇒ v") { v in
      (try v.node(.select, v.c(0), v.x, v.v), v.v)
    },
    Row(rule: "select-constant", note: "where(nan, x, v) ⇒ ⇑[3](x)") { v in
      (try v.node(.select, v.c(.nan), v.x, v.v), v.x.broadcast(to: [3]))
    },
    Row(rule: "select-same", note: "where(x, v, v) ⇒ v") { v in
      (try v.node(.select, v.x, v.v, v.v), v.v)
    },
    // einsum
    Row(rule: "einsum-identity", note: "einsum(ij->ij, A) ⇒ A") { v in (einsum("ij->ij", v.a), v.a)
    },
    Row(rule: "einsum-to-sum", note: "einsum(ij->j, A) ⇒ Σ→[3](A)") { v in
      (einsum("ij->j", v.a), v.a.sum(to: [3]))
    },
    Row(
      rule: "einsum-merge", note: "einsum(ij,j->i, A, einsum(jk,k->j, B, w)) ⇒ einsum(ij,jk,k->i)"
    ) { v in
      let w = try v.g.variable("w", [4])
      return (einsum("ij,j->i", v.a, einsum("jk,k->j", v.b, w)), einsum("ij,jk,k->i", v.a, v.b, w))
    },
    Row(rule: "einsum-constant-operand", note: "einsum(ij,j->i, A, 1) ⇒ einsum(ij->i, A)") { v in
      (einsum("ij,j->i", v.a, v.g.constant(Tensor(repeating: 1, shape: [3]))), einsum("ij->i", v.a))
    },
    Row(rule: "einsum-constant-operand", note: "einsum(ik,jk->ij, ⇑1, B) ⇒ ⇑(einsum(jk->j, B))") {
      v in
      let ones = v.c(1).broadcast(to: [2, 4])
      return (einsum("ik,jk->ij", ones, v.b), einsum("jk->j", v.b).broadcast(to: [2, 3]))
    },
    Row(rule: "sum-of-broadcast-product", note: "Σ→[3](A·v) ⇒ einsum(ij,j->j, A, v)") { v in
      ((v.a * v.v).sum(to: [3]), einsum("ij,j->j", v.a, v.v))
    },
    Row(rule: "sum-of-broadcast-product", note: "Σ(x·A·v) ⇒ x·einsum(ij,j->, A, v)") { v in
      ((v.x * v.a * v.v).sum(), einsum("ij,j->", v.a, v.v) * v.x)
    },
    Row(rule: "einsum-delta", note: "einsum(ij,jk->ik, A, δ) ⇒ A") { v in
      (einsum("ij,jk->ik", v.a, v.g.constant(Tensor.identity(3))), v.a)
    },
    // lowering
    Row(rule: "polynomial-horner", note: "1 − 2t² + t⁴ ⇒ (t² − 2)·t² + 1", phases: all) { v in
      let t = tanh(v.x)
      let s = pow(t, 2)
      return (1 - 2 * pow(t, 2) + pow(t, 4), (s - 2) * s + 1)
    },
    Row(
      rule: "polynomial-horner", note: "t − 2t³ + 3t⁵ − t⁷ ⇒ t·(((3 − t²)·t² − 2)·t² + 1)",
      phases: all
    ) { v in
      let t = tanh(v.x)
      let s = pow(t, 2)
      return (t - 2 * pow(t, 3) + 3 * pow(t, 5) - pow(t, 7), t * (((-1 * s + 3) * s - 2) * s + 1))
    },
    Row(
      rule: "polynomial-horner", note: "x·y + x·sin y + x·cos y ⇒ x·(y + sin y + cos y)",
      phases: all
    ) { v in
      (
        v.x * v.y + v.x * sin(v.y) + v.x * cos(v.y),
        v.x * (try v.node(.add, v.y, sin(v.y), cos(v.y)))
      )
    },
    Row(rule: "polynomial-horner", note: "x²y + x²·sin y + x ⇒ x·(x·(y + sin y) + 1)", phases: all)
    { v in
      (
        pow(v.x, 2) * v.y + pow(v.x, 2) * sin(v.y) + v.x,
        v.x * (v.x * (v.y + sin(v.y)) + 1)
      )
    },
    Row(rule: "exp-power-sharing", note: "eˣ + e⁻ˣ ⇒ eˣ + (eˣ)⁻¹", phases: all) { v in
      (exp(v.x) + exp(-v.x), exp(v.x) + pow(exp(v.x), -1))
    },
    Row(rule: "pow-half-as-sqrt", note: "x^½ ⇒ √x", phases: all) { v in (pow(v.x, 0.5), sqrt(v.x))
    },
    Row(rule: "uniform-factor", note: "v·⇑½·2 ⇒ v", phases: all) { v in
      (v.v * v.c(0.5).broadcast(to: [3]) * 2, v.v)
    },
    Row(rule: "uniform-term", note: "v + ⇑1 ⇒ v + 1", phases: all) { v in
      (v.v + v.c(1).broadcast(to: [3]), v.v + 1.0)
    },
    // stabilize (alone, as eval runs it)
    Row(rule: "softplus", note: "ln(1 + eˣ) ⇒ max(x, 0) + log1p(e^−|x|)", phases: [.stabilize]) {
      v in (ln(1 + exp(v.x)), stableSoftplus(v, v.x))
    },
    Row(
      rule: "logsumexp", note: "ln(eˣ + eʸ) ⇒ max(x, y) + log1p(e^−|x − y|)", phases: [.stabilize]
    ) { v in
      (ln(exp(v.x) + exp(v.y)), max(v.x, v.y) + log1p(exp(minusAbs(v, v.x + (-1.0) * v.y))))
    },
    Row(
      rule: "logsumexp", note: "ln(eˣ + 2) ⇒ max(x, ln 2) + log1p(e^−|x − ln 2|)",
      phases: [.stabilize]
    ) { v in
      let c = v.c(Foundation.log(2.0))
      return (ln(exp(v.x) + 2), max(v.x, c) + log1p(exp(minusAbs(v, v.x + (-1.0) * c))))
    },
    Row(
      rule: "logsumexp-tensor", note: "ln Σ e^v ⇒ m + ln Σ e^(v − m), m = max v",
      phases: [.stabilize]
    ) {
      v in
      let top = amax(reshape(v.v, [3]), axis: 0)
      return (ln(exp(v.v).sum()), top + ln(exp(v.v + (-1.0) * top.broadcast(to: [3])).sum()))
    },
    Row(rule: "log-sigmoid", note: "ln((1 + eˣ)⁻¹) ⇒ −softplus(x)", phases: [.stabilize]) { v in
      (ln(pow(1 + exp(v.x), -1)), (-1.0) * stableSoftplus(v, v.x))
    },
    Row(
      rule: "sigmoid", note: "(1 + eˣ)⁻¹ ⇒ e^−max(x, 0) / (2 + expm1(−|x|))", phases: [.stabilize]
    ) {
      v in
      (
        pow(1 + exp(v.x), -1),
        exp((-1.0) * max(v.x, 0.0)) * pow(2 + expm1(minusAbs(v, v.x)), -1)
      )
    },
    Row(rule: "log1p", note: "ln(1 + x) ⇒ log1p(x)", phases: [.stabilize]) { v in
      (ln(1 + v.x), log1p(v.x))
    },
    Row(rule: "expm1", note: "eˣ − 1 + y ⇒ expm1(x) + y", phases: [.stabilize]) { v in
      (exp(v.x) - 1 + v.y, expm1(v.x) + v.y)
    },
    Row(
      rule: "tanh",
      note: "tanh x ⇒ where(|x| ≤ 1, tanh(clamp x), h(−2·max(x, 0)) − h(2·min(0, x)))",
      phases: [.stabilize]
    ) {
      v in
      // h(z) = −expm1(z)/(2 + expm1(z)); the second term's sign joins its product.
      func h(_ z: Expr, _ signs: [Expr]) -> Expr {
        product(signs + [expm1(z), pow(2 + expm1(z), -1)])
      }
      let z = ((-2.0) * max(v.x, 0.0), 2.0 * min(v.c(0), v.x))
      let clamped = max(min(v.x, 1.0), -1.0)
      let outside = h(z.0, [v.c(-1)]) + h(z.1, [v.c(-1), v.c(-1)])
      return (tanh(v.x), select(lessEqual(abs(v.x), v.c(1)), tanh(clamped), outside))
    },
    Row(rule: "sqrt-square", note: "√(x²) ⇒ |x|", phases: [.stabilize]) { v in
      (sqrt(pow(v.x, 2)), abs(v.x))
    },
  ]

  /// ARCHITECTURE.md invariant 7: each rule is a named value with a row here where it fires.
  @Test(arguments: rows)
  func rule(_ row: Row) throws {
    let g = GraphBuilder()
    let vars = Vars(
      g: g, x: try g.variable("x"), y: try g.variable("y"), a: try g.variable("A", [2, 3]),
      b: try g.variable("B", [3, 4]), v: try g.variable("v", [3]))
    let (input, expected) = try row.build(vars)
    var options = SimplifyOptions()
    options.phases = row.phases
    options.assumeFinite = row.assumeFinite
    var fired: [String] = []
    let result = simplify(input, options: options) { fired.append($0.rule) }
    #expect(fired.contains(row.rule), "\(row.rule) did not fire; fired: \(fired)")
    let (got, want) = (try result.node(), try expected.node())
    #expect(
      got == want, "got \(g.shortText(got, depth: 6)), expected \(g.shortText(want, depth: 6))")
    // Same values at a point inside every rule's domain.
    let at: [String: Tensor] = [
      "x": Tensor(0.7), "y": Tensor(-1.3), "w": Tensor(shape: [4], scalars: [1, -2, 0.5, 3]),
      "A": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
      "B": Tensor(shape: [3, 4], scalars: (0..<12).map { Double($0) - 5 }),
      "v": Tensor(shape: [3], scalars: [0.5, -1, 2]),
    ]
    let before = try input.graph().evaluate(at)[0], after = try result.graph().evaluate(at)[0]
    #expect(before.shape == after.shape)
    for (p, q) in zip(before.scalars, after.scalars) { #expect(isClose(q, p, tolerance: 1e-12)) }
    try result.graph().checkInvariants()
  }

  /// Side conditions: rules that must not fire outside their domain.
  @Test func conditionsHoldRulesBack() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    var noLowering = SimplifyOptions()
    noLowering.phases = [.canonicalize, .foldConstants, .algebraic]
    // (x²)^½ = |x|, not x.
    let root = pow(pow(x, 2), 0.5)
    #expect(try simplify(root, options: noLowering).node() == root.node())
    // e^(ln x) = x only for x ≥ 0.
    let expLn = exp(ln(x))
    #expect(try simplify(expLn).node() == expLn.node())
    // 0·x is kept for an x that may be infinite when finiteness is not assumed.
    var strict = noLowering
    strict.assumeFinite = false
    let zeroTimes = g.expr(try g.node(.mul, [g.constantNode(0), try x.node()]))
    #expect(try simplify(zeroTimes, options: strict).node() == zeroTimes.node())
    let cancel = ln(x) - ln(x)
    #expect(try simplify(cancel, options: strict).evaluate(["x": 0.0]).isNaN)
    #expect(try simplify(cancel).evaluate(["x": 0.0]) == 0)
  }

  @Test func everyRuleHasARowAndALocation() {
    let tested = Set(Self.rows.map(\.rule))
    for phase in Phase.allCases {
      for rule in phase.rules {
        #expect(tested.contains(rule.name), "no test row for \(rule.name)")
        #expect(rule.location.hasSuffix(".swift:\(rule.line)"))
        #expect(
          rule.location.lowercased().hasPrefix(phase.rawValue.lowercased()), "\(rule.location)")
      }
    }
  }

  @Test func traceLinesNameRuleAndLocation() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    var lines: [String] = []
    _ = simplify(ln(exp(x)) + 0.0) { lines.append($0.description) }
    let line = try #require(lines.first { $0.hasPrefix("ln-exp") })
    #expect(
      line.range(
        of: #"^ln-exp @ Algebraic\.swift:\d+: ln\(exp\(x\)\) → x$"#, options: .regularExpression)
        != nil, "\(line)")
  }
}

/// −|x| as the stabilize phase writes it: min(0, x) − max(x, 0).
private func minusAbs(_ v: SimplifyRuleTests.Vars, _ x: Expr) -> Expr {
  min(v.c(0), x) + (-1.0) * max(x, 0.0)
}

/// softplus(x) as the stabilize phase writes it: max(x, 0) + log1p(e^−|x|).
private func stableSoftplus(_ v: SimplifyRuleTests.Vars, _ x: Expr) -> Expr {
  max(x, 0.0) + log1p(exp(minusAbs(v, x)))
}
