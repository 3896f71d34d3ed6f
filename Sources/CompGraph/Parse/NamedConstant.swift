import Foundation

/// The numbers the expression language knows by name.  They are also how
/// printed text spells non-finite constants (`formatNumber` writes `inf`,
/// `-inf` and `nan`), so every printed expression reads back.
enum NamedConstant {
  static let values: [String: Double] = [
    "pi": Double.pi, "e": M_E, "inf": Double.infinity, "nan": Double.nan,
  ]
}
