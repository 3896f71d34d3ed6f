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

  /// `--jacobian` of `exp(A)` with 40,000 elements (1.6 × 10⁹ entries) is refused at once; it
  /// built one dense seed per element first and aborted at 5.6 GB.
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
        "compgraph: error: --jacobian needs about 35.8G of memory for its 1600000000 entries, more than the 2.0G limit; raise it with --max-memory"
      ), "\(run.stderr)")
    // At 10⁴ elements (10⁸ entries, 2.4 GB resident when it was built) it is refused too.
    let tenThousand = directory.appendingPathComponent("b.csv")
    try (0..<10_000).map { "\(Double($0) / 10_000)" }.joined(separator: ",")
      .write(to: tenThousand, atomically: true, encoding: .utf8)
    let refused = try shell(
      "timeout 60 $CG eval 'exp(A)' --var A=10000 --at A=@\(tenThousand.path) --jacobian")
    #expect(
      refused.status == 1 && refused.stderr.contains("--jacobian needs about 2.2G"),
      "\(refused.stderr)")
    // A small one still evaluates, its seeds built as one-hot nodes.
    let small = try compgraph(
      "eval", "exp(v) * sum(v)", "--var", "v=3", "--at", "v=0,1,2", "--jacobian", "--json")
    #expect(small.status == 0, "\(small.stderr)")
    #expect(small.stdout.contains("\"jacobian\""))
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
  @Test func theLayoutWorkerDiesWithRender() throws {
    let directory = try Self.folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let terms = (1...40).map { "x^\($0)*y^\(41 - $0)" }.joined(separator: " + ")
    let script = """
      $CG render '\(terms)' --grad x,y --order 2 --layout circo --layout-timeout 120 \
        -o \(directory.path)/o.svg 2>/dev/null &
      P=$!
      for i in $(seq 1 600); do
        W=$(pgrep -f -- "layout-worker.*--parent $P" | head -1)
        [ -n "$W" ] && break
        sleep 0.1
      done
      [ -z "$W" ] && { echo "no worker"; exit 3; }
      kill -9 $P
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
