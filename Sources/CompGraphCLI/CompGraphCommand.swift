import ArgumentParser
import CompGraph
import Foundation

/// `compgraph`: draw, differentiate, evaluate, simplify and print expressions.
///
/// Exit codes: 0 success, 1 a user error in the input (the message is on
/// standard error) or a risky spot found by `check`, 2 a usage error (bad
/// flags or arguments).
@main
struct CompGraphCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compgraph",
    abstract: "A symbolic computational-graph compiler.",
    discussion: """
      Example:
        compgraph render "sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3" \\
          --grad p,q -o seed.svg
      """,
    version: "0.1.0",
    subcommands: [
      RenderCommand.self, GradCommand.self, EvalCommand.self, SimplifyCommand.self,
      CheckCommand.self, PrintCommand.self, ExportCommand.self, EmitCommand.self, ImportCommand.self,
      GalleryCommand.self, ServeCommand.self, LayoutWorkerCommand.self,
    ]
  )

  /// Runs the command, mapping errors to the exit codes above.
  static func main() {
    do {
      var command = try parseAsRoot(
        LeadingMinus.rearranged(Array(CommandLine.arguments.dropFirst())))
      try command.run()
    } catch let error as UserError {
      StandardStreams.writeError(escapingArguments(error.description))
      Foundation.exit(1)
    } catch let code as ExitCode {
      Foundation.exit(code.rawValue)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        do {
          try StandardStreams.write(lines: [message])
        } catch {
          StandardStreams.writeError("\(error)")
          Foundation.exit(1)
        }
        Foundation.exit(0)
      }
      StandardStreams.writeError(escapingArguments(message))
      Foundation.exit(2)
    }
  }

  /// `message` with every command-line value that holds a line break or another control
  /// character written escaped (`displayText`), wherever the message echoes it: a whole
  /// argument (ArgumentParser quotes values whole), or what follows its `=` or `@` (a path in
  /// `--at x=@file`). Messages keep their own line breaks; a user's cannot start a line of
  /// their own.
  static func escapingArguments(_ message: String) -> String {
    let hostile = CommandLine.arguments.dropFirst().filter { argument in
      argument.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }
    }
    let values = hostile.flatMap { argument in
      [argument]
        + ["=", "@"].compactMap { mark in
          argument.firstIndex(of: mark).map { String(argument[argument.index(after: $0)...]) }
        }
    }
    return values.filter { $0.contains(where: \.isNewline) }.sorted { $0.count > $1.count }
      .reduce(message) { $0.replacingOccurrences(of: $1, with: displayText($1)) }
  }
}
