/// Whether `text` is an identifier of the expression language: an ASCII
/// letter or `_`, then letters, digits and `_` (what `--grad p,q` and the
/// explorer accept as variable names).
package func isIdentifier(_ text: String) -> Bool {
  guard let first = text.unicodeScalars.first, first.isASCII,
    first.properties.isAlphabetic || first == "_"
  else { return false }
  return text.unicodeScalars.allSatisfy {
    $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_")
  }
}
