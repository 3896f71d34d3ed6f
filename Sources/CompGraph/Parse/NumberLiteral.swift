/// A number as the expression language writes it (`1.5`, `-2e-3`, `.5`),
/// or `nan`, `inf`, `-inf`: the one number syntax of expressions and of
/// the command line's values.  `nil` for anything else, such as `0x10`,
/// `1e999` (not finite) or `1_000`.
package func parseNumber(_ text: some StringProtocol) -> Double? {
  switch text {
  case "nan": return .nan
  case "inf", "+inf": return .infinity
  case "-inf": return -.infinity
  default: break
  }
  var body = Substring(text)
  let negative = body.first == "-"
  if negative || body.first == "+" { body = body.dropFirst() }
  guard body.first.map({ $0.isASCII && ($0.isNumber || $0 == ".") }) ?? false else { return nil }
  var lexer = Lexer(String(body))
  guard case .number(let value)? = try? lexer.next().kind,
    case .end? = try? lexer.next().kind
  else { return nil }
  return negative ? -value : value
}
