/// Offsets into one arena of elements (doubles, or floats for an f32 plan),
/// handed out and taken back as a tensor plan walks its steps: a released
/// block is reused by a later value that fits (the smallest free block that does), neighbours merge, and the arena
/// grows only when no block fits.  `size` is then the plan's peak.
///
/// Blocks are rounded up to 8 elements (a cache line of doubles, half one of
/// floats), so every buffer starts 64-byte (f32: 32-byte) aligned in a
/// 64-byte-aligned arena.
struct ArenaAllocator {
  /// Free blocks, sorted by offset, never adjacent (they merge).
  private var free: [(offset: Int, size: Int)] = []
  /// The arena's length in elements: the high-water mark.
  private(set) var size = 0

  /// `count` elements rounded up to a multiple of 8.
  static func rounded(_ count: Int) -> Int { max(8, (count + 7) / 8 * 8) }

  /// A block of at least `count` elements.
  mutating func allocate(_ count: Int) -> Int {
    let need = Self.rounded(count)
    var best: Int?
    for (k, block) in free.enumerated() where block.size >= need {
      if best == nil || block.size < free[best!].size { best = k }
    }
    if let k = best {
      let offset = free[k].offset
      if free[k].size == need {
        free.remove(at: k)
      } else {
        free[k] = (offset + need, free[k].size - need)
      }
      return offset
    }
    // Grow: a free block at the end of the arena is extended, not skipped.
    if let last = free.last, last.offset + last.size == size {
      free.removeLast()
      size = last.offset + need
      return last.offset
    }
    defer { size += need }
    return size
  }

  /// Returns the block at `offset` of `count` elements (as allocated).
  mutating func release(_ offset: Int, count: Int) {
    let block = (offset: offset, size: Self.rounded(count))
    let k = free.firstIndex { $0.offset > offset } ?? free.count
    free.insert(block, at: k)
    if k + 1 < free.count, free[k].offset + free[k].size == free[k + 1].offset {
      free[k].size += free[k + 1].size
      free.remove(at: k + 1)
    }
    if k > 0, free[k - 1].offset + free[k - 1].size == free[k].offset {
      free[k - 1].size += free[k].size
      free.remove(at: k)
    }
  }
}
