@_spi(Explorer) import CompGraph
import Foundation
import HTTPTypes

/// The JSON body of every API call: what to draw and how.
///
///     {"source": "sin(x)*x", "grad": ["x"], "order": 2, "at": {"x": 1.5}}
///
/// `orders` keeps only outputs of those derivative orders, `partial` only
/// the output of that name; `step` picks a rule firing of the trace and
/// `format` the export (`onnx` or `c`).  `nodes` is the page's node limit
/// (at most the server's, which it is without it); `collapse` (`outputs` or
/// `scopes`) draws each output's private subgraph or each top-level scope
/// as one node `g<k>`, and `expand` lists the groups drawn in full.
package struct ExplorerRequest: Codable, Sendable {
  package var source: String
  package var grad: [String]?
  package var order: Int?
  package var orders: [Int]?
  package var partial: String?
  package var at: [String: Double]?
  package var simplify: Bool?
  package var layout: String?
  package var step: Int?
  package var format: String?
  package var nodes: Int?
  package var collapse: String?
  package var expand: [Int]?

  /// The variables to differentiate with respect to.
  package var variables: [String] { grad ?? [] }

  /// The highest derivative order (1 when variables are given without one).
  package var highestOrder: Int { variables.isEmpty ? 0 : (order ?? 1) }

  /// A request body as an `ExplorerRequest`: 413 past the size limit, 400
  /// for bytes that are not UTF-8, JSON that does not parse or does not fit.
  /// A number too small for a `Double` (`1e-400`) is valid JSON and reads
  /// as 0, as in JavaScript and Python: `JSONDecoder` refuses it, so a body
  /// it calls invalid is read again through `JSONSerialization`, which
  /// rounds it.
  package static func read(_ bytes: [UInt8], within limits: Limits) throws(Refusal) -> Self {
    guard bytes.count <= limits.bodyBytes else { throw .tooLarge(limits) }
    guard String(validating: bytes, as: UTF8.self) != nil else {
      throw Refusal(.badRequest, "the request body is not valid UTF-8")
    }
    let parsed: ExplorerRequest
    do {
      parsed = try decode(Data(bytes))
    } catch let error as DecodingError {
      throw Refusal(.badRequest, describe(error))
    } catch {
      throw Refusal(.badRequest, "malformed JSON request")
    }
    if let problem = parsed.problem(within: limits) {
      throw Refusal(.badRequest, problem)
    }
    return parsed
  }

  private static func decode(_ data: Data) throws -> ExplorerRequest {
    do {
      return try JSONDecoder().decode(ExplorerRequest.self, from: data)
    } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
      guard
        let object = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed),
        let rounded = try? JSONSerialization.data(
          withJSONObject: object, options: .fragmentsAllowed)
      else { throw DecodingError.dataCorrupted(context) }
      return try JSONDecoder().decode(ExplorerRequest.self, from: rounded)
    }
  }

  /// The message for the first field outside `limits`, or `nil` when the
  /// request is fine.
  package func problem(within limits: Limits) -> String? {
    if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      return "'source' is empty; type an expression such as sin(x)*x"
    }
    let scalars = source.unicodeScalars.count
    if scalars > limits.sourceScalars {
      return "'source' has \(scalars) characters (Unicode scalars), more than the limit of "
        + "\(limits.sourceScalars)"
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
    if let partial, partial.unicodeScalars.count > 200 {
      return "'partial' is longer than 200 characters"
    }
    if let nodes, !(1...limits.nodes).contains(nodes) {
      return "'nodes' is \(nodes); this server draws 1 to \(limits.nodes) nodes a picture "
        + "(compgraph-serve --max-nodes sets that)"
    }
    if let collapse, DOTEncoder.Collapse(rawValue: collapse) == nil {
      return "'collapse' is \(quoted(collapse)); use one of "
        + DOTEncoder.Collapse.allCases.map(\.rawValue).joined(separator: ", ")
    }
    if let expand, expand.count > 10_000 || expand.contains(where: { $0 < 0 }) {
      return "'expand' lists group numbers (the k of a node g<k>), at most 10000 of them"
    }
    return nil
  }

  /// A `DecodingError` as one sentence naming the field.
  static func describe(_ error: DecodingError) -> String {
    func field(_ path: [any CodingKey]) -> String {
      path.isEmpty ? "the body" : quoted(path.map(\.stringValue).joined(separator: "."))
    }
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
      return "the request body is not valid JSON; send an object such as "
        + "{\"source\": \"sin(x)*x\", \"grad\": [\"x\"], \"order\": 2}"
    case .dataCorrupted(let context):
      return "malformed JSON at \(field(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, _):
      return
        "the request has no \(quoted(key.stringValue)) field; give at least {\"source\": \"sin(x)*x\"}"
    case .typeMismatch(_, let context) where context.codingPath.isEmpty:
      return "the request body must be a JSON object, such as {\"source\": \"sin(x)*x\"}"
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      return "\(field(context.codingPath)) must be \(kind(type))"
    @unknown default:
      return "malformed JSON request"
    }
  }

  private static func kind(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Int.Type: "an integer"
    case is Double.Type: "a number"
    case is Bool.Type: "true or false"
    default: type == [String].self ? "a list of strings" : "of type \(type)"
    }
  }
}

/// The files `/api/export` writes besides what the page downloads itself.
package enum ExportFormat: String, CaseIterable, Sendable {
  case onnx, c

  package var fileName: String { "compgraph.\(rawValue)" }
  package var contentType: String {
    self == .onnx ? "application/octet-stream" : "text/x-c; charset=utf-8"
  }
}

/// `text` in quotes, cut to 40 Unicode scalars, control characters escaped.
package func quoted(_ text: String) -> String {
  let scalars = text.unicodeScalars
  let cut = scalars.count > 40 ? String(scalars.prefix(40)) + "…" : text
  let escaped = cut.unicodeScalars.map { scalar in
    scalar.properties.generalCategory == .control
      ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
  }
  return "'" + escaped.joined() + "'"
}

/// `text` cut to `limit` Unicode scalars, with a note of how much was cut.
package func cut(_ text: String, to limit: Int) -> String {
  let scalars = text.unicodeScalars
  guard scalars.count > limit else { return text }
  return String(scalars.prefix(limit)) + "… (\(scalars.count - limit) more characters cut)"
}
