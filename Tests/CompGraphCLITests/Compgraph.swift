import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What one run of the built `compgraph` printed, and how it exited.
struct Run: Equatable {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// The directory holding the built products: the test bundle sits next to
/// them in `.build/debug` or `.build/release` alike.
var products: URL {
  #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      return bundle.bundleURL.deletingLastPathComponent()
    }
  #endif
  return Bundle.main.bundleURL
}

/// Runs `compgraph` with `arguments`, feeding `input` on standard input.
/// With `terminal`, standard output is a pseudo-terminal (what it wrote
/// there is not captured).
func compgraph(_ arguments: String..., input: String = "", terminal: Bool = false) throws -> Run {
  try compgraph(arguments: arguments, input: input, terminal: terminal)
}

/// `compgraph(_:input:terminal:)` with an array of arguments.
func compgraph(arguments: [String], input: String = "", terminal: Bool = false) throws -> Run {
  let process = Process()
  process.executableURL = products.appendingPathComponent("compgraph")
  process.arguments = arguments
  let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
  process.standardInput = stdin
  process.standardError = stderr
  var pty: (main: Int32, secondary: Int32) = (-1, -1)
  if terminal {
    guard openpty(&pty.main, &pty.secondary, nil, nil, nil) == 0 else {
      throw CocoaError(.fileNoSuchFile)
    }
    process.standardOutput = FileHandle(fileDescriptor: pty.secondary, closeOnDealloc: false)
  } else {
    process.standardOutput = stdout
  }
  try process.run()
  if terminal { close(pty.secondary) }
  try stdout.fileHandleForWriting.close()
  if !input.isEmpty { stdin.fileHandleForWriting.write(Data(input.utf8)) }
  try stdin.fileHandleForWriting.close()
  let out = terminal ? Data() : stdout.fileHandleForReading.readDataToEndOfFile()
  let err = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  if terminal { close(pty.main) }
  return Run(
    status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
    stderr: String(decoding: err, as: UTF8.self))
}

/// A fresh, empty temporary directory.
func temporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("compgraph-cli-\(UUID())")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
