import CompGraph
import Foundation
import Testing

/// `compgraph eval --taylor x:N` (coefficients, `--derivatives`, `--json`) and `--derivative`'s
/// choice between Taylor mode and the symbolic tower.
@Suite struct TaylorCommandTests {
  @Test func coefficientsAsText() throws {
    let run = try compgraph("eval", "exp(x)", "--taylor", "x:3", "--at", "x=0")
    #expect(
      run
        == Run(
          status: 0,
          stdout: "f = 1\nc0(x) = 1\nc1(x) = 1\nc2(x) = 0.5\nc3(x) = 0.16666666666666666\n",
          stderr: ""))
  }

  @Test func derivativesAsText() throws {
    let run = try compgraph("eval", "exp(2*x)", "--taylor", "x:3", "--derivatives", "--at", "x=0")
    #expect(
      run
        == Run(
          status: 0, stdout: "f = 1\nf = 1\n∂f/∂x = 2\n∂²f/∂x² = 4\n∂³f/∂x³ = 8\n", stderr: ""))
  }

  /// `--json` prints {"taylor": {"x": [c0, …, c50]}}; tanh's 10th derivative at 0.3 from c10 is
  /// the reference (BENCHMARKS.md W14) within 1e-13, the other variable held at its value.
  @Test func fiftyCoefficientsAsJSON() throws {
    let run = try compgraph(
      "eval", "tanh(x) * y", "--taylor", "x:50", "--at", "x=0.3", "--at", "y=2", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let c = try #require((object["taylor"] as? [String: [Double]])?["x"])
    #expect(c.count == 51)
    #expect(abs(c[0] - 2 * Foundation.tanh(0.3)) <= 1e-16)
    let tenth = c[10] * 3_628_800
    #expect(abs(tenth - 2 * -36306.469601302218) <= 1e-13 * 72612.9)
  }

  /// `--derivative x,x,…` takes the tower below `taylorModeOrder` and Taylor mode from it; both
  /// agree with the library's tower (of the same simplified, stabilized expression) within
  /// 1e-13 relative at every order to 12, and Taylor mode goes past 12.
  @Test func derivativeChoosesAMethodAndBothAgree() throws {
    let expression = "exp(sin(x)) * ln(1 + x^2)"
    let parsed = try parseProgram(expression, declarations: [:], into: GraphBuilder()).graph()
    let g = GraphBuilder(parsed)
    var options = SimplifyOptions()
    options.phases.insert(.stabilize)
    options.assumeFinite = false
    let f = g.expr(g.simplify(parsed.outputs, options: options)[0])
    let x = g.expr(try g.variableNode("x"))
    for n in 1...12 {
      let tower = try derivative(of: f, wrt: x, order: n).evaluate(["x": 0.3])
      let run = try compgraph(
        "eval", expression, "--at", "x=0.3", "--derivative",
        Array(repeating: "x", count: n).joined(separator: ","), "--json")
      #expect(run.status == 0, "\(run.stderr)")
      let object = try #require(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
      let got = try #require((object["derivatives"] as? [String: Double])?.values.first)
      #expect(abs(got - tower) <= 1e-13 * abs(tower), "order \(n): \(got), the tower \(tower)")
    }
    let twentieth = try compgraph(
      "eval", "tanh(x)", "--at", "x=0.3", "--derivative",
      Array(repeating: "x", count: 20).joined(separator: ","))
    #expect(twentieth.status == 0)
    let value = try #require(Double(twentieth.stdout.split(separator: " ").last!.dropLast()))
    #expect(abs(value - -186136829308596.17) <= 1e-13 * 1.9e14)
  }

  @Test func badRequestsSayWhatIsWrong() throws {
    let noSuch = try compgraph("eval", "x*y", "--taylor", "z:3", "--at", "x=1", "--at", "y=2")
    #expect(noSuch.status == 1)
    #expect(
      noSuch.stderr.contains("the expression has no variable 'z' (its variables are 'x', 'y')"))
    let tensor = try compgraph(
      "eval", "sum(v)", "--var", "v=3", "--taylor", "v:2", "--at", "v=1,2,3")
    #expect(tensor.status == 1)
    #expect(tensor.stderr.contains("'v' has shape 3; --taylor takes a scalar variable"))
    let alone = try compgraph("eval", "x", "--derivatives", "--at", "x=1")
    #expect(alone.status == 2 && alone.stderr.contains("--derivatives goes with --taylor"))
    let malformed = try compgraph("eval", "x", "--taylor", "x:abc", "--at", "x=1")
    #expect(malformed.status == 2 && malformed.stderr.contains("--taylor <var:N>"))
    let mixed = try compgraph(
      "eval", "x*y", "--at", "x=1", "--at", "y=2", "--derivative",
      (Array(repeating: "x", count: 12) + ["y"]).joined(separator: ","))
    #expect(
      mixed.status == 2 && mixed.stderr.contains("the highest order of a mixed partial is 12"))
    let twoOutputs = try compgraph(
      "eval", "-f", "-", "--taylor", "x:2", "--at", "x=1",
      input: "var x\nout a = x\nout b = x * x\n")
    #expect(twoOutputs.status == 1 && twoOutputs.stderr.contains("--taylor needs a single output"))
  }
}
