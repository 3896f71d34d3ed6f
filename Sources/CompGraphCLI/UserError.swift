import CompGraph

/// A mistake in the user's input (not in how the command was called):
/// reported on standard error with exit code 1.
struct UserError: Error, CustomStringConvertible {
  let description: String

  init(_ message: String) { description = "compgraph: error: \(message)" }

  /// A message another `compgraph` process already formatted.
  init(relayed message: String) { description = message }

  /// A parse error (or warning), prefixed with where the source came from (`model.cg:3:7: error: …`).
  init(_ error: ParseError, source: String?) {
    description = source.map { "\($0):\(error)" } ?? "\(error)"
  }
}
