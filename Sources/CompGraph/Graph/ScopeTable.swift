/// The nested scopes nodes are built in: modules (`rnn.cell`), checkpoint
/// segments, their recomputed copies, and per-parameter derivative groups
/// (`∂ wrt W`).  Every node records the scope it was first built in, so the
/// scope travels with the graph through freezing, compaction and rendering
/// (the DOT encoder draws each scope as a nested cluster).
///
/// Scope 0 is the root.  A scope is a child of one parent, so the table is a
/// tree stored as parent links; asking for the same (parent, name, kind)
/// twice gives the same scope.
public struct ScopeTable: Sendable, Equatable {
  /// What a scope stands for.
  public enum Kind: Sendable, Equatable {
    /// A module call or a scope named in a `.cg` program.
    case module
    /// A segment whose activations the backward pass recomputes.
    case checkpoint
    /// The recomputed copy of a checkpoint segment.  Its nodes are interned
    /// apart from every other scope's, so hash-consing never merges the copy
    /// back into the original.
    case recompute
    /// The derivative nodes that feed exactly one parameter's gradient.
    case derivative
  }

  public struct Entry: Sendable, Equatable {
    public let name: String
    public let parent: Int32
    public let kind: Kind
  }

  public private(set) var entries: [Entry] = [Entry(name: "", parent: -1, kind: .module)]
  /// `internKey` of each entry, set when it is made, so entering a scope costs the same at any
  /// depth (100,000 nested `.cg` scopes were quadratic).
  private(set) var internKeys: [Int32] = [0]
  /// Each (parent, name, kind) scope but the recompute ones, for `child`'s lookup.
  private var children: [ChildKey: Int32] = [:]

  private struct ChildKey: Hashable, Sendable {
    let parent: Int32
    let name: String
    let kind: Kind
  }

  public init() {}

  /// The scope `name` of `kind` inside `parent` (created on first use).
  /// Recompute scopes are always fresh: each copy must stay distinct.
  mutating func child(of parent: Int32, named name: String, kind: Kind) -> Int32 {
    let key = ChildKey(parent: parent, name: name, kind: kind)
    if kind != .recompute, let existing = children[key] { return existing }
    entries.append(Entry(name: name, parent: parent, kind: kind))
    let scope = Int32(entries.count - 1)
    internKeys.append(kind == .recompute ? scope : internKeys[Int(parent)])
    if kind != .recompute { children[key] = scope }
    return scope
  }

  /// The names from the root down to `scope` (empty for the root).
  public func path(_ scope: Int32) -> [String] {
    var names: [String] = []
    var current = scope
    while current > 0 {
      names.append(entries[Int(current)].name)
      current = entries[Int(current)].parent
    }
    return names.reversed()
  }

  /// The nearest scope of `kind` enclosing `scope` (itself included), if any.
  func enclosing(_ scope: Int32, kind: Kind) -> Int32? {
    var current = scope
    while current > 0 {
      if entries[Int(current)].kind == kind { return current }
      current = entries[Int(current)].parent
    }
    return nil
  }

  /// The part of a node's scope that takes part in hash-consing: the
  /// enclosing recompute scope, or 0.  Nodes built in different module
  /// scopes still merge (a scope is a label), recomputed copies never do.
  func internKey(_ scope: Int32) -> Int32 { internKeys[Int(scope)] }
}
