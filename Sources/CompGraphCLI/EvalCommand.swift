import ArgumentParser
import CompGraph
import Foundation

/// `compgraph eval`: the value of every output at a point, and on request
/// its gradient, Hessian and any mixed partial derivatives.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate the outputs, and their derivatives, with variables bound to values.",
    discussion: """
      Bind scalars with --at x=1.5, tensors with a nested array (--at 'A=[[1,2],[3,4]]', which \
      also declares A's shape), a row-major list (--at v=1,2,3 with --var v=3), or a file \
      (--at A=@a.json holding a nested array, --at A=@a.csv holding one row a line).

      The expression is simplified, and each derivative order simplified before the next is \
      taken, as grad prints them. It is first rewritten into stable forms (log1p, expm1, \
      max-shifted logsumexp, softplus and sigmoid of -|x|, tanh without 1 - tanh^2; see \
      simplify --stabilize), so values and derivatives stay finite where the naive forms \
      overflow; --no-stabilize leaves the naive forms.

      Derivatives are taken with respect to the variables in the order they first appear in the \
      expression. --derivative x,y,x is the third derivative ∂³f/∂x∂y∂x; repeat it for more. \
      --hessian with tensor variables is over their elements, flattened and labelled A[0,1]. \
      --jacobian takes every output, of any shape: ∂f/∂A has the shape of f followed by that of A.

      Example:
        compgraph eval "sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3" \\
          --at p=2 --at q=3 --grad --hessian --derivative p,p,p --json
      """
  )

  @OptionGroup var input: InputOptions

  @OptionGroup var memory: MemoryBudget
  @OptionGroup var budget: NodeBudget

  @Option(
    name: .customLong("at"),
    help: ArgumentHelp(
      "Bind a variable: x=1.5, v=1,2,3, 'A=[[1,2],[3,4]]', A=@file.json or A=@file.csv (repeatable).",
      valueName: "name=value"),
    transform: Binding.init(parsing:))
  var bindings: [Binding] = []

  @Flag(help: "Also print the gradient ∂f/∂x for every variable x.")
  var grad = false

  @Flag(help: "Also print the Hessian ∂²f/∂x∂y (tensor variables by element, e.g. A[0,1]).")
  var hessian = false

  @Flag(help: "Also print the Jacobian ∂f/∂x of every output f (any shape) for every variable x.")
  var jacobian = false

  @Flag(
    inversion: .prefixedNo,
    help:
      "Evaluate stable forms (log1p, expm1, max-shifted logsumexp, …; see simplify --stabilize).")
  var stabilize = true

  @Option(
    name: .customLong("derivative"),
    help: ArgumentHelp(
      "Also print a mixed partial, e.g. x,y,x for ∂³f/∂x∂y∂x (repeatable).", valueName: "vars"))
  var derivatives: [VariableList] = []

  @Flag(
    help:
      "Print one JSON object: {\"value\", \"gradient\", \"hessian\", \"derivatives\", \"jacobian\"}."
  )
  var json = false

  func validate() throws {
    var seen = Set<String>()
    for binding in bindings where !seen.insert(binding.name).inserted {
      throw ValidationError("--at \(binding.name) is given twice.")
    }
    for list in derivatives where list.names.count > Graph.maxOrder {
      throw ValidationError(
        "--derivative: \(list.names.count) variables make a derivative of order "
          + "\(list.names.count); the highest order is \(Graph.maxOrder), as for grad and render --order."
      )
    }
  }

  func run() throws {
    let values = try resolveBindings(bindings, input: input)
    let program = try input.parse(inferred: values.shapes)
    let graph = try program.graph()
    let point = try tensors(values.values, for: graph, written: program.writtenVariables)
    let report = try userFacing { try evaluate(graph, at: point) }
    try StandardStreams.write(lines: json ? [report.json] : report.lines)
  }

  /// Builds every requested derivative in one arena, evaluates them together.
  private func evaluate(_ graph: Graph, at point: [String: Tensor]) throws -> EvalReport {
    let wantsDerivatives = grad || hessian || !derivatives.isEmpty
    if wantsDerivatives && graph.outputs.count > 1 {
      throw UserError(
        "--grad, --hessian and --derivative need a single output, but the program has "
          + "\(graph.outputs.count) (" + graph.outputNames.joined(separator: ", ")
          + "); keep one 'out', or use --jacobian, which takes every output")
    }
    if wantsDerivatives, !graph.shape(graph.outputs[0]).isEmpty {
      throw UserError(
        "--grad, --hessian and --derivative need a scalar output, but '\(graph.outputNames[0])' has "
          + "shape \(graph.shape(graph.outputs[0]).shapeDescription); use --jacobian for the "
          + "derivatives of every element, or take sum() of it")
    }
    let builder = GraphBuilder(graph)
    // Simplified, and each derivative order simplified before the next is
    // taken, as `grad` prints them (an intermediate that overflows as
    // written, x·y in ln(x·y), is gone before it is differentiated); the
    // outputs only by identities that hold for every IEEE value, so their
    // values are IEEE's (x·0 at x = ∞ stays NaN); stable forms first, so
    // that every derivative taken of them is stable too.
    var options = SimplifyOptions()
    options.assumeFinite = false
    if stabilize { options.phases.insert(.stabilize) }
    let roots = builder.simplify(graph.outputs, options: options)
    let f = roots[0]
    let variables = graph.variables
    let ids = try variables.map { try builder.variableNode($0.name, shape: $0.shape) }
    // --grad and --derivative from one tower, which builds each distinct
    // partial once (∂f/∂p serves both; ∂³f/∂p∂q∂p is ∂³f/∂p²∂q).
    let indices = try derivatives.map { list in
      try list.names.map { name in
        guard let i = variables.firstIndex(where: { $0.name == name }) else {
          throw UserError(
            "--derivative \(list.names.joined(separator: ",")): the expression has no variable '\(name)'"
          )
        }
        return i
      }
    }
    for (list, vars) in zip(derivatives, indices) {
      // A tensor's partial is a tensor, which is differentiated no further.
      if let k = vars.dropLast().firstIndex(where: { !variables[$0].shape.isEmpty }) {
        let partial = derivativeName(of: graph.outputNames[0], wrt: Array(list.names.prefix(k + 1)))
        throw UserError(
          "--derivative \(list.names.joined(separator: ",")): \(partial) has shape "
            + "\(variables[vars[k]].shape.shapeDescription), so it cannot be differentiated again; "
            + "--hessian gives every second derivative by tensor element")
      }
    }
    let firstOrder = grad || hessian ? ids.indices.map { [$0] } : []
    let tower = try builder.derivativeTower(
      of: [f], wrt: ids, partials: firstOrder + indices, simplify: true,
      nodeBudget: budget.nodeBudget)
    let gradientIDs = firstOrder.map { tower.node($0)! }
    var outputs = roots
    if grad { outputs += gradientIDs }
    let hessianNodes = try hessian ? JacobianNodes(of: gradientIDs, wrt: ids, in: builder) : nil
    outputs += hessianNodes?.nodes ?? []
    outputs += indices.map { tower.node($0)! }
    let jacobianNodes = try jacobian ? JacobianNodes(of: roots, wrt: ids, in: builder) : nil
    outputs += jacobianNodes?.nodes ?? []
    var all = builder.graph(outputs: outputs)
    if !memory.fits(all) {
      // Derivatives of sums over broadcasts hold large ones tensors that
      // simplifying removes; without assuming finiteness, so every value
      // stays what IEEE arithmetic gives.
      var options = SimplifyOptions()
      options.assumeFinite = false
      all = builder.graph(outputs: builder.simplify(outputs, options: options))
    }
    try memory.check(all)
    // Graphs with tensors run compiled (fused loops, planned buffers) when
    // the plan fits the budget; the reference evaluator, which sums an
    // einsum used once without building it, runs the rest.
    let program = try all.ids.contains { !all.shape($0).isEmpty } ? Program(all) : nil
    var results =
      try
      (program.map { $0.peakBytes <= memory.maxMemory.bytes } == true
      ? program!.evaluate(point) : all.evaluate(point))[...]
    var report = EvalReport(outputNames: graph.outputNames, variables: variables.map(\.name))
    report.values = Array(results.prefix(graph.outputs.count))
    results = results.dropFirst(graph.outputs.count)
    if grad {
      report.gradient = Array(results.prefix(variables.count))
      results = results.dropFirst(variables.count)
    }
    if let hessianNodes {
      let count = hessianNodes.nodes.count
      report.hessian = hessianNodes.matrix(hessianNodes.blocks(from: results.prefix(count))).map {
        $0.map(Tensor.init)
      }
      report.elements = zip(variables, hessianNodes.variableShapes).flatMap {
        elementLabels($0.name, shape: $1)
      }
      results = results.dropFirst(count)
    }
    report.derivatives = zip(derivatives.map(\.names), results).map { ($0, $1) }
    results = results.dropFirst(derivatives.count)
    if let jacobianNodes {
      report.jacobian = jacobianNodes.blocks(from: results)
    }
    return report
  }
}

