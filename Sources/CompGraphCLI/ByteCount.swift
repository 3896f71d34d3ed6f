import ArgumentParser

/// A size in bytes as users write it: `4096`, `64K`, `64M`, `4G`, `1T`
/// (powers of 1024), for `--max-input` and `--max-memory`.
struct ByteCount: ExpressibleByArgument, CustomStringConvertible, Comparable {
  let bytes: Int

  init(bytes: Int) { self.bytes = bytes }

  private static let units: [(suffix: Character, shift: Int)] = [
    ("K", 10), ("M", 20), ("G", 30), ("T", 40),
  ]

  init?(argument: String) {
    var digits = Substring(argument)
    var shift = 0
    if let last = digits.last?.uppercased().first,
      let unit = Self.units.first(where: { $0.suffix == last })
    {
      shift = unit.shift
      digits = digits.dropLast()
    }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int(digits), count > 0,
      count <= Int.max >> shift
    else { return nil }
    bytes = count << shift
  }

  /// `64M` when the count is a whole number of a unit, else the bytes.
  var description: String {
    for unit in Self.units.reversed() where bytes % (1 << unit.shift) == 0 {
      return "\(bytes >> unit.shift)\(unit.suffix)"
    }
    return "\(bytes)"
  }

  /// `bytes` in the largest unit that keeps it at least 1: `7.3T`, `512.0M`
  /// (one decimal), or with `roundingUp` a whole count above it (`10T`).
  static func approximate(_ bytes: Double, roundingUp: Bool = false) -> String {
    for unit in units.reversed() where bytes >= Double(1 << unit.shift) {
      let count = bytes / Double(1 << unit.shift)
      return roundingUp
        ? "\(Int(count.rounded(.up)))\(unit.suffix)"
        : String(format: "%.1f", count) + String(unit.suffix)
    }
    return roundingUp ? "\(Int(bytes.rounded(.up)))" : "\(Int(bytes))"
  }

  static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

  static var defaultValueCompletionKind: CompletionKind { .default }
}
