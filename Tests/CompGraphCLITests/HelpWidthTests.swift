import Foundation
import Testing

/// Help fits an 80-column terminal: examples are never cut or left with a
/// lone continuation backslash.
@Suite struct HelpWidthTests {
  @Test(arguments: ["", "render", "grad", "eval", "simplify", "print", "gallery", "check"])
  func examplesSurviveEightyColumns(command: String) throws {
    setenv("COLUMNS", "80", 1)
    let run = try command.isEmpty ? compgraph("--help") : compgraph(command, "--help")
    let lines = run.stdout.components(separatedBy: "\n")
    #expect(!lines.contains { $0.trimmingCharacters(in: .whitespaces) == "\\" })
    guard let start = lines.firstIndex(of: "Example:") else { return }
    for line in lines[(start + 1)...].prefix(while: { !$0.isEmpty }) {
      #expect(line.hasPrefix("  "), "\(command): '\(line)'")
      #expect(line.count <= 80, "\(command): '\(line)'")
    }
  }
}
