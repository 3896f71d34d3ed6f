/// Reads a shape as users write it: `2x3`, `5`, `2x3x4`, or `scalar`.
/// Every extent is a positive integer and the element count is at most
/// `Shape.maxElementCount`; returns `nil` otherwise.
package func parseShape(_ text: String) -> Shape? {
  if text == "scalar" { return [] }
  var shape: Shape = []
  for part in text.split(separator: "x", omittingEmptySubsequences: false) {
    guard part.allSatisfy(\.isASCII), let extent = Int(part), extent > 0 else { return nil }
    shape.append(extent)
    guard shape.checkedElementCount != nil else { return nil }
  }
  return shape
}
