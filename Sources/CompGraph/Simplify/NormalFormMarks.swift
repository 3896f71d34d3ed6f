/// The nodes of an arena the simplifier found in normal form, under the
/// options they were found with: later simplifications in the same arena
/// skip them (`RewriteDriver.run(_:roots:remembering:)`), so each node is
/// normalised once however many graphs it takes part in.
struct NormalFormMarks {
  private var options: SimplifyOptions?
  private var marked: [Bool] = []

  /// Takes out the marks made under `options` (none under other options),
  /// for a run to extend and `store` back: the run marks a local array, so
  /// the options are compared once per run, not once per node.
  mutating func take(under options: SimplifyOptions) -> [Bool] {
    defer { marked = [] }
    return self.options == options ? marked : []
  }

  /// Stores the marks made under `options` (forgetting marks made under
  /// other options).
  mutating func store(_ marks: [Bool], under options: SimplifyOptions) {
    self.options = options
    marked = marks
  }
}
