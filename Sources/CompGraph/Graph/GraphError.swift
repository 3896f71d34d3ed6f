/// Everything that can go wrong while building, transforming or evaluating a graph.
/// Each message says what went wrong, where, and how to fix it.
public enum GraphError: Error, Equatable, Sendable, CustomStringConvertible {
  /// An operation's operand shapes do not fit together.
  case shapeMismatch(op: String, shapes: [Shape], reason: String)
  /// An einsum subscript string is malformed or does not fit its operands.
  case badEinsum(spec: String, reason: String)
  /// Evaluation needs a value for a variable that was not bound.
  case unboundVariable(String)
  /// A bound value's shape differs from the variable's declared shape.
  case boundShapeMismatch(variable: String, declared: Shape, given: Shape)
  /// Two variables with one name but different shapes.
  case conflictingVariable(name: String, shapes: [Shape])
  /// Two variables with one name but different element types.
  case conflictingVariableType(name: String, types: [DType])
  /// A variable name that is empty or holds a control or invisible character.
  case invalidName(String)
  /// An operation's result would have more than `Shape.maxElementCount` elements.
  case shapeTooLarge(op: String, shape: Shape)
  /// A transform was asked for something it cannot do (e.g. the gradient of a tensor).
  case unsupported(String)
  /// Handles from two different `GraphBuilder`s were combined in `op`.
  case mixedBuilders(op: String)
  /// A graph was given `names` names for `outputs` outputs.
  case nameCount(names: Int, outputs: Int)
  /// A derivative was asked with respect to something that is not a variable.
  case notAVariable(String)
  /// Building the derivatives of `order` would create (`projected`) or has
  /// created more nodes than the tower's `nodeBudget`; `previous` is what
  /// the order below added.
  case derivativeTooLarge(order: Int, projected: Int?, previous: Int, budget: Int)
  /// A derivative of tensors would hold more elements than a derivative may.
  case derivativeTooManyElements(order: Int, shape: Shape, limit: Int)
  /// A linear-algebra op could not compute a matrix it was given (singular, not positive
  /// definite): `reason` completes "the matrix …"; `index` is its position among the leading
  /// axes `batch` (empty for one matrix).
  case badMatrix(op: String, batch: Shape, index: [Int], reason: String)

  public var description: String {
    switch self {
    case .shapeMismatch(let op, let shapes, let reason):
      let list = shapes.map { $0.shapeDescription }.joined(separator: " and ")
      return "\(op): operand shapes \(list) \(reason)"
    case .badEinsum(let spec, let reason):
      return "einsum \"\(quoted(spec))\": \(reason)"
    case .mixedBuilders(let op):
      return "\(op): the handles come from two different GraphBuilders; build every handle of "
        + "one expression in the same builder"
    case .nameCount(let names, let outputs):
      return "\(names) names were given for \(outputs) outputs; give one name per output"
    case .notAVariable(let what):
      return "cannot differentiate with respect to \(what): it is not a variable; "
        + "differentiate with respect to the variables it is built from"
    case .unboundVariable(let name):
      return
        "variable '\(quoted(name))' has no value; give one in the point (\"\(quoted(name))\": 1.5)"
    case .boundShapeMismatch(let name, let declared, let given):
      return "variable '\(quoted(name))' is declared with shape \(declared.shapeDescription) "
        + "but was given a value of shape \(given.shapeDescription)"
    case .conflictingVariable(let name, let shapes):
      return "variable '\(quoted(name))' is used with two shapes: "
        + shapes.map { $0.shapeDescription }.joined(separator: " and ")
    case .conflictingVariableType(let name, let types):
      return "variable '\(quoted(name))' is used with two element types: "
        + types.map(\.rawValue).joined(separator: " and ")
        + "; declare it once, and convert with cast(\(quoted(name)), f32) where the other is needed"
    case .invalidName(let name):
      return "variable name '\(quoted(name))' is empty or holds a control or invisible "
        + "character; name variables with letters, digits and _"
    case .shapeTooLarge(let op, let shape):
      return "\(op): the result shape \(shape.shapeDescription) has more than 2^40 "
        + "(\(Shape.maxElementCount)) elements, the most a shape may have; use smaller extents"
    case .unsupported(let what):
      return what
    case .derivativeTooLarge(let order, let projected, let previous, let budget):
      let need =
        projected.map { "would add about \(countText($0)) nodes" }
        ?? "grew past the budget while it was built"
      return "the derivatives of order \(order) \(need) (order \(order - 1) added "
        + "\(countText(previous))), more than the node budget of \(countText(budget)); "
        + "ask for a lower order or fewer variables, or raise the budget"
    case .badMatrix(let op, let batch, let index, let reason):
      let which =
        batch.isEmpty
        ? "the matrix"
        : "the matrix at [\(index.map(String.init).joined(separator: ", "))] of the batch "
          + batch.shapeDescription
      return "\(op): \(which) \(reason)"
    case .derivativeTooManyElements(let order, let shape, let limit):
      return "the derivatives of order \(order) would hold a tensor of shape "
        + "\(shape.shapeDescription) (\(countText(shape.elementCount)) elements), more than the "
        + "\(countText(limit)) a derivative may hold; ask for a lower order, or differentiate "
        + "with respect to fewer elements (slice the variable, or take sum() of the output)"
    }
  }
}

/// `1234567` as `1,234,567`.
private func countText(_ n: Int) -> String {
  let digits = Array(String(n))
  return String(
    digits.enumerated().flatMap { i, d in (digits.count - i) % 3 == 0 && i > 0 ? [",", d] : [d] })
}

/// User text in a message: escaped and cut to a line's worth (see `displayText`).
private func quoted(_ text: String) -> String { displayText(text, limit: 40) }
