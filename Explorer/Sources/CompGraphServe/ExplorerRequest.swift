@_spi(Explorer) import CompGraph
import Foundation

/// The JSON body of every API call: what to draw and how.
///
///     {"source": "sin(x)*x", "grad": ["x"], "order": 2, "at": {"x": 1.5}}
///
/// `orders` keeps only outputs of those derivative orders, `partial` only
/// the output of that name; `step` picks a rule firing of the trace and
/// `format` the export (`onnx` or `c`).
struct ExplorerRequest: Codable, Sendable {
  var source: String
  var grad: [String]?
  var order: Int?
  var orders: [Int]?
  var partial: String?
  var at: [String: Double]?
  var simplify: Bool?
  var layout: String?
  var step: Int?
  var format: String?

  /// The variables to differentiate with respect to.
  var variables: [String] { grad ?? [] }

  /// The highest derivative order (1 when variables are given without one).
  var highestOrder: Int { variables.isEmpty ? 0 : (order ?? 1) }

  /// The message for the first field outside `limits`, or `nil` when the
  /// request is fine.
  func problem(within limits: Limits) -> String? {
    if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      return "'source' is empty; type an expression such as sin(x)*x"
    }
    if source.count > limits.sourceCharacters {
      return "'source' has \(source.count) characters, more than the limit of "
        + "\(limits.sourceCharacters)"
    }
    if variables.count > limits.variables {
      return "'grad' names \(variables.count) variables, more than the limit of \(limits.variables)"
    }
    if let name = variables.first(where: { !ExplorerSupport.isVariableName($0) }) {
      return "'grad' holds \(quoted(name)), which is not a variable name (letters, digits, _)"
    }
    if Set(variables).count != variables.count {
      return "'grad' names a variable twice"
    }
    if let order, !(0...limits.order).contains(order) {
      return "'order' is \(order); the explorer draws orders 0 to \(limits.order)"
    }
    if let at,
      let (name, value) = at.first(where: {
        !$0.value.isFinite || !ExplorerSupport.isVariableName($0.key)
      })
    {
      return "'at' gives \(quoted(name)) = \(value); give finite numbers for variable names"
    }
    if let layout, !limits.layouts.contains(layout) {
      return "'layout' is \(quoted(layout)); use one of \(limits.layouts.joined(separator: ", "))"
    }
    if let step, step < 0 { return "'step' is \(step); steps count from 0" }
    if let format, !ExportFormat.allCases.map(\.rawValue).contains(format) {
      return "'format' is \(quoted(format)); use one of "
        + ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")
    }
    if let partial, partial.count > 200 { return "'partial' is longer than 200 characters" }
    return nil
  }
}

/// The files `/api/export` writes besides what the page downloads itself.
enum ExportFormat: String, CaseIterable, Sendable {
  case onnx, c

  var fileName: String { "compgraph.\(rawValue)" }
  var contentType: String { self == .onnx ? "application/octet-stream" : "text/x-c; charset=utf-8" }
}

/// `text` in quotes, cut to 40 characters, control characters escaped.
func quoted(_ text: String) -> String {
  let cut = text.count > 40 ? text.prefix(40) + "…" : Substring(text)
  let escaped = cut.unicodeScalars.map { scalar in
    scalar.properties.generalCategory == .control
      ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
  }
  return "'" + escaped.joined() + "'"
}