/// What `eval` computed, as text lines or one JSON object.
struct EvalReport {
  let outputNames: [String]
  let variables: [String]
  var values: [Tensor] = []
  var gradient: [Tensor]?
  /// Over `elements`: the variables' names, or their elements' (`A[0,1]`).
  var hessian: [[Tensor]]?
  var elements: [String] = []
  var derivatives: [(variables: [String], value: Tensor)] = []
  /// `jacobian[o][v]`: ∂(output o)/∂(variable v).
  var jacobian: [[Tensor]]?

  /// `f = 6.366823753476197`, `∂f/∂p = …`, `∂²f/∂p∂q = …`, `∂³f/∂p³ = …`.
  var lines: [String] {
    var lines = zip(outputNames, values).map { "\($0) = \($1)" }
    let f = outputNames[0]
    if let gradient {
      lines += zip(variables, gradient).map { "\(derivativeName(of: f, wrt: [$0])) = \($1)" }
    }
    if let hessian {
      for (x, row) in zip(elements, hessian) {
        lines += zip(elements, row).map { "\(derivativeName(of: f, wrt: [x, $0])) = \($1)" }
      }
    }
    lines += derivatives.map { "\(derivativeName(of: f, wrt: $0.variables)) = \($0.value)" }
    if let jacobian {
      for (output, row) in zip(outputNames, jacobian) {
        lines += zip(variables, row).map { "\(derivativeName(of: output, wrt: [$0])) = \($1)" }
      }
    }
    return lines
  }

