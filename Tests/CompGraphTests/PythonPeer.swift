import Foundation
import Testing

@testable import CompGraph

/// The test-only Python environment `.ci/setup` builds at `.build/venv`, with the peers listed in
/// `.ci/python-requirements.txt` (NumPy, and the engines exports are checked against).
///
/// Tests that need it carry `.enabled(if: PythonPeer.shouldRun)`: on a developer machine without
/// the venv they are skipped, and say so; under CI (`COMPGRAPH_REQUIRE_PYTHON=1`, set by
/// `.ci/run`) they run anyway and fail with `PythonPeer.Failure.missing`.
enum PythonPeer {
  enum Failure: Error, CustomStringConvertible {
    case missing(String)
    case failed(script: String, status: Int32, stderr: String)

    var description: String {
      switch self {
      case .missing(let path):
        "no Python test environment at \(path): run `bash .ci/setup`"
      case .failed(let script, let status, let stderr):
        "\(script) exited with \(status):\n\(stderr)"
      }
    }
  }

  /// The package root, found from this file's place in `Tests/CompGraphTests`.
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let python = packageRoot.appendingPathComponent(".build/venv/bin/python")

  static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

  static var isRequired: Bool {
    ProcessInfo.processInfo.environment["COMPGRAPH_REQUIRE_PYTHON"] == "1"
  }

  /// Whether tests that need Python run: when the venv exists, or when CI requires it.
  static var shouldRun: Bool {
    if !isAvailable && !isRequired {
      print(
        "PythonPeer: skipping — no \(python.path); run `bash .ci/setup` to check against Python peers"
      )
    }
    return isAvailable || isRequired
  }

  /// Runs `Tests/Python/<script>` with `arguments`, feeding `input` on standard input, and
  /// returns its standard output; a non-zero exit throws with its standard error.
  static func run(_ script: String, _ arguments: [String] = [], input: String = "") throws -> String
  {
    guard isAvailable else { throw Failure.missing(python.path) }
    let run = try runProcess(
      python, [packageRoot.appendingPathComponent("Tests/Python/\(script)").path] + arguments,
      input: input)
    guard run.status == 0 else {
      throw Failure.failed(script: script, status: run.status, stderr: run.stderr)
    }
    return run.stdout
  }
}

@Suite struct PythonPeerTests {
  @Test(.enabled(if: PythonPeer.shouldRun))
  func numpyAgreesWithEvaluate() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let f = exp(x) * sin(x) + sqrt(x)
    let ours = try f.graph().evaluate(["x": 0.7])[0].scalars[0]
    let theirs = try PythonPeer.run("numpy_eval.py", input: "np.exp(0.7)*np.sin(0.7)+np.sqrt(0.7)")
    let value = try #require(Double(theirs.trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(abs(value - ours) <= 1e-15 * abs(ours))
  }
}

/// Runs `executable` with `arguments` (in `directory`, if given), feeding `input` on standard
/// input, and returns its exit status and what it wrote to standard output and error.
func runProcess(
  _ executable: URL, _ arguments: [String], in directory: URL? = nil, input: String = ""
) throws -> (status: Int32, stdout: String, stderr: String) {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = directory }
  let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  process.standardError = stderr
  try process.run()
  stdin.fileHandleForWriting.write(Data(input.utf8))
  try stdin.fileHandleForWriting.close()
  let out = stdout.fileHandleForReading.readDataToEndOfFile()
  let err = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (
    process.terminationStatus, String(decoding: out, as: UTF8.self),
    String(decoding: err, as: UTF8.self)
  )
}
