/// The package-level helpers the explorer uses.  The explorer is a package
/// of its own (`Explorer/`, so that depending on CompGraph does not build an
/// HTTP server), and `package` declarations do not cross packages, so it
/// imports these as `@_spi(Explorer) import CompGraph`; users do not see them.
@_spi(Explorer) public enum ExplorerSupport {
  /// Whether `text` is a variable name of the expression language (`isIdentifier`).
  public static func isVariableName(_ text: String) -> Bool { isIdentifier(text) }

  /// `[2, 3]` as `2x3`, a scalar as `scalar` (`Shape.shapeDescription`).
  public static func describe(_ shape: Shape) -> String { shape.shapeDescription }
}
