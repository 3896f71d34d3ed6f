/// The nodes of an arena the simplifier found in normal form, under the
/// options they were found with: later simplifications in the same arena
/// skip them (`RewriteDriver.run(_:roots:remembering:)`), so each node is
/// normalised once however many graphs it takes part in.
struct NormalFormMarks {
  private var options: SimplifyOptions?
  private var marked: [Bool] = []

  /// The marks made under `options` (none under other options).
  func marks(under options: SimplifyOptions) -> [Bool] {
    self.options == options ? marked : []
  }

  /// Marks `id` as in normal form under `options` (forgetting marks made
  /// under other options).
  mutating func mark(_ id: NodeID, under options: SimplifyOptions) {
    if self.options != options {
      self.options = options
      marked = []
    }
    if marked.count <= id.index {
      marked += repeatElement(false, count: id.index + 1 - marked.count)
    }
    marked[id.index] = true
  }
}
