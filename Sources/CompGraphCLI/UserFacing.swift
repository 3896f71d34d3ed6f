import ArgumentParser
import CompGraph
import Foundation

/// Runs `body`, turning the library's errors about the user's input
/// (graph, render and parse errors) into a `UserError` (exit code 1).
func userFacing<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch GraphError.unboundVariable(let name) {
    throw UserError("variable '\(name)' has no value; bind it with --at \(name)=1.5")
  } catch let error as GraphError {
    if case .derivativeTooLarge(_, let projected, _, let budget) = error {
      let raised = max(budget * 2, (projected ?? budget) * 2)
      throw UserError("\(error) with --node-budget \(raised)")
    }
    throw UserError("\(error)")
  } catch let error as RenderError {
    throw UserError("\(error)")
  }
}

/// `p,q` of `--grad` and `--wrt`: variable names separated by commas.
struct VariableList: ExpressibleByArgument {
  let names: [String]

  init?(argument: String) {
    let names = argument.split(separator: ",", omittingEmptySubsequences: false).map {
      String($0.trimmingCharacters(in: .whitespaces))
    }
    guard names.allSatisfy(isIdentifier) else { return nil }
    self.names = names
  }

  /// Rejects lists that name a variable twice.
  static func distinct(_ lists: [VariableList], option: String) throws -> [String] {
    let names = lists.flatMap(\.names)
    // The first name listed again, in one pass (a --wrt of 10⁵ names is fine).
    var counts: [String: Int] = [:]
    for name in names { counts[name, default: 0] += 1 }
    if let repeated = names.first(where: { counts[$0]! > 1 }) {
      throw ValidationError("\(option): '\(repeated)' is listed twice.")
    }
    return names
  }
}

/// Checks `--order` for `grad` and `render`.
func validateOrder(_ order: Int) throws {
  guard (1...Graph.maxOrder).contains(order) else {
    throw ValidationError("--order must be between 1 and \(Graph.maxOrder).")
  }
}

/// `--format` of `grad` and `simplify`: the language the expressions are printed in.
enum TextFormatOption: String, ExpressibleByArgument, CaseIterable {
  case text, latex, python, jax, c

  var format: TextFormat {
    switch self {
    case .text: .compgraph
    case .latex: .latex
    case .python: .python
    case .jax: .jax
    case .c: .c
    }
  }
}
