/// A validated einsum: for each operand the list of its index labels, and the
/// output's labels.  Labels are small integers numbered by first appearance, so
/// `"ij,jk->ik"` and `"ab,bc->ac"` are the same spec (and the same node).
///
///     out[i,k] = Σ_j A[i,j] · B[j,k]          ("ij,jk->ik")
///
/// A label repeated inside one operand takes its diagonal (`"ii->i"`); a label
/// missing from the output is summed over; `...` stands for the leading axes
/// that the operands broadcast.
public struct EinsumSpec: Hashable, Sendable, CustomStringConvertible {
  public let operands: [[Int]]
  public let output: [Int]

  /// Builds a spec from label lists, renumbering labels by first appearance.
  public init(operands: [[Int]], output: [Int]) {
    var map: [Int: Int] = [:]
    func relabel(_ label: Int) -> Int {
      if let m = map[label] { return m }
      let m = map.count
      map[label] = m
      return m
    }
    self.operands = operands.map { $0.map(relabel) }
    self.output = output.map(relabel)
  }

  /// The number of distinct labels.
  public var labelCount: Int { (operands.flatMap { $0 } + output).max().map { $0 + 1 } ?? 0 }

  /// `ij,jk->ik`: labels print as `a…z` then `A…Z`.
  public var description: String {
    operands.map(Self.letters).joined(separator: ",") + "->" + Self.letters(output)
  }

