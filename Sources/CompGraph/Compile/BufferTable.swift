/// Where a value of a tensor plan lives: an offset into one of the plan's
/// storages — the arena (`base` 0), the constant pool (1) or the caller's
/// input `k` (`2 + k`, bound without a copy).
struct BufferRef: Sendable, Hashable {
  var base: Int32
  var offset: Int

  static let arena: Int32 = 0
  static let constants: Int32 = 1

  static func input(_ k: Int) -> BufferRef { BufferRef(base: Int32(2 + k), offset: 0) }
}

/// The storages' addresses during one run of a plan.  Inputs and constants
/// are only read; the plan writes the arena alone.  Offsets count elements of
/// the plan's type (`PlanElement`).
struct BufferTable: @unchecked Sendable {
  let bases: UnsafeBufferPointer<UnsafeMutableRawPointer>

  /// The address of `buffer`'s first element, of type `T`.
  func pointer<T>(_ buffer: BufferRef, as _: T.Type) -> UnsafeMutablePointer<T> {
    bases[Int(buffer.base)].assumingMemoryBound(to: T.self) + buffer.offset
  }
}
