import Foundation

extension Graph {
  /// Warnings on risky spots: interval arithmetic (`Op.image`) over this
  /// graph and its derivative graphs up to `order` (simplified, as `grad`
  /// builds them), with every variable ranging over `domain`, lists every
  /// node where the domain admits one of `Risk.Kind` (`Op.risks`):
  ///
  ///     ln u, u ≤ 0      √u or u^½, u < 0      √u, u = 0 (∂ = ∞)
  ///     u^−c, u = 0      eᵘ, u > 709.78
  ///
  /// Each risk names the lowest order whose graph holds the node and, per
  /// variable the node depends on, the sub-interval of its domain that
  /// triggers it (found by bisecting that variable's range with the others
  /// whole, to 2⁻³⁰ of the range's width); a node where no piece of the
  /// bisection admits the risk is not reported.  Interval arithmetic
  /// encloses the true values, so no risk is missed; with several variables
  /// it may report a spot that the exact values avoid (it does not know
  /// that `x - y` is 0 when `x = y`), never on expressions like
  /// `sqrt(x^2 + 1)` or `ln(exp(x) + 1)`.
  ///
  /// Outputs that are tensors are summed before differentiating; orders
  /// above 1 need scalar variables.  Nothing recurses on graph depth.
  public func risks(in domain: [String: Interval], order: Int = 1) throws -> [Risk] {
    try checkDomain(domain, order: order)
    var scalar = self
    if order > 0 && outputs.contains(where: { !shape($0).isEmpty }) {
      let builder = GraphBuilder(self)
      let sums = try outputs.map { shape($0).isEmpty ? $0 : try builder.node(.sumTo([]), [$0]) }
      scalar = builder.graph(outputs: sums, names: outputNames)
    }
    let tower =
      order == 0
      ? DerivativeGraph(graph: self, outputOrders: outputs.map { _ in 0 })
      : try scalar.derivatives(wrt: variables.map(\.name), order: order, simplifying: true)
    let graph = tower.graph
    let orders = graph.derivativeOrders(outputOrders: tower.outputOrders)
    let analysis = IntervalAnalysis(graph, domain: domain)
    let whole = analysis.evaluate(analysis.domain)
    var found: [(node: NodeID, kind: Risk.Kind)] = []
    for id in graph.ids where !graph.op(id).isLeaf {
      let kinds = graph.op(id).risks(of: graph.inputs(id).map { whole[$0.index] })
      found += kinds.map { (id, $0) }
    }
    found.sort { (orders[$0.node.index], $0.node) < (orders[$1.node.index], $1.node) }
    let texts = graph.infix(of: found.map(\.node), limit: 160)
    var seen = Set<String>()
    var risks: [Risk] = []
    // Interval node evaluations for refining triggers, in all and per risk
    // (past them, triggers are left unrefined or coarse).
    var budget = 4_000_000
    for ((node, kind), text) in zip(found, texts) where seen.insert("\(kind) \(text)").inserted {
      var share = Swift.min(budget, 100_000)
      budget -= share
      defer { budget += share }
      // Bisection may show that no point of the domain admits the risk.
      guard let triggers = analysis.triggers(of: kind, at: node, budget: &share) else { continue }
      risks.append(
        Risk(kind: kind, expression: text, order: orders[node.index], triggers: triggers))
    }
    return risks
  }

