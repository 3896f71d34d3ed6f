/// A jaxpr-like text listing: SSA, one equation per node, in node order.
///
///     { lambda p:f64[] q:f64[] ; let
///         %2:f64[] = add p p q
///         %3:f64[] = sqrt %2
///         %4:f64[] = mul 0.5 %3
///       in (f=%4) }
///
/// Variables are named in the `lambda` header and referred to by name;
/// scalar constants are written inline where they are used; every other node
/// is `%id:type = name[parameter] operands` with `id` its node id, so a line
/// can be matched with the DOT picture and with error messages.  Names come
/// from `Op.info`.  One forward loop: no recursion on graph depth.
///
/// The body of each scan follows, once (`Graph.bodies`, nested ones included), as
/// `where cell = { lambda h:f64[2] x:f64[2] w:f64[] ; let … in (h′=%5, y0=%6) }`: its
/// parameters in order (carries, rows, closed-over values), its next carries and outputs.
extension Graph {
  public var listing: String {
    var text = listing(
      parameters: ids.filter { op($0).kind == .variable }.map { id in
        "\(op(id).info.name):\(Self.typeText(shape(id), dtype(id)))"
      }, opening: "{ lambda ")
    for body in bodies {
      text += body.graph.listing(
        parameters: zip(body.parameters, body.parameterShapes).map {
          "\($0):\(Self.typeText($1, .f64))"
        }, opening: "where \(body.name) = { lambda ")
    }
    return text
  }

  /// This graph's own lines, after `opening` and its `parameters`.
  private func listing(parameters: [String], opening: String) -> String {
    var text = opening
    text += parameters.joined(separator: " ")
    text += parameters.isEmpty ? "; let\n" : " ; let\n"
    for index in 0..<nodeCount where !isInlined(NodeID(index)) {
      appendEquation(NodeID(index), to: &text)
    }
    let results = zip(outputNames, outputs).map { "\($0)=\(operand($1))" }
    text += "  in (\(results.joined(separator: ", "))) }\n"
    return text
  }

  /// `12 nodes, 15 edges, 8 operations` (`1 operation`): the size line of `compgraph print`.
  public var sizeSummary: String {
    [(nodeCount, "node"), (edgeCount, "edge"), (operationCount, "operation")].map {
      "\($0) \($1)" + ($0 == 1 ? "" : "s")
    }.joined(separator: ", ")
  }

  /// `f64[]`, `f32[2,3]`.
  static func typeText(_ shape: Shape, _ dtype: DType) -> String {
    "\(dtype.rawValue)[\(shape.map(String.init).joined(separator: ","))]"
  }

  /// Variables and scalar constants have no line of their own.
  private func isInlined(_ id: NodeID) -> Bool {
    switch op(id) {
    case .variable: true
    case .constant(let value): value.isScalar && value.dtype == .f64  // a literal
    default: false
    }
  }

  /// How a node is written where it is used: its name, its value, or `%id`.
  private func operand(_ id: NodeID) -> String {
    switch op(id) {
    case .variable(let name): name
    case .constant(let value) where isInlined(id): formatNumber(value.scalars[0])
    default: id.description
    }
  }

  /// `    %5:f64[2] = add p %3`, `pow[-1] %2`, `einsum[ij,jk->ik] A B`,
  /// `const [1, 2]`: one line, appended in place (a million-line listing
  /// builds no intermediate arrays).
  private func appendEquation(_ id: NodeID, to text: inout String) {
    let op = op(id)
    text += "    \(id):\(Self.typeText(shape(id), dtype(id))) = "
    switch op.structure {
    case .einsum(let spec): text += "einsum[\(spec)]"
    case .reduceMax(let axis), .oneHot(let axis): text += "\(op.info.name)[\(axis)]"
    case .slice(let axis, let start, let end): text += "slice[\(axis),\(start):\(end)]"
    case .pad(let axis, let before, let after): text += "pad[\(axis),\(before),\(after)]"
    case .sumTo(let target), .broadcastTo(let target), .reshape(let target):
      text += "\(op.info.name)[\(target.map(String.init).joined(separator: ","))]"
    case .matrix(.triangularSolve(let lower, let transpose)):
      text += "triangular_solve[\(lower ? "lower" : "upper")\(transpose ? ",transpose" : "")]"
    case .matrix: text += op.info.name
    case .scan(let spec):
      text += "scan[\(spec.body.name),\(spec.length)\(spec.reverse ? ",reverse" : "")"
      switch spec.checkpoint {
      case .all: break
      case .every(let k): text += ",every \(k)"
      case .sqrt: text += ",sqrt"
      }
      text += "]"
    case .patches(let w), .unpatches(let w): text += "\(op.info.name)[\(w.listed)]"
    // Leaves and elementwise ops: only a constant's values and pow's exponent are parameters.
    case nil:
      if case .pow(let exponent) = op {
        text += "pow[\(formatNumber(exponent))]"
      } else if case .constant(let value) = op {
        text += "const "
        text += value.scalars.count <= 16 ? value.description : "<\(value.scalars.count) values>"
      } else {
        text += op.info.name
      }
    }
    for input in inputs(id) {
      text += " "
      text += operand(input)
    }
    text += "\n"
  }
}
