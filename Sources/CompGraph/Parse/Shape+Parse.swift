/// Reads a shape as users write it: `2x3`, `5`, `2x3x4`, or `scalar`.
/// Every extent is a positive integer and the element count must fit an
/// `Int`; returns `nil` otherwise.
public func parseShape(_ text: String) -> Shape? {
  if text == "scalar" { return [] }
  var shape: Shape = []
  var count = 1
  for part in text.split(separator: "x", omittingEmptySubsequences: false) {
    guard part.allSatisfy(\.isASCII), let extent = Int(part), extent > 0 else { return nil }
    let (product, overflow) = count.multipliedReportingOverflow(by: extent)
    guard !overflow else { return nil }
    count = product
    shape.append(extent)
  }
  return shape
}
