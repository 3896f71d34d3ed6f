import CompGraph
import Foundation

/// Where an example writes its pictures: `DIR` from `--out DIR` on its
/// command line, else the current directory (created when missing), so
/// running an example never writes into the source checkout unless asked
/// (`--out Graphs` refreshes the gallery's copies).  A usage error ends the
/// process with status 2.
public func outputDirectory(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()))
  -> URL
{
  var path = FileManager.default.currentDirectoryPath
  var words = arguments[...]
  while let word = words.popFirst() {
    guard word == "--out", let value = words.popFirst(), !value.isEmpty else {
      usageError("unexpected argument '\(word)'; the only option is --out DIR")
    }
    path = value
  }
  let url = URL(fileURLWithPath: path, isDirectory: true)
  do {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  } catch {
    usageError("cannot create the output directory '\(path)': \(error.localizedDescription)")
  }
  return url
}

private func usageError(_ message: String) -> Never {
  let name = URL(fileURLWithPath: CommandLine.arguments.first ?? "example").lastPathComponent
  FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
  exit(2)
}
