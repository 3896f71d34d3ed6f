import Foundation
import Testing

/// The stability table of the README: through `compgraph eval --grad
/// --hessian --derivative x,x,x --json`, the value and the first three
/// derivatives within 1e-15 relative of their closed forms (exactly 0 where
/// the closed form rounds to 0), where the naive forms give NaN, ∞ or 0.
@Suite struct StabilityTableTests {
  struct Row: CustomTestStringConvertible, Sendable {
    let expression: String
    /// The variables' values; derivatives are taken along the first.
    let at: [(String, Double)]
    /// f, then ∂f/∂v for each variable v, then ∂²f/∂v∂w row by row, then ∂³f/∂x³.
    let expected: [Double]
    var testDescription: String {
      "\(expression) at " + at.map { "\($0)=\(formatted($1))" }.joined(separator: ", ")
    }
  }

  /// σ(x) = 1/(1 + e⁻ˣ) and its derivatives σ′ = σ(1 − σ), σ″ = σ′(1 − 2σ),
  /// σ‴ = σ′(1 − 6σ(1 − σ)), with 1 − σ(x) written σ(−x) so nothing cancels.
  static func sigmoid(_ x: Double) -> [Double] {
    let s = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    let r = x >= 0 ? exp(-x) / (1 + exp(-x)) : 1 / (1 + exp(x))  // σ(−x)
    let d1 = s * r
    return [s, d1, d1 * (r - s), d1 * (1 - 6 * d1)]
  }

  /// tanh and its derivatives with s = sech² x = 4e⁻²ˣ/(1 + e⁻²ˣ)² (x > 0):
  /// tanh′ = s, tanh″ = −2·tanh·s, tanh‴ = 4s − 6s².
  static func tanhRow(_ x: Double) -> [Double] {
    let e = exp(-2 * x)
    let s = 4 * e / ((1 + e) * (1 + e))
    return [tanh(x), s, -2 * tanh(x) * s, 4 * s - 6 * s * s]
  }

  /// ln(eᵃ + eᵇ) at a = 0, b = d < 0 with s = σ(d) = e^d/(1 + e^d): the value log1p(e^d),
  /// ∂ = (1 − s, s), ∂² = s(1 − s)·[[1, −1], [−1, 1]], ∂³/∂a³ = −s(1 − s)(1 − 2s).
  static func lse(_ d: Double) -> [Double] {
    let s = exp(d) / (1 + exp(d)), h = s * (1 - s)
    return [log1p(exp(d)), 1 - s, s, h, -h, -h, h, -h * (1 - 2 * s)]
  }

  /// cross_entropy(l, k) = lse(l) − l_k: the gradient is p − onehot(k),
  /// the Hessian diag(p) − ppᵀ and ∂³/∂l₀³ = p₀(1 − p₀)(1 − 2p₀), with
  /// p = softmax(l) computed max-shifted.
  static func crossEntropy(_ logits: [Double], label: Int) -> [Double] {
    let m = logits.max()!
    let e = logits.map { exp($0 - m) }
    let total = e.reduce(0, +)
    let p = e.map { $0 / total }
    let gradient = p.indices.map { p[$0] - ($0 == label ? 1 : 0) }
    let hessian = p.indices.flatMap { i in
      p.indices.map { j in (i == j ? p[i] : 0) - p[i] * p[j] }
    }
    return [m + log(total) - logits[label]] + gradient + hessian
      + [p[0] * (1 - p[0]) * (1 - 2 * p[0])]
  }

  static let rows: [Row] = [
    Row(expression: "sigmoid(x)", at: [("x", -1000)], expected: sigmoid(-1000)),
    Row(expression: "sigmoid(x)", at: [("x", 1000)], expected: sigmoid(1000)),
    // softplus′ = σ, so its derivatives are σ's shifted by one.
    Row(
      expression: "softplus(x)", at: [("x", 1000)],
      expected: [1000 + log1p(exp(-1000))] + sigmoid(1000).prefix(3)),
    Row(
      expression: "softplus(x)", at: [("x", -1000)],
      expected: [log1p(exp(-1000))] + sigmoid(-1000).prefix(3)),
    // ln(eᵃ + eᵇ) at a = b: ln 2 above a; ∂ = ½ each; ∂² = ±¼ (σ′(0)); ∂³ = σ″(0) = 0.
    Row(
      expression: "ln(exp(a) + exp(b))", at: [("a", 1000), ("b", 1000)],
      expected: [1000 + log(2), 0.5, 0.5, 0.25, -0.25, -0.25, 0.25, 0]),
    Row(expression: "ln(exp(a) + exp(b))", at: [("a", 0), ("b", -30)], expected: lse(-30)),
    // ln(1 + x): 1/(1 + x), −1/(1 + x)², 2/(1 + x)³.
    Row(
      expression: "ln(1 + x)", at: [("x", 1e-20)],
      expected: [log1p(1e-20), 1 / (1 + 1e-20), -1 / pow(1 + 1e-20, 2), 2 / pow(1 + 1e-20, 3)]),
    // eˣ − 1: every derivative is eˣ.
    Row(
      expression: "exp(x) - 1", at: [("x", 1e-20)],
      expected: [expm1(1e-20), exp(1e-20), exp(1e-20), exp(1e-20)]),
    Row(expression: "tanh(x)", at: [("x", 1e-20)], expected: tanhRow(1e-20)),
    Row(expression: "tanh(x)", at: [("x", 20)], expected: tanhRow(20)),
    Row(
      expression: "cross_entropy(concat(reshape(a, 1), reshape(b, 1), reshape(c, 1), 0), 1)",
      at: [("a", 1000), ("b", -1000), ("c", 0)],
      expected: crossEntropy([1000, -1000, 0], label: 1)),
  ]