  /// `{"value": V, "gradient": {"p": G}, "hessian": {"p": {"p": H}}, "derivatives": {"p,p": D}}`
  /// for one output; several outputs give `{"value": {"t": V, "s": W}}`;
  /// `--jacobian` adds `"jacobian": {"t": {"p": J}}`.
  var json: String {
    var members: [(key: String, value: String)] = []
    if values.count == 1 {
      members.append(("value", JSONText.tensor(values[0])))
    } else {
      members.append(
        ("value", JSONText.object(zip(outputNames, values.map(JSONText.tensor)).map { ($0, $1) })))
    }
    if let gradient {
      members.append(
        (
          "gradient",
          JSONText.object(zip(variables, gradient.map(JSONText.tensor)).map { ($0, $1) })
        ))
    }
    if let hessian {
      let rows = zip(elements, hessian).map { x, row in
        (x, JSONText.object(zip(elements, row.map(JSONText.tensor)).map { ($0, $1) }))
      }
      members.append(("hessian", JSONText.object(rows)))
    }
    if let jacobian {
      let rows = zip(outputNames, jacobian).map { output, row in
        (output, JSONText.object(zip(variables, row.map(JSONText.tensor)).map { ($0, $1) }))
      }
      members.append(("jacobian", JSONText.object(rows)))
    }
    if !derivatives.isEmpty {
      let entries = derivatives.map {
        ($0.variables.joined(separator: ","), JSONText.tensor($0.value))
      }
      members.append(("derivatives", JSONText.object(entries)))
    }
    return JSONText.object(members)
  }
}
