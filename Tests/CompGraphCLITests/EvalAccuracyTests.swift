import Foundation
import Testing

/// `compgraph eval` where it once went wrong (issue 26 §0), against closed forms: the branch
/// not taken does not poison a derivative, the stable forms are accurate near 0 and where one
/// term dominates, eval simplifies before differentiating as `grad` does, and `amax`'s axis is
/// optional.
@Suite struct EvalAccuracyTests {
  /// `eval … --json`'s numbers: the value, the gradient and the Hessian in the variables'
  /// order, each entry exactly its number (NaN if it was not one).
  static func numbers(_ arguments: [String], variables: [String]) throws -> [Double] {
    let run = try compgraph(arguments: ["eval"] + arguments + ["--json"])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let gradient = object["gradient"] as? [String: Any] ?? [:]
    let hessian = object["hessian"] as? [String: [String: Any]] ?? [:]
    var entries: [Any?] = [object["value"]]
    if !gradient.isEmpty { entries += variables.map { gradient[$0] } }
    for v in variables where !hessian.isEmpty {
      entries += variables.map { w -> Any? in hessian[v]?[w] }
    }
    return entries.map { ($0 as? Double) ?? .nan }
  }

  static func expectClose(_ got: [Double], _ exact: [Double], _ label: String) {
    #expect(got.count == exact.count, "\(label): \(got)")
    for (value, want) in zip(got, exact) {
      #expect(
        want == 0 ? value == 0 : abs(value - want) <= 2e-15 * abs(want),
        "\(label): \(got), exactly \(exact)")
    }
  }

  @Test(arguments: [true, false]) func theBranchNotTakenDoesNotPoisonDerivatives(stable: Bool)
    throws
  {
    let flag = stable ? [] : ["--no-stabilize"]
    // x = 0 takes y; √y's derivative is NaN at y = −1.
    Self.expectClose(
      try Self.numbers(
        ["where(x, sqrt(y), y)", "--at", "x=0", "--at", "y=-1", "--grad", "--hessian"] + flag,
        variables: ["x", "y"]),
      [-1, 0, 1, 0, 0, 0, 0], "where")
    // min takes x = 0; e^y's derivative is ∞ at y = 1000.
    Self.expectClose(
      try Self.numbers(
        ["min(x, exp(y))", "--at", "x=0", "--at", "y=1000", "--grad"] + flag,
        variables: ["x", "y"]),
      [0, 1, 0], "min")
  }

  /// tanh″ = −2·tanh·sech², tanh‴ = sech²·(6 tanh² − 2): near 0, where the expm1 form
  /// cancelled (tanh″(1e-20) came out 0, and 6e-9 off at 1e-8).
  @Test(arguments: [1e-20, 1e-8, -1e-3]) func tanhNearZero(x: Double) throws {
    let t = tanh(x), s = 1 - t * t
    let run = try compgraph(
      "eval", "tanh(x)", "--at", "x=\(x)", "--grad", "--hessian", "--derivative", "x,x,x", "--json"
    )
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let got = [
      object["value"], (object["gradient"] as? [String: Any])?["x"],
      (object["hessian"] as? [String: [String: Any]])?["x"]?["x"],
      (object["derivatives"] as? [String: Any])?["x,x,x"],
    ].map { ($0 as? Double) ?? .nan }
    Self.expectClose(got, [t, s, -2 * t * s, s * (6 * t * t - 2)], "tanh at \(x)")
  }

  /// ln(eᵃ + eᵇ) = a + log1p(e^(b − a)) for a ≥ b, ∂/∂b = e^(b − a)/(1 + e^(b − a)).
  @Test func logSumExpWhereOneTermDominates() throws {
    let e = exp(-30.0)
    Self.expectClose(
      try Self.numbers(
        ["ln(exp(a) + exp(b))", "--at", "a=0", "--at", "b=-30", "--grad"], variables: ["a", "b"]),
      [log1p(e), 1 / (1 + e), e / (1 + e)], "ln(exp(a) + exp(b))")
    // A constant term is e^(ln c): the derivative 1/(1 + e^(0.25 − z)) was 6.4e-4 off.
    let f = exp(-30.25)
    Self.expectClose(
      try Self.numbers(["ln(exp(0.25) + exp(z))", "--at", "z=-30", "--grad"], variables: ["z"]),
      [0.25 + log1p(f), f / (1 + f)], "ln(exp(0.25) + exp(z))")
  }

  /// eval differentiates the simplified graph, as grad prints it, so an intermediate that
  /// overflows as written (x·y = 2e200, 2^1000·2^1000, e^(1e-20) = 1) does not decide the answer.
  @Test func evalAgreesWithGradWhereIntermediatesOverflow() throws {
    // ∂²/∂y² ln(x·y) = −1/y².
    let ln = try Self.numbers(
      ["ln(x*y)", "--at", "x=1e200", "--at", "y=2", "--hessian"], variables: ["x", "y"])
    #expect(ln.count == 5 && ln[4] == -0.25, "\(ln)")
    #expect(
      try compgraph("grad", "ln(x*y)", "--wrt", "y", "--order", "2").stdout.contains(
        "∂²f/∂y² = -1/y^2"))
    // log₂ 2ˣ = x: ∂² = 0.
    Self.expectClose(
      try Self.numbers(["log(2^x, 2)", "--at", "x=1000", "--hessian"], variables: ["x"]),
      [1000, 0], "log(2^x, 2)")
    // ln(eˣ)^¼ = x^¼: ¼x^(−¾) = 2.5e14 at 1e-20.
    let root = try Self.numbers(["ln(exp(x))^0.25", "--at", "x=1e-20", "--grad"], variables: ["x"])
    #expect(root.count == 2 && abs(root[0] - 1e-5) <= 2e-16 * 1e-5 * 8, "\(root)")
    #expect(root.count == 2 && abs(root[1] - 2.5e14) <= 4e-16 * 2.5e14, "\(root)")
  }

  @Test func amaxTakesItsAxisOptionally() throws {
    #expect(
      try compgraph("eval", "amax(v)", "--var", "v=3", "--at", "v=1,3,2", "--grad")
        == Run(status: 0, stdout: "f = 3\n∂f/∂v = [0, 1, 0]\n", stderr: ""))
    // Along the last axis, as logsumexp and softmax: the largest of each row.
    #expect(
      try compgraph("eval", "amax(A)", "--at", "A=[[1,5],[7,2]]")
        == Run(status: 0, stdout: "f = [5, 7]\n", stderr: ""))
  }
}
