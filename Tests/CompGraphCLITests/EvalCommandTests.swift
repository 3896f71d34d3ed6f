import Foundation
import Testing

/// `compgraph eval`: values, derivatives, JSON, tensor bindings.
@Suite struct EvalCommandTests {
  static let seed = "sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3"

  @Test func seedExpressionAsJSON() throws {
    let run = try compgraph(
      "eval", Self.seed, "--at", "p=2", "--at", "q=3", "--grad", "--hessian", "--derivative",
      "p,p,p",
      "--json")
    #expect(
      run
        == Run(
          status: 0,
          stdout:
            #"{"value": 6.366823753476197, "gradient": {"p": 1.1259881576697424, "q": 0.39632741216820455}, "#
            + #""hessian": {"p": {"p": -0.5179983082385347, "q": -0.008999154119267314}, "q": {"p": -0.008999154119267314, "#
            + #""q": -0.11561068817074477}}, "derivatives": {"p,p,p": 0.5077135606736577}}"# + "\n",
          stderr: ""))
    // The exact values, to 1e-13 relative.
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let expected: [(Double?, Double)] = [
      (object["value"] as? Double, 6.3668237534761971),
      ((object["gradient"] as? [String: Double])?["p"], 1.1259881576697424),
      ((object["gradient"] as? [String: Double])?["q"], 0.39632741216820455),
      (((object["hessian"] as? [String: [String: Double]])?["p"])?["p"], -0.51799830823853465),
      (((object["hessian"] as? [String: [String: Double]])?["p"])?["q"], -0.0089991541192673153),
      (((object["hessian"] as? [String: [String: Double]])?["q"])?["q"], -0.11561068817074477),
      ((object["derivatives"] as? [String: Double])?["p,p,p"], 0.50771356067365769),
    ]
    for (got, exact) in expected {
      let value = try #require(got)
      #expect(abs(value - exact) <= 1e-13 * abs(exact))
    }
  }

  @Test func derivativesAsText() throws {
    #expect(
      try compgraph(
        "eval", "x*y^2", "--at", "x=2", "--at", "y=3", "--grad", "--derivative", "y,x,y")
        == Run(status: 0, stdout: "f = 18\n∂f/∂x = 9\n∂f/∂y = 12\n∂³f/∂y∂x∂y = 2\n", stderr: ""))
  }

  @Test func keysNotAskedForAreAbsentAndNonFiniteAreStrings() throws {
    #expect(
      try compgraph("eval", "x/0", "--at", "x=1", "--json")
        == Run(status: 0, stdout: #"{"value": "inf"}"# + "\n", stderr: ""))
    #expect(
      try compgraph("eval", "ln(x)", "--at", "x=-1", "--grad", "--json")
        == Run(status: 0, stdout: #"{"value": "nan", "gradient": {"x": -1}}"# + "\n", stderr: ""))
  }

  @Test func tensorValuesAsNestedArraysAndFiles() throws {
    #expect(
      try compgraph(
        "eval", "sum(matmul(A, B))", "--at", "A=[[1,2],[3,4]]", "--at", "B=[[1,0],[0,1]]", "--grad",
        "--json")
        == Run(
          status: 0,
          stdout: #"{"value": 10, "gradient": {"A": [[1, 1], [1, 1]], "B": [[4, 4], [6, 6]]}}"#
            + "\n",
          stderr: ""))
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let json = directory.appendingPathComponent("a.json"),
      csv = directory.appendingPathComponent("b.csv")
    try "[[1, 2, 3],\n [4, 5, 6]]\n".write(to: json, atomically: true, encoding: .utf8)
    try "1,0\n0,1\n1,1\n".write(to: csv, atomically: true, encoding: .utf8)
    #expect(
      try compgraph(
        "eval", "matmul(A, B)", "--at", "A=@\(json.path)", "--at", "B=@\(csv.path)", "--json")
        == Run(status: 0, stdout: #"{"value": [[4, 5], [10, 11]]}"# + "\n", stderr: ""))
  }

  /// Python's `json.dump` writes NaN, Infinity and -Infinity and `eval --json` writes "nan",
  /// "inf" and "-inf"; files either wrote are read (so eval's output feeds back in), and a word
  /// that only starts like one is still refused.
  @Test func jsonFilesTakePythonsNonFiniteSpellings() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = directory.appendingPathComponent("v.json"),
      bad = directory.appendingPathComponent("w.json")
    try "[1.5, NaN, Infinity, -Infinity]\n".write(to: good, atomically: true, encoding: .utf8)
    let written = directory.appendingPathComponent("u.json")
    try "[1.5, NaNx]\n".write(to: bad, atomically: true, encoding: .utf8)
    #expect(
      try compgraph("eval", "v * 2", "--at", "v=@\(good.path)", "--json")
        == Run(status: 0, stdout: #"{"value": [3, "nan", "inf", "-inf"]}"# + "\n", stderr: ""))
    try #"[3, "nan", "inf", "-inf"]"#.write(to: written, atomically: true, encoding: .utf8)
    #expect(
      try compgraph("eval", "u / 3", "--at", "u=@\(written.path)")
        == Run(status: 0, stdout: "f = [1, nan, inf, -inf]\n", stderr: ""))
    #expect(
      try compgraph("eval", "sum(w)", "--at", "w=@\(bad.path)")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: --at w: '\(bad.path)' is not a number or a nested array of numbers "
            + "such as [[1, 2], [3, 4]] (numbers as in expressions: 1.5, -2e3, inf, nan; or as "
            + "Python's json writes them: NaN, Infinity, -Infinity; or as eval --json does: "
            + "\"nan\")\n"))
  }

  @Test func variableOrderIsFirstAppearance() throws {
    #expect(
      try compgraph("eval", "b*a + a", "--at", "a=1", "--at", "b=2", "--grad")
        == Run(status: 0, stdout: "f = 3\n∂f/∂b = 1\n∂f/∂a = 3\n", stderr: ""))
  }

  @Test func errors() throws {
    #expect(
      try compgraph("eval", "sum(A)", "--at", "A=[[1,2],[3]]").status == 2)
    #expect(
      try compgraph("eval", "A + v", "--var", "A=2x3", "--var", "v=2")
        == Run(
          status: 1, stdout: "",
          stderr: "1:3: error: add: operand shapes 2x3 and 2 do not broadcast\nA + v\n  ^\n"))
    #expect(
      try compgraph("eval", "x", "--at", "x=@/nonexistent/x.json")
        == Run(
          status: 1, stdout: "",
          stderr:
            "compgraph: error: --at x: cannot read '/nonexistent/x.json': No such file or directory\n"
        ))
    #expect(
      try compgraph("eval", "sum(A)", "--var", "A=2x2", "--at", "A=[1,2,3]")
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: --at A: variable 'A' has shape 2x2 but the value has shape 3; "
            + "declare it with --var A=3 or give 4 value(s)\n"))
  }
}