  /// Throws unless `domain` gives every variable a non-empty range and
  /// names no other, and `order` is one the tower builds.
  private func checkDomain(_ domain: [String: Interval], order: Int) throws {
    let names = Set(variables.map(\.name))
    for (name, range) in domain.sorted(by: { $0.key < $1.key }) {
      guard names.contains(name) else {
        throw GraphError.unsupported(
          "the domain gives a range for '\(name)', but the expression has no variable of that name"
            + (names.isEmpty
              ? ""
              : " (its variables are \(variables.map { "'\($0.name)'" }.joined(separator: ", ")))"))
      }
      guard !range.isEmpty else {
        throw GraphError.unsupported(
          "the range \(formatNumber(range.lower))..\(formatNumber(range.upper)) of '\(name)' is empty; write the lower end first"
        )
      }
    }
    if let missing = variables.first(where: { domain[$0.name] == nil }) {
      throw GraphError.unsupported(
        "the domain gives no range for '\(missing.name)'; give one, e.g. \(missing.name)=-1..1 (or -inf..inf for every value)"
      )
    }
    guard (0...Graph.maxOrder).contains(order) else {
      throw GraphError.unsupported(
        "the order must be between 0 and \(Graph.maxOrder), got \(order)")
    }
    if order > 1, let tensor = variables.first(where: { !$0.shape.isEmpty }) {
      throw GraphError.unsupported(
        "derivatives of order \(order) need scalar variables, but '\(tensor.name)' has shape \(tensor.shape.shapeDescription); use order 1"
      )
    }
  }
}

/// Interval evaluation of one graph over boxes of its variables' ranges.
private struct IntervalAnalysis {
  let graph: Graph
  /// The variables' ranges, in the order of `graph.variables`.
  let domain: [Interval]
  let names: [String]
  /// Per node: its variable's position in `domain`, or −1.
  private let variableSlot: [Int]

  /// One node's evaluation, read from the graph once.
  private enum Step {
    case variable(slot: Int)
    case constant(Interval)
    case apply(Op, inputs: [NodeID], shapes: [Shape])
  }

  init(_ graph: Graph, domain ranges: [String: Interval]) {
    self.graph = graph
    names = graph.variables.map(\.name)
    domain = names.map { ranges[$0]! }
    var slot = [Int](repeating: -1, count: graph.nodeCount)
    var position = 0
    for id in graph.ids {
      if case .variable = graph.op(id) {
        slot[id.index] = position
        position += 1
      }
    }
    variableSlot = slot
  }

  private func step(_ id: NodeID) -> Step {
    switch graph.op(id) {
    case .variable: return .variable(slot: variableSlot[id.index])
    case .constant(let t): return .constant(t.scalars.reduce(.empty) { $0.hull(Interval($1)) })
    case let op:
      let inputs = Array(graph.inputs(id))
      return .apply(op, inputs: inputs, shapes: inputs.map(graph.shape))
    }
  }

  /// Evaluates `steps` (of the nodes `ids`, inputs first) into `values`.
  private func run(
    _ steps: [Step], _ ids: [NodeID], _ box: [Interval], into values: inout [Interval]
  ) {
    for (id, step) in zip(ids, steps) {
      switch step {
      case .variable(let slot): values[id.index] = box[slot]
      case .constant(let range): values[id.index] = range
      case .apply(let op, let inputs, let shapes):
        values[id.index] = op.image(
          of: inputs.map { values[$0.index] }, inputs: inputs, shapes: shapes)
      }
    }
  }

  /// Every node's interval with the variables in `box`.
  func evaluate(_ box: [Interval]) -> [Interval] {
    var values = [Interval](repeating: .empty, count: graph.nodeCount)
    for id in graph.ids { run([step(id)], [id], box, into: &values) }
    return values
  }

