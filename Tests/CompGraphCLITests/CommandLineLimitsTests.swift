import Foundation
import Testing

/// Issue 27 §5: the command line refuses what it cannot hold before building it, its layout
/// worker dies with it, and `.cg` programs are linear in what they declare.
@Suite struct CommandLineLimitsTests {
  /// A fresh folder for the test's files.
  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cg-limits-\(UUID())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// `--jacobian` of `exp(A)` with 40,000 elements (1.6 × 10⁹ entries, 12.8 GB of Jacobian) is
  /// refused at once; it built one dense seed per element first and aborted at 5.6 GB.
  @Test func aJacobianTooLargeIsRefusedBeforeItIsBuilt() throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("a.csv")
    try (0..<40_000).map { "\(Double($0) / 40_000)" }.joined(separator: ",")
      .write(to: file, atomically: true, encoding: .utf8)
    let run = try shell(
      "timeout 60 $CG eval 'exp(A)' --var A=40000 --at A=@\(file.path) --jacobian")
    #expect(run.status == 1, "\(run.stderr)")
    #expect(
      run.stderr.hasPrefix(
        "compgraph: error: --jacobian needs about 11.9G of memory for its 1600000000 entries, more than the 2.0G limit; raise it with --max-memory"
      ), "\(run.stderr)")
  }

  /// The Jacobian's one-hot seeds are built a chunk at a time (`JacobianSweep`), so it needs
  /// the memory of its entries, not three copies of them nor an n×n identity: `exp(A)` with
  /// 2,000 elements (4 × 10⁶ entries, 32 MB) under a 64 MB budget runs in 8 chunks of 262
  /// columns (it was refused: 96 MB for the dense sweep, its blocks and its text), and its
  /// Jacobian is diag(exp(A)) exactly, across every chunk's boundary.
  @Test func aJacobianIsSweptInChunksOfOneHotSeeds() throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let n = 2_000
    let file = directory.appendingPathComponent("a.csv")
    try (0..<n).map { "\(Double($0) / 500 - 2)" }.joined(separator: ",")
      .write(to: file, atomically: true, encoding: .utf8)
    let run = try shell(
      "timeout 120 $CG eval 'exp(A)' --var A=\(n) --at A=@\(file.path) --jacobian --json "
        + "--max-memory 64M")
    #expect(run.status == 0, "\(run.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    let value = try #require(json?["value"] as? [Double])
    let jacobian = try #require(
      ((json?["jacobian"] as? [String: Any])?["f"] as? [String: Any])?["A"] as? [[Double]])
    #expect(value.count == n && jacobian.count == n && jacobian.allSatisfy { $0.count == n })
    var wrong = 0
    for (i, row) in jacobian.enumerated() {
      for (j, entry) in row.enumerated() where entry != (i == j ? value[i] : 0) { wrong += 1 }
    }
    #expect(wrong == 0)
  }

  /// A coupled Jacobian across many chunks: softmax's, diag(s) − s sᵀ, for 600 elements swept
  /// in 100 chunks of 6 columns (a 4M budget gives 8,192 numbers a run), to 1e-15.
  @Test func aCoupledJacobianAgreesAcrossChunks() throws {
    let n = 600
    let values = (0..<n).map { sin(Double($0)) * 3 }
    let run = try compgraph(
      "eval", "exp(v) / sum(exp(v))", "--var", "v=\(n)", "--at",
      "v=" + values.map { "\($0)" }.joined(separator: ","), "--jacobian", "--json",
      "--max-memory", "4M")
    #expect(run.status == 0, "\(run.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    let jacobian = try #require(
      ((json?["jacobian"] as? [String: Any])?["f"] as? [String: Any])?["v"] as? [[Double]])
    let total = values.map { exp($0) }.reduce(0, +)
    let s = values.map { exp($0) / total }
    var worst = 0.0
    for i in 0..<n {
      for j in 0..<n {
        worst = max(worst, abs(jacobian[i][j] - ((i == j ? s[i] : 0) - s[i] * s[j])))
      }
    }
    #expect(worst < 1e-15, "largest difference \(worst)")
  }

  /// `--hessian` estimates its blocks, matrix and text (24 bytes an entry) before building the
  /// derivative tower, and names itself: it built the 3000×3000 identity seed first and then
  /// said only "evaluating needs about 206.0M".
  @Test func aHessianTooLargeIsRefusedBeforeItIsBuilt() throws {
    let values = (0..<3000).map { "\(Double($0) / 3000)" }.joined(separator: ",")
    let run = try compgraph(
      "eval", "sum(exp(A))", "--var", "A=3000", "--at", "A=\(values)", "--hessian",
      "--max-memory", "100M")
    #expect(run.status == 1)
    #expect(
      run.stderr
        == "compgraph: error: --hessian needs about 206.0M of memory for its 9000000 entries, "
        + "more than the 100.0M limit; raise it with --max-memory, or differentiate with respect "
        + "to fewer elements\n", "\(run.stderr)")
  }

  /// `export` estimates the model's memory before building it, as the explorer does: a
  /// 4 × 10⁸-element one-hot table was allocated and aborted (exit 134); now it is a message,
  /// exit 1, and nothing is written, not even a temporary.
  @Test func anExportTooLargeIsRefusedBeforeItIsBuilt() throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = directory.appendingPathComponent("m.onnx")
    let run = try compgraph("export", "sum(one_hot(x, 400000000))", "-o", model.path)
    #expect(run.status == 1)
    #expect(
      run.stderr
        == "compgraph: error: exporting needs about 3.0G of memory (at one_hot node %1, shape "
        + "400000000), more than the 2G limit; raise it with --max-memory (e.g. --max-memory "
        + "4G), or use smaller tensors\n", "\(run.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    // Under a raised budget the same model is written.
    let small = try compgraph(
      "export", "sum(one_hot(x, 4000))", "--grad", "x", "-o", model.path)
    #expect(small.status == 0, "\(small.stderr)")
  }

  /// The second derivatives by 3,001 variables are 4,504,501 partials, each at least a node and
  /// a line of output: `emit c --hessian` ran past two minutes and 1.3 GB on them (each partial
  /// a constant, so the node projection never grew); now the partial count is held to
  /// --node-budget before the order is built, and nothing is written.
  @Test func aHessianOfMillionsOfPartialsIsRefusedBeforeItIsBuilt() throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = directory.appendingPathComponent("p.cg")
    try ("out f = " + (0..<3000).map { "x\($0)*x\($0 + 1)" }.joined(separator: " + ") + "\n")
      .write(to: program, atomically: true, encoding: .utf8)
    let run = try shell(
      "timeout 60 $CG emit c -f \(program.path) --hessian -o \(directory.path)/h.c")
    #expect(run.status == 1, "\(run.stderr)")
    #expect(
      run.stderr.contains("the derivatives of order 2 would add about 4,504,501 nodes"),
      "\(run.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["p.cg"])
    // 301 variables (45,451 partials) are built.
    try ("out f = " + (0..<300).map { "x\($0)*x\($0 + 1)" }.joined(separator: " + ") + "\n")
      .write(to: program, atomically: true, encoding: .utf8)
    let small = try shell("timeout 120 $CG emit c -f \(program.path) --hessian > /dev/null")
    #expect(small.status == 0, "\(small.stderr)")
  }

  /// A CSV cell that is not a number is named with its line and place (`1e999`, which
  /// overflows, was "not a CSV file of numbers with the same count on every line").
  @Test func aBadCSVValueIsNamedWhereItIs() throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    for (text, problem) in [
      ("1,2\r\n3,1e999\r\n", "line 2, value 2 ('1e999') is not a number as expressions write them"),
      ("1,2\n\n3\n", "line 3 has 1 value(s), the lines before it 2"),
      ("\n \n", "it holds no numbers"),
      ("1,nan\n-inf,4\n", nil),
    ] {
      let file = directory.appendingPathComponent("a.csv")
      try text.write(to: file, atomically: true, encoding: .utf8)
      let run = try compgraph("eval", "sum(A)", "--at", "A=@\(file.path)")
      if let problem {
        #expect(run.status == 1)
        #expect(
          run.stderr
            == "compgraph: error: --at A: '\(file.path)' is not a CSV file of numbers with the "
            + "same count on every line: \(problem)"
            + (problem.hasSuffix("them")
              ? " (1.5, -2e3, inf, nan; a finite one within ±1.8e308)\n" : "\n"),
          "\(run.stderr)")
      } else {
        #expect(run.stdout == "f = nan\n", "\(run.stderr)")
      }
    }
  }

  /// `--max-memory` past what the machine has: the estimate is held against the machine, so an
  /// evaluation it cannot hold is a message, not an allocation failure (exit 134).
  @Test func aBudgetBeyondTheMachineIsAMessage() throws {
    let run = try compgraph(
      "eval", "sum(exp(broadcast_to(x, 1000000x1000000)))", "--at", "x=1", "--max-memory",
      "8388607T")
    #expect(run.status == 1, "\(run.stderr)")
    #expect(run.stderr.contains("more than this machine has ("), "\(run.stderr)")
  }

  /// 200,000 unused `let`s, nested scopes and outputs parse in linear time (each took 30 s to
  /// 100 s at 100,000), and the unused bindings are three warnings and one line with a count.
  @Test(arguments: ["lets", "scopes", "outputs"])
  func programsAreLinearInWhatTheyDeclare(kind: String) throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let n = 200_000
    let text: String
    switch kind {
    case "lets": text = (0..<n).map { "let a\($0) = x*\($0)\n" }.joined() + "out f = x\n"
    case "scopes":
      text =
        (0..<n).map { "scope s\($0) {\n" }.joined() + "out f = x\n"
        + String(repeating: "}\n", count: n)
    default: text = (0..<n).map { "out o\($0) = x + \($0)\n" }.joined()
    }
    let file = directory.appendingPathComponent("p.cg")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let run = try shell("timeout 60 $CG eval -f \(file.path) --at x=1 > /dev/null")
    #expect(run.status == 0, "\(kind): status \(run.status) \(run.stderr.prefix(500))")
    if kind == "lets" {
      let lines = run.stderr.split(separator: "\n").filter { $0.contains("warning:") }
      #expect(lines.count == 4, "\(lines)")
      #expect(
        lines.last?.hasSuffix("warning: 199997 more bindings are never used: 'a3', 'a4', 'a5', …")
          == true, "\(lines)")
    }
  }

  /// `render` killed mid-layout takes its layout worker with it (it ran on for minutes).
  @Test(arguments: ["kill -9", "timeout"])
  func theLayoutWorkerDiesWithRender(killedBy: String) throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let terms = (1...40).map { "x^\($0)*y^\(41 - $0)" }.joined(separator: " + ")
    // `timeout 10 compgraph render … --layout circo` (SIGTERM after 10 s) left its worker laying
    // out for 2.5 minutes; so does kill -9.
    let render =
      "$CG render '\(terms)' --grad x,y --order 2 --layout circo --layout-timeout 120 "
      + "-o \(directory.path)/o.svg 2>/dev/null"
    let script = """
      \(killedBy == "timeout" ? "timeout 10 " + render : render) &
      P=$!
      for i in $(seq 1 600); do
        W=$(pgrep -f -- "layout-worker --layout circo" | while read w; do
          Q=$(ps -o ppid= -p $w | tr -d ' '); R=$(ps -o ppid= -p "$Q" 2>/dev/null | tr -d ' ')
          if [ "$Q" = "$P" ] || [ "$R" = "$P" ]; then echo $w; fi
        done | head -1)
        [ -n "$W" ] && break
        sleep 0.1
      done
      [ -z "$W" ] && { echo "no worker"; exit 3; }
      \(killedBy == "timeout" ? "wait $P" : "kill -9 $P")
      sleep 1
      if kill -0 $W 2>/dev/null && ! grep -q '^State:.*Z' /proc/$W/status; then
        kill -9 $W; echo "worker $W outlived render"; exit 4
      fi
      echo gone
      """
    let run = try shell(script)
    #expect(run.stdout.hasSuffix("gone\n"), "\(run.stdout) \(run.stderr)")
  }
}
