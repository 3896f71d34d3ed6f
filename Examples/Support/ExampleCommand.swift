import ArgumentParser
import Foundation

/// Where an example writes its pictures: `--out DIR`, else the current
/// directory (created when missing), so running an example never writes
/// into the source checkout unless asked (`--out Graphs` refreshes the
/// gallery's copies).
public struct OutputOptions: ParsableArguments {
  @Option(
    name: .customLong("out"),
    help: ArgumentHelp(
      "The directory the pictures are written to (created when missing).", valueName: "DIR"))
  public var path: String = "."

  public init() {}

  public func validate() throws {
    guard !path.isEmpty else { throw ValidationError("--out needs a directory, not ''") }
  }

  /// The output directory, created when missing.
  public func directory() throws -> URL {
    let url = URL(fileURLWithPath: path, isDirectory: true)
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw ValidationError(
        "cannot create the output directory '\(path)': \(error.localizedDescription)")
    }
    return url
  }
}

extension ParsableCommand {
  /// Parses the command line and runs the example with `compgraph`'s exit
  /// codes: 0 success (`--help` too), 1 an error while running (the message
  /// on standard error), 2 a usage error.  ArgumentParser's own `main()`
  /// exits 64 on a usage error; the examples answer like the CLI.
  public static func runAsExample() -> Never {
    do {
      var command = try parseAsRoot()
      try command.run()
      Foundation.exit(0)
    } catch {
      switch exitCode(for: error) {
      case .success:
        print(fullMessage(for: error))
        Foundation.exit(0)
      case .validationFailure:
        FileHandle.standardError.write(Data("\(fullMessage(for: error))\n".utf8))
        Foundation.exit(2)
      default:
        let name = configuration.commandName ?? "\(Self.self)"
        FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
        Foundation.exit(1)
      }
    }
  }
}
