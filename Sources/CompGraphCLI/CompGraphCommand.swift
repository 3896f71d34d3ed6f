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
      CheckCommand.self, PrintCommand.self, ExportCommand.self, EmitCommand.self,
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
      StandardStreams.writeError(error.description)
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
      StandardStreams.writeError(message)
      Foundation.exit(2)
    }
  }
}