  static func letters(_ labels: [Int]) -> String {
    let alphabet = Array("ijklmnopqrstuvwxyzabcdefghABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return String(labels.map { $0 < alphabet.count ? alphabet[$0] : "?" })
  }

  /// Parses NumPy's notation against the operands' shapes.
  ///
  /// Accepts the explicit form `"ij,jk->ik"`, the implicit form `"ij,jk"`
  /// (output = labels used once, alphabetically) and `...`.
  public static func parse(_ text: String, shapes: [Shape]) throws -> EinsumSpec {
    func fail(_ reason: String) -> GraphError { .badEinsum(spec: text, reason: reason) }
    let spaceless = text.filter { $0 != " " }
    let sides = spaceless.components(separatedBy: "->")
    guard sides.count <= 2 else { throw fail("'->' appears more than once") }
    let inputTerms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(
      String.init)
    guard inputTerms.count == shapes.count else {
      throw fail(
        "the subscripts name \(inputTerms.count) operand(s) but \(shapes.count) were given")
    }
    // Each term: letters with at most one "...".
    struct Term { var before: [Character]; var after: [Character]; var ellipsis: Bool }
    func split(_ term: String) throws -> Term {
      let parts = term.components(separatedBy: "...")
      guard parts.count <= 2 else { throw fail("'...' appears twice in \"\(term)\"") }
      for ch in parts.joined() where !(ch.isASCII && ch.isLetter) {
        throw fail("'\(ch)' is not an index letter (use a-z, A-Z)")
      }
      return Term(
        before: Array(parts[0]), after: parts.count == 2 ? Array(parts[1]) : [],
        ellipsis: parts.count == 2)
    }
    let terms = try inputTerms.map(split)
    // Size the ellipsis of each operand and the broadcast ellipsis shape.
    var ellipsisShape: Shape = []
    var ellipsisRanks: [Int] = []
    for (term, shape) in zip(terms, shapes) {
      let named = term.before.count + term.after.count
      if term.ellipsis {
        guard shape.count >= named else {
          throw fail(
            "operand of shape \(shape.shapeDescription) has rank \(shape.count), fewer than its \(named) subscripts"
          )
        }
        let part = Array(shape[term.before.count..<(shape.count - term.after.count)])
        guard let b = broadcastShapes(ellipsisShape, part) else {
          throw fail(
            "the '...' axes \(ellipsisShape.shapeDescription) and \(part.shapeDescription) do not broadcast"
          )
        }
        ellipsisShape = b
        ellipsisRanks.append(part.count)
      } else {
        guard shape.count == named else {
          throw fail(
            "operand \(ellipsisRanks.count + 1) has \(named) subscript(s) but rank \(shape.count) (shape \(shape.shapeDescription))"
          )
        }
        ellipsisRanks.append(0)
      }
    }
    // Labels: letters keep their code; ellipsis axes get labels 1000+.
    let ellipsisLabels = (0..<ellipsisShape.count).map { 1000 + $0 }
    var operands: [[Int]] = []
    for (k, term) in terms.enumerated() {
      let rank = ellipsisRanks[k]
      let dots = rank == 0 ? [] : Array(ellipsisLabels.suffix(rank))
      operands.append(term.before.map(code) + dots + term.after.map(code))
    }
    var output: [Int]
    if sides.count == 2 {
      let term = try split(sides[1])
      output = term.before.map(code) + (term.ellipsis ? ellipsisLabels : []) + term.after.map(code)
      let used = Set(operands.flatMap { $0 })
      for ch in term.before + term.after where !used.contains(code(ch)) {
        throw fail("output index '\(ch)' does not appear in any operand")
      }
      if Set(output).count != output.count { throw fail("an output index appears twice") }
    } else {
      var counts: [Int: Int] = [:]
      for label in operands.flatMap({ $0 }) where label < 1000 { counts[label, default: 0] += 1 }
      output = ellipsisLabels + counts.filter { $0.value == 1 }.keys.sorted()
    }
    // Check sizes agree per label.
    var sizes: [Int: Int] = [:]
    for (labels, shape) in zip(operands, shapes) {
      for (label, extent) in zip(labels, shape) where label < 1000 {
        if let known = sizes[label], known != extent {
          let letter = Character(UnicodeScalar(UInt8(label)))
          throw fail("index '\(letter)' has extent \(known) in one place and \(extent) in another")
        }
        sizes[label] = extent
      }
    }
    // '...' axes are matched by label, so their extents must agree exactly.
    for (labels, shape) in zip(operands, shapes) {
      for (label, extent) in zip(labels, shape) where label >= 1000 {
        if extent != ellipsisShape[label - 1000] {
          throw fail(
            "'...' axes of shape \(shape.shapeDescription) must match \(ellipsisShape.shapeDescription) exactly"
          )
        }
      }
    }
    return EinsumSpec(operands: operands, output: output)
  }

  private static func code(_ ch: Character) -> Int { Int(ch.asciiValue!) }

  /// The extent of every label, checked against the operand shapes.
  /// Throws when a label has two extents or an operand's rank is wrong.
  public func labelSizes(for shapes: [Shape]) throws -> [Int] {
    guard shapes.count == operands.count else {
      throw GraphError.badEinsum(
        spec: description, reason: "expects \(operands.count) operand(s), got \(shapes.count)")
    }
    var sizes = [Int](repeating: -1, count: labelCount)
    for (k, (labels, shape)) in zip(operands, shapes).enumerated() {
      guard labels.count == shape.count else {
        throw GraphError.badEinsum(
          spec: description,
          reason:
            "operand \(k + 1) has rank \(shape.count) (shape \(shape.shapeDescription)), expected \(labels.count)"
        )
      }
      for (label, extent) in zip(labels, shape) {
        if sizes[label] >= 0 && sizes[label] != extent {
          throw GraphError.badEinsum(
            spec: description,
            reason:
              "index '\(Self.letters([label]))' has extent \(sizes[label]) in one place and \(extent) in another"
          )
        }
        sizes[label] = extent
      }
    }
    if let missing = output.first(where: { sizes[$0] < 0 }) {
      throw GraphError.badEinsum(
        spec: description, reason: "output index '\(Self.letters([missing]))' appears in no operand"
      )
    }
    return sizes
  }

  /// The output shape for operands of the given shapes.
  public func outputShape(for shapes: [Shape]) throws -> Shape {
    let sizes = try labelSizes(for: shapes)
    return output.map { sizes[$0] }
  }
}
