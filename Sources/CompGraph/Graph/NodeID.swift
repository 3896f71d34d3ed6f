/// The index of a node in its graph's arena.  Inputs always have smaller ids
/// than the nodes that use them, so array order is a topological order.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let rawValue: Int32

  public init(_ index: Int) { rawValue = Int32(index) }

  public var index: Int { Int(rawValue) }

  public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }

  public var description: String { "%\(rawValue)" }
}