  @Test(arguments: rows) func valueAndThreeDerivativesHold(_ row: Row) throws {
    let names = row.at.map(\.0)
    let x = names[0]
    let bindings: [String] = row.at.flatMap { ["--at", "\($0)=\(formatted($1))"] }
    let arguments: [String] =
      ["eval", row.expression] + bindings
      + ["--grad", "--hessian", "--derivative", "\(x),\(x),\(x)", "--json"]
    let run = try compgraph(arguments: arguments)
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let gradient = try #require(object["gradient"] as? [String: Any])
    let hessian = try #require(object["hessian"] as? [String: [String: Any]])
    let third = try #require(object["derivatives"] as? [String: Any])
    let got: [Any?] =
      [object["value"]] + names.map { gradient[$0] }
      + names.flatMap { v in names.map { w in hessian[v]?[w] } } + [third["\(x),\(x),\(x)"]]
    #expect(got.count == row.expected.count)
    for (value, exact) in zip(got, row.expected) {
      let number = try #require(value as? Double, "\(String(describing: value)) is not a number")
      if exact == 0 {
        #expect(number == 0, "\(number) should be 0")
      } else {
        #expect(abs(number - exact) <= 1e-15 * abs(exact), "\(number) vs \(exact)")
      }
    }
  }

  @Test func logSumExpOfATensorIsShiftedByItsMaximum() throws {
    // ln Σ e^v = 1000 + ln 2 at v = (1000, 1000, −1000); its gradient is softmax v.
    let e = exp(-2000.0)
    let expected = [1000 + log(2 + e), 1 / (2 + e), 1 / (2 + e), e / (2 + e)]
    let run = try compgraph(
      "eval", "ln(sum(exp(v)))", "--at", "v=[1000,1000,-1000]", "--grad", "--json")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let gradient = try #require((object["gradient"] as? [String: Any])?["v"] as? [Double])
    let got = [try #require(object["value"] as? Double)] + gradient
    for (value, exact) in zip(got, expected) {
      #expect(exact == 0 ? value == 0 : abs(value - exact) <= 1e-15 * abs(exact), "\(got)")
    }
  }

  @Test func simplifyShowsTheStabilizeRulesInItsTrace() throws {
    let run = try compgraph(
      "simplify", "ln(1 + x) + ln(exp(a) + exp(b))", "--stabilize", "--trace")
    // Rule locations are file:line; the lines move as the file grows.
    let text = run.stdout.replacingOccurrences(
      of: #"\.swift:\d+:"#, with: ".swift:N:", options: .regularExpression)
    #expect(
      text.hasPrefix(
        """
        # log1p @ Stabilize.swift:N: ln(1 + x) → log1p(x)
        # logsumexp @ Stabilize.swift:N: ln(exp(a) + exp(b)) → max(a, b) + log1p(exp(…))
        f = log1p(x) + max(a, b) + log1p(exp(min(0, a - b) - max(a - b, 0)))

        """), "\(run.stdout)")
    // Not a default phase: plain simplify keeps ln(1 + x).
    #expect(try compgraph("simplify", "ln(1 + x)").stdout.hasPrefix("f = ln(x + 1)\n"))
  }

  @Test func theNaiveFormsFailWithoutTheStabilizePhase() throws {
    let naive = try compgraph(
      "eval", "sigmoid(x)", "--at", "x=-1000", "--grad", "--no-stabilize", "--json")
    #expect(naive.stdout == #"{"value": 0, "gradient": {"x": "nan"}}"# + "\n")
    let tanh = try compgraph("eval", "tanh(x)", "--at", "x=20", "--grad", "--no-stabilize")
    #expect(tanh.stdout == "f = 1\n∂f/∂x = 0\n")
  }
}

/// The shortest text that reads back as `x` (`1e-20`, `-1000`).
private func formatted(_ x: Double) -> String {
  x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
}
