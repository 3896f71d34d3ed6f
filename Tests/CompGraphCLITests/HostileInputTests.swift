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
}
