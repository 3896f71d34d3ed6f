/// Append-only storage for the nodes' input lists.
///
/// A node's inputs are handed out as a view (`NodeInputs`) into this store.
/// Because stored ids never change, a view stays valid while the arena keeps
/// growing, and appending never copies what is already there (an `Array`
/// would copy the whole list on every append while any slice of it is alive).
/// When a store is full, or shared with another table that has appended
/// past this one, the table moves to a new store; views of the old store keep
/// it alive.
final class InputStore: @unchecked Sendable {
  let base: UnsafeMutablePointer<NodeID>
  let capacity: Int
  /// How many ids have been written (by whichever table appended last).
  /// Read and written once per appended node, never across a call: no
  /// dynamic exclusivity check.
  @exclusivity(unchecked) var count = 0

  init(capacity: Int) {
    self.capacity = Swift.max(16, capacity)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }
}

/// The input ids of one table: a prefix of an `InputStore`.
struct InputList: Sendable {
  private var store = InputStore(capacity: 16)
  private(set) var count = 0

  mutating func append(contentsOf ids: some Collection<NodeID>) {
    let n = ids.count
    if store.count != count || count + n > store.capacity {
      let grown = InputStore(capacity: Swift.max(2 * store.capacity, count + n))
      grown.base.initialize(from: store.base, count: count)
      grown.count = count
      store = grown
    }
    var p = store.base + count
    for id in ids {
      p.initialize(to: id)
      p += 1
    }
    count += n
    store.count = count
  }

  mutating func reserveCapacity(_ n: Int) {
    guard n > store.capacity else { return }
    let grown = InputStore(capacity: n)
    grown.base.initialize(from: store.base, count: count)
    grown.count = count
    store = grown
  }

  /// The first id, in the current store (which an append may replace).
  var base: UnsafeMutablePointer<NodeID> { store.base }

  /// The ids in `range`, as a view that stays valid as the list grows.
  subscript(range: Range<Int>) -> NodeInputs {
    NodeInputs(store: store, start: range.lowerBound, count: range.count)
  }
}

/// A node's inputs, in order: a read-only view, indexed from 0.
public struct NodeInputs: RandomAccessCollection, Sendable, Equatable {
  let store: InputStore
  let start: Int
  public let count: Int

  public var startIndex: Int { 0 }
  public var endIndex: Int { count }
  public subscript(position: Int) -> NodeID {
    precondition(position >= 0 && position < count, "NodeInputs: index out of range")
    return store.base[start + position]
  }

  public static func == (a: NodeInputs, b: NodeInputs) -> Bool { a.elementsEqual(b) }
}
