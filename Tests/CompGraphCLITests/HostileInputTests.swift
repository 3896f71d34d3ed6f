import Foundation
import Testing

/// Runs `script` with `/bin/sh` in `directory`, `$CG` naming the built
/// `compgraph`: for runs that need shell redirections (`> /dev/full`,
/// `< some-dir`).
func shell(_ script: String, in directory: URL? = nil) throws -> Run {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", script]
  process.environment = ProcessInfo.processInfo.environment.merging(
    ["CG": products.appendingPathComponent("compgraph").path], uniquingKeysWith: { $1 })
  if let directory { process.currentDirectoryURL = directory }
  let stdout = Pipe(), stderr = Pipe()
  process.standardOutput = stdout
  process.standardError = stderr
  process.standardInput = FileHandle.nullDevice
  try process.run()
  let out = stdout.fileHandleForReading.readDataToEndOfFile()
  let err = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return Run(
    status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
    stderr: String(decoding: err, as: UTF8.self))
}

/// The reproducers of the hostile-input report: each exits 0 with a result
/// or 1/2 with a message, never traps.
@Suite struct HostileInputTests {
  /// C1: a shape whose element count overflows is an error where it is inferred.
  @Test func overflowingShapesAreErrors() throws {
    let big = ["--var", "a=4294967296x1", "--var", "b=1x4294967296"]
    for command in [["simplify"], ["grad", "--wrt", "a"], ["render", "--format", "dot"]] {
      let run = try compgraph(arguments: command + ["sum(a+b)"] + big)
      #expect(run.status == 1)
      #expect(
        run.stderr.hasPrefix(
          "1:6: error: add: the result shape 4294967296x4294967296 has more than 2^40"))
    }
    let outer = try compgraph(
      "grad", "sum(einsum(\"i,j->ij\",a,b))", "--var", "a=4294967296", "--var", "b=4294967296",
      "--wrt", "a")
    #expect(outer.status == 1)
    #expect(outer.stderr.contains("einsum: the result shape 4294967296x4294967296 has more than"))
    let declared = try compgraph("print", "sum(a)", "--var", "a=2097152x1048576")
    #expect(declared.status == 2)
    #expect(declared.stderr.contains("--var"))
  }

  /// C3/C4 and the silent write failures: a full standard output is exit 1
  /// with a message; a full standard error is exit 1 in silence.
  @Test func fullStandardOutputIsAnError() throws {
    let commands = [
      "render 'tanh(x)' --grad x", "print x", "eval x --at x=1", "grad x --wrt x", "simplify x",
      "eval x --at x=1 --json",
    ]
    for command in commands {
      let run = try shell("$CG \(command) > /dev/full")
      #expect(
        run
          == Run(
            status: 1, stdout: "",
            stderr: "compgraph: error: cannot write to standard output: No space left on device\n"),
        "\(command)")
    }
    #expect(
      try shell("$CG eval 'sqr(x)' --at x=1 2>/dev/full") == Run(status: 1, stdout: "", stderr: ""))
  }

  /// C5: standard input that is a directory, or endless, is an error.
  @Test func unreadableOrEndlessStandardInput() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(
      try shell("$CG eval - < '\(directory.path)'")
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: cannot read standard input: Is a directory\n"))
    #expect(
      try shell("$CG eval - --max-input 1M < /dev/zero")
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: standard input is larger than 1M, the input limit; "
            + "raise it with --max-input (e.g. --max-input 4M)\n"))
    let file = try compgraph("print", "-f", directory.path)
    #expect(file.status == 1)
    #expect(file.stderr == "compgraph: error: cannot read '\(directory.path)': Is a directory\n")
  }

  /// A UTF-8 byte-order mark at the start of a file is skipped.
  @Test func byteOrderMarkIsSkipped() throws {
    #expect(
      try compgraph("eval", "-", "--at", "x=2", input: "\u{FEFF}x + 1")
        == Run(status: 0, stdout: "f = 3\n", stderr: ""))
  }

  /// C2: an evaluation that would need more memory than the budget is
  /// refused up front, naming the node and its shape; `--max-memory` raises
  /// the budget; a sum over an outer product never builds the product.
  @Test func memoryBudget() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("v.csv")
    try Array(repeating: "1", count: 100_000).joined(separator: ",").write(
      to: file, atomically: false, encoding: .utf8)
    let vector = "@" + file.path
    let outer = try compgraph(
      "eval", "sum(einsum(\"i,j->ij\",a,b)*2)", "--at", "a=\(vector)", "--at", "b=\(vector)")
    #expect(
      outer
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: evaluating needs about 149.0G of memory (at mul node %4, "
            + "shape 100000x100000), more than the 2G limit; raise it with --max-memory "
            + "(e.g. --max-memory 187G), or use smaller tensors\n"))
    #expect(
      try compgraph(
        "eval", "sum(einsum(\"i,j->ij\",a,b))", "--at", "a=\(vector)", "--at", "b=\(vector)")
        == Run(status: 0, stdout: "f = 10000000000\n", stderr: ""))
    let small = try compgraph(
      "eval", "sum(a+b)", "--at", "a=[[1],[2]]", "--at", "b=[[1,2,3]]", "--max-memory", "100")
    #expect(small.status == 1)
    #expect(small.stderr.contains("more than the 100 limit"))
    #expect(
      try compgraph(
        "eval", "sum(a+b)", "--at", "a=[[1],[2]]", "--at", "b=[[1,2,3]]", "--max-memory", "1K")
        == Run(status: 0, stdout: "f = 21\n", stderr: ""))
  }

  /// H2: `eval --derivative` has the order cap of `grad` and `render` for a mixed partial; one
  /// variable repeated goes past it by Taylor mode.
  @Test func derivativeOrderCapIsUniform() throws {
    let thirteen = (Array(repeating: "x", count: 12) + ["y"]).joined(separator: ",")
    let run = try compgraph(
      "eval", "tanh(x)*y", "--at", "x=0.5", "--at", "y=1", "--derivative", thirteen)
    #expect(run.status == 2)
    #expect(
      run.stderr.hasPrefix(
        "Error: --derivative: 13 variables make a derivative of order 13; the highest order of a mixed partial is 12"
      ))
    #expect(try compgraph("grad", "tanh(x)", "--wrt", "x", "--order", "13").status == 2)
    let pure = Array(repeating: "x", count: 13).joined(separator: ",")
    #expect(try compgraph("eval", "tanh(x)", "--at", "x=0.5", "--derivative", pure).status == 0)
  }

  /// A tower that would take minutes (x^x^…, 20 x's, order 10: over 100 s)
  /// is refused after the orders that fit, naming the order and the option.
  @Test func derivativeTowersPastTheNodeBudgetAreRefused() throws {
    let tower = Array(repeating: "x", count: 20).joined(separator: "^")
    let run = try compgraph("grad", tower, "--wrt", "x", "--order", "10", "--node-budget", "100000")
    #expect(run.status == 1)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.hasPrefix("compgraph: error: the derivatives of order "))
    #expect(run.stderr.contains("more than the node budget of 100,000"))
    #expect(run.stderr.contains("raise the budget with --node-budget "))
    let render = try compgraph(
      "render", tower, "--grad", "x", "--order", "10", "--node-budget", "100000", "--format", "dot")
    #expect(render.status == 1)
    #expect(render.stderr.contains("more than the node budget of 100,000"))
    #expect(try compgraph("grad", "x^2", "--wrt", "x", "--node-budget", "0").status == 2)
  }

  /// Control bytes never reach the terminal; invisible characters are named;
  /// a megabyte-long name gives a short message.
  @Test func messagesAreEscapedAndBounded() throws {
    let escape = try compgraph("eval", "-", input: "x + \u{1B}]0;PWNED\u{07}\u{1B}[2J")
    #expect(
      escape
        == Run(
          status: 1, stdout: "",
          stderr: #"""
            <stdin>:1:5: error: unexpected control character \x1b
            x + \x1b]0;PWNED\x07\x1b[2J
                ^

            """#))
    #expect(
      try compgraph("eval", "x +\u{200B} y")
        == Run(
          status: 1, stdout: "",
          stderr: "1:4: error: unexpected invisible character U+200B ZERO WIDTH SPACE\n"
            + "x +U+200B y\n   ^\n"))
    let long = try compgraph("eval", "-", input: String(repeating: "a", count: 1_000_000) + "(x)")
    #expect(long.status == 1)
    #expect(long.stderr.utf8.count < 400)
    let path = try compgraph("print", "-f", "bad\u{1B}[2Jname.cg")
    #expect(
      path.stderr
        == #"compgraph: error: cannot read 'bad\x1b[2Jname.cg': No such file or directory"# + "\n")
  }

  /// The smaller message fixes: bindings of simplified-away variables,
  /// hints for unbound tensors, one number syntax, names in --var, -0.0.
  @Test func smallerMessageFixes() throws {
    #expect(
      try compgraph("render", "x*0", "--grad", "x", "--at", "x=1", "--format", "dot").status == 0)
    let unusedLet = try compgraph(
      "eval", "-f", "-", "--at", "x=1", "--at", "y=2", input: "let t = x + 1\nout d = y*2\n")
    #expect(unusedLet.status == 0 && unusedLet.stdout == "d = 4\n", "\(unusedLet)")
    #expect(
      try compgraph("eval", "y*2", "--at", "x=1", "--at", "y=2")
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: --at x: the expression has no variable 'x'\n"))
    #expect(
      try compgraph("eval", "sum(A)", "--var", "A=2x3")
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: variable 'A' has no value; bind it with --at A=@values.csv "
            + "or a nested array, as its shape 2x3 needs (6 value(s))\n"))
    for value in ["x=0x10", "x=1e999", "x=1_0"] {
      #expect(try compgraph("eval", "x", "--at", value).status == 2, "\(value)")
    }
    // A bad --at or --var says what is wrong with it, beside the usage.
    let reasons = [
      ("--at", "x", "write NAME=VALUE, e.g. x=1.5"),
      (
        "--at", "2x=1",
        "'2x' is not a variable name: letters, digits and _, not starting with a digit"
      ),
      ("--at", "x=@", "name a file after '@', e.g. x=@values.csv"),
      (
        "--at", "x=abc",
        "'abc' is not a number, a list such as 1,2,3 or a nested array such as [[1,2],[3,4]] "
          + "(numbers as in expressions: 1.5, -2e3, inf, nan)"
      ),
      ("--var", "A=2y", "'2y' is not a shape: write e.g. 2x3, 5 or scalar"),
    ]
    for (option, value, reason) in reasons {
      let run = try compgraph("eval", "x", option, value)
      #expect(run.status == 2)
      #expect(run.stderr.contains("'\(value)' is invalid for '\(option) "), "\(run.stderr)")
      #expect(run.stderr.contains(": \(reason)\n"), "\(run.stderr)")
    }
    #expect(
      try compgraph("eval", "x", "--at", "x=-inf")
        == Run(status: 0, stdout: "f = -inf\n", stderr: ""))
    #expect(try compgraph("eval", "x", "--at", "x=1", "--var", "a\"b=2").status == 2)
    // 0·x → 0 assumes x finite: the trace says so, and eval keeps IEEE's NaN.
    #expect(
      try compgraph("simplify", "x*0 + y", "--trace").stdout.hasPrefix(
        "# mul-zero @ Algebraic.swift:14: x·0 → 0 (for finite factors: 0·±∞ and 0·NaN are NaN)\n"))
    #expect(
      try compgraph("eval", "x*0 + y", "--at", "x=inf", "--at", "y=1")
        == Run(status: 0, stdout: "f = nan\n", stderr: ""))
    #expect(
      try compgraph("eval", "x*y", "--at", "x=-1", "--at", "y=0", "--json")
        == Run(status: 0, stdout: "{\"value\": -0.0}\n", stderr: ""))
  }

  /// H1: the gradient of a sum over broadcast factors is a product of sums;
  /// no ones tensor of the broadcast shape is built, by grad or by eval.
  @Test func broadcastGradientsBuildNoOnesTensor() throws {
    let shapes = [
      "--var", "a=1000x1x1x1", "--var", "b=1000x1x1", "--var", "c=1000x1", "--var", "d=1000",
    ]
    let grad = try compgraph(arguments: ["grad", "sum(a*b*c*d)", "--wrt", "a,b,c,d"] + shapes)
    #expect(grad.status == 0)
    #expect(!grad.stdout.contains("1000x1000x1000x1000"))
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("v.csv")
    try (1...1000).map { "\($0 % 3)" }.joined(separator: ",").write(
      to: file, atomically: false, encoding: .utf8)
    let bindings = ["a", "b", "c", "d"].flatMap { ["--at", "\($0)=@\(file.path)"] }
    let eval = try compgraph(
      arguments: ["eval", "sum(a*b*c*d)", "--grad", "--json"] + shapes + bindings)
    #expect(eval.status == 0)
    // Σ v = 1000 (334 ones, 333 twos, 333 zeros): f = 1000⁴, and every
    // ∂f/∂a_i is the product of the other three sums, 1000³.
    #expect(
      eval.stdout.hasPrefix(
        "{\"value\": 1000000000000, \"gradient\": {\"a\": [[[[1000000000]]], [[[1000000000]]]"))
  }

  /// H4: a layout that overruns its time budget is stopped with advice.
  @Test func layoutTimeBudget() throws {
    let tower = Array(repeating: "x", count: 20).joined(separator: "^")
    let run = try compgraph(
      "render", tower, "--grad", "x", "--order", "2", "--layout-timeout", "0.001")
    #expect(run.status == 1)
    #expect(run.stderr.hasPrefix("compgraph: error: the dot layout did not finish in 0.001 s ("))
    #expect(run.stderr.contains("use --layout sfdp"))
  }

  /// User text with a line break in it — a `--name`, a `--domain`, a `--wrt`, file paths — is
  /// echoed escaped (`\x0a`), so no message gains a line the user wrote.
  @Test(arguments: [
    ["emit", "c", "x", "--name", "a\nINJECTED LINE"],
    ["check", "ln(x)", "--domain", "x\nINJECTED=0..1"],
    ["eval", "-f", "/nonexistent/p\nINJECTED LINE"],
    ["eval", "x", "--at", "x=@/nonexistent/p\nINJECTED LINE"],
    ["emit", "c", "x", "-o", "/nonexistent/p\nINJECTED LINE"],
    ["grad", "x", "--wrt", "y\nINJECTED LINE"],
  ])
  func lineBreaksInUserTextAreEscaped(arguments: [String]) throws {
    let run = try compgraph(arguments: arguments)
    #expect(run.status != 0)
    #expect(
      !run.stderr.split(separator: "\n").contains { $0.hasPrefix("INJECTED") }, "\(run.stderr)")
    #expect(run.stderr.contains("\\x0aINJECTED"), "\(run.stderr)")
  }
}
