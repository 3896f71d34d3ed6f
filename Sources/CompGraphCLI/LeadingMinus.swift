/// Lets an expression that starts with `-` (`-tanh(x)^2 + 1`, which `grad`
/// itself prints) be given as the positional argument, and `--` stand
/// before the expression with options after it.
///
/// The argument parser reads any word that starts with `-` as options
/// (`-tanh` as `-t -a -n -h`, so help), and everything after `--` as
/// positional.  Before parsing, the words of a subcommand that reads an
/// expression are rearranged so that the parser sees the options first and
/// the expression last, behind `--`:
///
///     eval "-x^2" --at x=1        →  eval --at x=1 -- "-x^2"
///     eval -- "-x^2" --at x=1     →  eval --at x=1 -- "-x^2"
///
/// A word is an expression when it follows `--`, or when it is `-`
/// followed by a digit, a letter, `.`, `(` or a space and is not one of the
/// short options (`-f`, `-o`, `-h`).  Option values that start with `-`
/// (`-f -`) stay where they are.
enum LeadingMinus {
  /// The subcommands whose positional argument is an expression.
  static let expressionCommands: Set<String> = ["render", "grad", "eval", "simplify", "print"]

  /// The short options of those subcommands.
  static let shortOptions: Set<String> = ["-f", "-o", "-h"]

  /// `arguments` (without the program name) rearranged as above.
  static func rearranged(_ arguments: [String]) -> [String] {
    guard let command = arguments.first, expressionCommands.contains(command) else {
      return arguments
    }
    var options: [String] = [command]
    var expressions: [String] = []
    var words = arguments.dropFirst()[...]
    while let word = words.popFirst() {
      if word == "--" {
        if let next = words.popFirst() { expressions.append(next) }
      } else if startsExpression(word) {
        expressions.append(word)
      } else {
        options.append(word)
      }
    }
    return expressions.isEmpty ? options : options + ["--"] + expressions
  }

  /// Whether `word` is an expression with a leading minus rather than an option.
  static func startsExpression(_ word: String) -> Bool {
    let characters = Array(word.prefix(2))
    guard characters.count == 2, characters[0] == "-", !shortOptions.contains(word) else {
      return false
    }
    let second = characters[1]
    return second.isNumber || second.isLetter || "(. ".contains(second)
  }
}
