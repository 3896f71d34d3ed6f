#if canImport(Glibc)
  import Glibc
#endif

extension Array where Element == Double {
  /// Arrays at least this large ask for transparent huge pages (NumPy's
  /// threshold): 2 MiB pages fault 512× less often and keep strided walks
  /// (a diagonal, a transpose) inside the TLB.
  private static let hugePageThreshold = 4 << 20

  /// `count` doubles written by `initialize`, which must set every element.
  /// Large arrays are advised `MADV_HUGEPAGE` before their first touch (a
  /// hint: Linux with THP in `madvise` mode honours it, elsewhere a no-op).
  static func hugePageStorage(count: Int, _ initialize: (UnsafeMutablePointer<Double>) -> Void)
    -> [Double]
  {
    [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let base = buffer.baseAddress {
        adviseHugePages(base, count: count)
        initialize(base)
      }
      initialized = count
    }
  }

  /// `count` zeros, with the same huge-page advice.
  static func hugePageZeros(count: Int) -> [Double] {
    hugePageStorage(count: count) { $0.initialize(repeating: 0, count: count) }
  }

  private static func adviseHugePages(_ base: UnsafeMutablePointer<Double>, count: Int) {
    #if os(Linux)
      let bytes = count * MemoryLayout<Double>.stride
      guard bytes >= hugePageThreshold else { return }
      let page = 4096
      let start = (Int(bitPattern: base) + page - 1) / page * page
      let end = (Int(bitPattern: base) + bytes) / page * page
      if end > start {
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
      }
    #endif
  }
}