  /// For each variable `node` depends on, the part of its range where the
  /// node admits `kind` (the other variables over their whole ranges), or
  /// nil when bisection shows that no part does (interval arithmetic
  /// overestimated on the whole range: `x^2 - 2*x + 2` of [−10, 10] is
  /// [−18, 122], but > 0 on every small piece).  Spends at most `budget`
  /// node evaluations; with none left, the triggers are empty (unrefined).
  func triggers(of kind: Risk.Kind, at node: NodeID, budget: inout Int) -> [Risk.Trigger]? {
    guard budget > node.index else { return [] }
    budget -= node.index + 1
    // The node's cone: the nodes it is computed from (one backward loop).
    var inCone = [Bool](repeating: false, count: node.index + 1)
    inCone[node.index] = true
    for index in stride(from: node.index, through: 0, by: -1) where inCone[index] {
      for input in graph.inputs(NodeID(index)) { inCone[input.index] = true }
    }
    let cone = (0...node.index).filter { inCone[$0] }.map(NodeID.init)
    let steps = cone.map(step)
    let op = graph.op(node), inputs = Array(graph.inputs(node))
    var values = [Interval](repeating: .empty, count: node.index + 1)
    var triggers: [Risk.Trigger] = []
    let slots = cone.map({ variableSlot[$0.index] }).filter { $0 >= 0 }
    // Each end of each variable's range gets an equal share.
    let share = budget / Swift.max(1, 2 * slots.count)
    for slot in slots {
      let search = Bisection(range: domain[slot])
      // Whether the node admits the risk with this variable in `part`.
      let admits = { (part: Interval, budget: inout Int) -> Bool in
        var box = domain
        box[slot] = part
        budget -= cone.count
        run(steps, cone, box, into: &values)
        return op.risks(of: inputs.map { values[$0.index] }).contains(kind)
      }
      var lowBudget = share, highBudget = share
      defer { budget -= 2 * share - lowBudget - highBudget }
      guard let lower = search.end(lowest: true, budget: &lowBudget, admits),
        let upper = search.end(lowest: false, budget: &highBudget, admits)
      else { return nil }
      triggers.append(
        Risk.Trigger(
          variable: names[slot],
          range: Interval(search.shortest(near: lower), search.shortest(near: upper))))
    }
    return triggers
  }
}

/// A depth-first bisection of one variable's range for the lowest or highest
/// value where a predicate holds on a small enough sub-interval.
private struct Bisection {
  let range: Interval
  /// Sub-intervals this narrow are not split again.
  let tolerance: Double

  init(range: Interval) {
    self.range = range
    tolerance = range.width.isFinite ? range.width * 0x1p-30 : 0
  }

  /// The lowest (or highest) end of a leaf where `admits` holds, or nil
  /// when it holds on none; when the budget runs out, the farthest end
  /// still in question.
  func end(
    lowest: Bool, budget: inout Int, _ admits: (Interval, inout Int) -> Bool
  ) -> Double? {
    var stack = [range]
    while let part = stack.popLast() {
      if budget <= 0 {
        let ends = (stack + [part]).map { lowest ? $0.lower : $0.upper }
        return lowest ? ends.min()! : ends.max()!
      }
      guard admits(part, &budget) else { continue }
      guard let (low, high) = split(part) else { return lowest ? part.lower : part.upper }
      // Visit the half towards the wanted end first.
      stack += lowest ? [high, low] : [low, high]
    }
    return nil
  }

  /// The two halves, or nil for a leaf.  An infinite end is approached by
  /// doubling: [0, ∞] splits at 1, [1, ∞] at 2, …
  private func split(_ part: Interval) -> (Interval, Interval)? {
    let a = part.lower, b = part.upper
    let middle: Double
    switch (a.isFinite, b.isFinite) {
    case (true, true):
      let width = b - a
      let scale = Swift.max(1, Swift.abs(a), Swift.abs(b))
      if width <= tolerance || width <= scale * 0x1p-30 { return nil }
      middle = a / 2 + b / 2
    case (false, false): middle = 0
    case (true, false): middle = Swift.max(a + 1, 2 * Swift.abs(a))
    case (false, true): middle = Swift.min(b - 1, -2 * Swift.abs(b))
    }
    guard middle > a, middle < b else { return nil }
    return (Interval(a, middle), Interval(middle, b))
  }

  /// The shortest decimal within the search's resolution of `value`
  /// (`0.5` for 0.50000000000728), kept inside the range.
  func shortest(near value: Double) -> Double {
    let slack = Swift.max(tolerance, Swift.abs(value) * 0x1p-30)
    guard value.isFinite, slack > 0 else { return value }
    if Swift.abs(value) <= slack { return Swift.min(Swift.max(0, range.lower), range.upper) }
    for digits in 1...17 {
      let rounded = Double(String(format: "%.\(digits - 1)e", value))!
      if Swift.abs(rounded - value) <= slack {
        return Swift.min(Swift.max(rounded, range.lower), range.upper)
      }
    }
    return value
  }
}
