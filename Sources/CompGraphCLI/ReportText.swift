import CompGraph
import Foundation

/// Output made of literal text and tensors, written to standard output in
/// pieces of about 1 MB: a tensor's numbers are formatted as they are
/// written, so the text of a 10⁸-entry Jacobian (300 MB and more) is never
/// held whole, nor copied to be joined.
struct ReportText {
  enum Piece {
    case text(String)
    /// Written as nested arrays, its numbers as `JSONText.number` writes
    /// them when `json` is set, else as `Tensor.description` does.
    case tensor(Tensor, json: Bool)
  }

  private(set) var pieces: [Piece] = []

  static func += (text: inout ReportText, string: String) {
    if case .text(let last) = text.pieces.last {
      text.pieces[text.pieces.count - 1] = .text(last + string)
    } else {
      text.pieces.append(.text(string))
    }
  }

  mutating func append(_ tensor: Tensor, json: Bool) {
    pieces.append(.tensor(tensor, json: json))
  }

  /// `{"a": 1, "b": 2}`: each member's key as a JSON string, then its value
  /// as `value` appends it, in the order given.
  mutating func appendObject<Value>(
    _ members: [(key: String, value: Value)], _ value: (inout ReportText, Value) -> Void
  ) {
    self += "{"
    for (k, member) in members.enumerated() {
      self += (k > 0 ? ", " : "") + JSONText.string(member.key) + ": "
      value(&self, member.value)
    }
    self += "}"
  }

  /// Writes every piece to standard output; a failed write is a `UserError`.
  func write() throws {
    let flushAt = 1 << 20
    var buffer: [UInt8] = []
    buffer.reserveCapacity(flushAt + 4096)
    var failure: String?
    func flush() {
      guard failure == nil, !buffer.isEmpty else { return buffer.removeAll(keepingCapacity: true) }
      failure = buffer.withUnsafeBytes { writeAll(Data($0), to: STDOUT_FILENO) }
      buffer.removeAll(keepingCapacity: true)
    }
    func add(_ string: String) {
      buffer.append(contentsOf: string.utf8)
      if buffer.count >= flushAt { flush() }
    }
    for piece in pieces {
      switch piece {
      case .text(let string): add(string)
      case .tensor(let tensor, let json):
        tensor.writeDescription(
          number: { json ? JSONText.number($0, tensor.dtype) : formatNumber($0, tensor.dtype) },
          to: add)
      }
      if failure != nil { break }
    }
    flush()
    if let failure { throw UserError("cannot write to standard output: \(failure)") }
  }
}
