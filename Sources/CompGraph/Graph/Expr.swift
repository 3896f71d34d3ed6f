/// The user's handle on a node: an id in a `GraphBuilder`, with operators so
/// that `sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3` reads as maths.
///
/// **How a handle finds its arena.**  Each handle carries a reference to its
/// builder, so no builder is threaded through calls and no global state is
/// shared between tasks; a literal on either side of an operator joins the
/// other side's builder.  Combining handles of two different builders is a
/// programming error and traps with a message saying so.
///
/// **Errors.**  Operators cannot throw, so an operation whose shapes do not
/// fit yields a *failed* handle that carries the `GraphError`; every later
/// operation passes it on, and every consumer (`node()`, evaluation,
/// `gradient`) throws it.  Nothing traps on bad shapes.
public struct Expr {
  public let builder: GraphBuilder
  let result: Result<NodeID, GraphError>

  init(_ builder: GraphBuilder, _ result: Result<NodeID, GraphError>) {
    self.builder = builder
    self.result = result
  }

  public init(_ builder: GraphBuilder, _ id: NodeID) {
    self.init(builder, .success(id))
  }

  /// The node id; throws the error that made this handle fail.
  public func node() throws -> NodeID { try result.get() }

  /// The shape, or `nil` for a failed handle.
  public var shape: Shape? { (try? result.get()).map(builder.shape) }

  /// The element type, or `nil` for a failed handle.
  public var dtype: DType? { (try? result.get()).map(builder.dtype) }

  /// Builds `op(inputs)` in the inputs' builder.
  static func apply(_ op: Op, _ inputs: [Expr]) -> Expr {
    let builder = inputs[0].builder
    if inputs.contains(where: { $0.builder !== builder }) {
      return Expr(builder, .failure(.mixedBuilders(op: op.info.name)))
    }
    do {
      let ids = try inputs.map { try $0.node() }
      return Expr(builder, .success(try builder.node(op, ids)))
    } catch let error as GraphError {
      return Expr(builder, .failure(error))
    } catch {
      return Expr(builder, .failure(.unsupported("\(error)")))
    }
  }

  /// `apply` for one input: a scalar elementwise op builds no array.
  static func apply(_ op: Op, _ a: Expr) -> Expr {
    if case .success(let x) = a.result, let id = a.builder.scalarFastPath(op, x) {
      return Expr(a.builder, id)
    }
    return apply(op, [a])
  }

  /// `apply` for two inputs: a scalar sum or product builds no array.
  static func apply(_ op: Op, _ a: Expr, _ b: Expr) -> Expr {
    if a.builder === b.builder, case .success(let x) = a.result, case .success(let y) = b.result,
      let id = a.builder.scalarFastPath(op, x, y)
    {
      return Expr(a.builder, id)
    }
    return apply(op, [a, b])
  }

  /// A constant in this handle's builder.
  func constant(_ value: Double) -> Expr { Expr(builder, builder.constantNode(value)) }

  /// Freezes this expression (and any others) into an immutable graph.
  /// Throws a failed handle's error, `GraphError.mixedBuilders` for a
  /// handle of another builder, and `GraphError.nameCount` when `names` is
  /// not one name per output.
  public func graph(names: [String]? = nil, with others: [Expr] = []) throws -> Graph {
    let all = [self] + others
    if let names, names.count != all.count {
      throw GraphError.nameCount(names: names.count, outputs: all.count)
    }
    if all.contains(where: { $0.builder !== builder }) {
      throw GraphError.mixedBuilders(op: "graph")
    }
    return builder.graph(outputs: try all.map { try $0.node() }, names: names)
  }
}

extension GraphBuilder {
  /// A scalar or tensor variable handle of element type `dtype` (`defaultDType`
  /// if not given).  Throws when `name` was declared before with another
  /// shape or type.
  public func variable(_ name: String, _ shape: Shape = [], dtype: DType? = nil) throws -> Expr {
    Expr(self, try variableNode(name, shape: shape, dtype: dtype))
  }

  public func constant(_ value: Double) -> Expr { Expr(self, constantNode(value)) }
  public func constant(_ value: Tensor) -> Expr { Expr(self, constantNode(value)) }

  /// A handle on an existing node.
  public func expr(_ id: NodeID) -> Expr { Expr(self, id) }
}
