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
      --hessian with tensor variables is over their elements, flattened and labelled A[0,1]; \
      --derivative W,W gives the same second derivatives as one tensor, of shape W's then W's \
      (jax.hessian's convention, as grad prints it). --jacobian takes every output, of any \
      shape: ∂f/∂A has the shape of f followed by that of A. --hvp W=@v.csv gives the \
      Hessian-vector product H·v (v along W, zero along the other variables) without building \
      H: one forward sweep over the gradient.

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
      "Bind a variable: x=1.5, v=1,2,3, 'A=[[1,2],[3,4]]', A=@file.json, A=@file.csv, or a tensor file A=@input_0.pb or A=@a.npy (repeatable).",
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
    help: ArgumentHelp(
      "With --hessian or --jacobian: find the sparsity pattern, colour it and print only the "
        + "nonzeros (triplets, computed in one sweep per colour)."))
  var sparse = false

  @Option(
    name: .customLong("hvp"),
    help: ArgumentHelp(
      "Also print the Hessian-vector product H·v, v given per variable as for --at (zero for "
        + "the others), e.g. W=@v.csv (repeatable).",
      valueName: "name=value"),
    transform: { try Binding(parsing: $0, option: "--hvp") })
  var directions: [Binding] = []

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

  @Option(
    name: .customLong("taylor"),
    help: ArgumentHelp(
      "Also print the Taylor coefficients c0 … cN of the output in the scalar variable x at the "
        + "point, e.g. x:50 (N up to \(TaylorRequest.maxOrder); repeatable).",
      valueName: "var:N"))
  var taylor: [TaylorRequest] = []

  @Flag(
    name: .customLong("derivatives"),
    help: "With --taylor, print the derivatives k!·ck instead of the coefficients.")
  var taylorDerivatives = false

  @Flag(
    help:
      "Print one JSON object: {\"value\", \"gradient\", \"hessian\", \"derivatives\", \"hvp\", \"jacobian\", \"taylor\"}."
  )
  var json = false

  func validate() throws {
    var seen = Set<String>()
    for binding in bindings where !seen.insert(binding.name).inserted {
      throw ValidationError("--at \(binding.name) is given twice.")
    }
    seen = []
    for binding in directions where !seen.insert(binding.name).inserted {
      throw ValidationError("--hvp \(binding.name) is given twice.")
    }
    if sparse && !hessian && !jacobian {
      throw ValidationError("--sparse goes with --hessian or --jacobian.")
    }
    if taylorDerivatives && taylor.isEmpty {
      throw ValidationError("--derivatives goes with --taylor, e.g. --taylor x:20 --derivatives.")
    }
    seen = []
    for request in taylor where !seen.insert(request.variable).inserted {
      throw ValidationError("--taylor \(request.variable) is given twice.")
    }
    // One variable repeated is taken by Taylor mode at any order (checked to be a scalar
    // variable once the expression is read); a mixed partial by the tower, up to its limit.
    for list in derivatives
    where list.names.count > Graph.maxOrder
      && (Set(list.names).count > 1 || list.names.count > TaylorRequest.maxOrder)
    {
      throw ValidationError(
        "--derivative: \(list.names.count) variables make a derivative of order "
          + "\(list.names.count); the highest order of a mixed partial is \(Graph.maxOrder), as for "
          + "grad and render --order (one variable repeated goes to \(TaylorRequest.maxOrder), by "
          + "Taylor mode)."
      )
    }
  }

  func run() throws {
    var values = try resolveBindings(bindings, input: input)
    let (program, own) = try input.load(inferred: values.shapes)
    for (name, tensor) in own where values.values[name] == nil {
      values.values[name] = (tensor.shape, tensor.scalars)
    }
    let graph = try program.graph()
    let point = try tensors(values.values, for: graph, written: program.writtenVariables)
    let v = try hvpDirections(for: graph)
    let report = try userFacing { try evaluate(graph, at: point, hvp: v) }
    try (json ? report.json : report.text).write()
  }

  /// The directions of `--hvp` by variable (`nil` without it), each checked
  /// against its variable's shape.
  private func hvpDirections(for graph: Graph) throws -> [String: Tensor]? {
    guard !directions.isEmpty else { return nil }
    var v: [String: Tensor] = [:]
    for binding in directions {
      guard let variable = graph.variables.first(where: { $0.name == binding.name }) else {
        let known = graph.variables.map { "'\($0.name)'" }.joined(separator: ", ")
        throw UserError(
          "--hvp \(binding.name): the expression has no variable '\(binding.name)'"
            + (known.isEmpty ? "" : " (its variables are \(known))"))
      }
      let (shape, values) = try binding.resolve(limit: input.maxInput)
      if let shape, shape != variable.shape, shape.count != 1 {
        throw UserError(
          "--hvp \(binding.name): variable '\(binding.name)' has shape "
            + "\(variable.shape.shapeDescription) but the direction has shape "
            + "\(shape.shapeDescription)")
      }
      guard values.count == variable.shape.elementCount else {
        throw UserError(
          "--hvp \(binding.name): variable '\(binding.name)' has shape "
            + "\(variable.shape.shapeDescription) (\(variable.shape.elementCount) value(s)) but "
            + "\(values.count) were given")
      }
      v[binding.name] = Tensor(shape: variable.shape, scalars: values)
    }
    return v
  }

  /// Builds every requested derivative in one arena, evaluates them together.
  private func evaluate(_ graph: Graph, at point: [String: Tensor], hvp v: [String: Tensor]?)
    throws -> EvalReport
  {
    if !taylor.isEmpty && graph.outputs.count > 1 {
      throw UserError(
        "--taylor needs a single output, but the program has \(graph.outputs.count) ("
          + graph.outputNames.joined(separator: ", ") + "); keep one 'out'")
    }
    let wantsDerivatives = grad || hessian || !derivatives.isEmpty || v != nil
    if wantsDerivatives && graph.outputs.count > 1 {
      throw UserError(
        "--grad, --hessian, --hvp and --derivative need a single output, but the program has "
          + "\(graph.outputs.count) (" + graph.outputNames.joined(separator: ", ")
          + "); keep one 'out', or use --jacobian, which takes every output")
    }
    if wantsDerivatives, !graph.shape(graph.outputs[0]).isEmpty {
      throw UserError(
        "--grad, --hessian, --hvp and --derivative need a scalar output, but "
          + "'\(graph.outputNames[0])' has shape \(graph.shape(graph.outputs[0]).shapeDescription); "
          + "use --jacobian for the derivatives of every element, or take sum() of it")
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
    let types = graph.variableTypes
    let ids = try variables.map {
      try builder.variableNode($0.name, shape: $0.shape, dtype: types[$0.name] ?? .f64)
    }
    // A derivative in one scalar variable at or above `taylorModeOrder` is taken by Taylor mode
    // at the point; the others, and --grad, from one tower, which builds each distinct
    // partial once (∂f/∂p serves both; ∂³f/∂p∂q∂p is ∂³f/∂p²∂q).
    let byTaylor = derivatives.map { Self.usesTaylorMode($0.names, in: graph) }
    for (list, taylorMode) in zip(derivatives, byTaylor)
    where !taylorMode && list.names.count > Graph.maxOrder {
      throw UserError(
        "--derivative \(list.names[0]),…: '\(list.names[0])' is not a scalar variable of the "
          + "expression; a derivative above order \(Graph.maxOrder) needs one (Taylor mode)")
    }
    let towerLists = zip(derivatives, byTaylor).filter { !$1 }.map(\.0)
    let indices = try towerLists.map { list in
      try list.names.map { name in
        guard let i = variables.firstIndex(where: { $0.name == name }) else {
          throw UserError(
            "--derivative \(list.names.joined(separator: ",")): the expression has no variable '\(name)'"
          )
        }
        return i
      }
    }
    // The Hessian's blocks ∂²f/∂xᵢ∂xⱼ (i ≤ j), of shape xᵢ's then xⱼ's, are the
    // tower's second-order partials, as grad builds them.
    let elements = Double(ids.reduce(0) { $0 + builder.shape($1).elementCount })
    if hessian {
      // Blocks, the matrix made of them and its text: 3 copies of 8 bytes an entry.
      try memory.checkEntries(
        rows: elements, columns: elements, bytesPerEntry: 24, option: "--hessian")
    }
    if jacobian {
      let rows = Double(roots.reduce(0) { $0 + builder.shape($1).elementCount })
      try memory.checkEntries(rows: rows, columns: elements, bytesPerEntry: 8, option: "--jacobian")
    }
    let firstOrder = grad || hessian || v != nil ? ids.indices.map { [$0] } : []
    let blocks =
      hessian && !sparse ? ids.indices.flatMap { i in (i..<ids.count).map { [i, $0] } } : []
    let tower = try builder.derivativeTower(
      of: [f], wrt: ids, partials: firstOrder + blocks + indices, simplify: true,
      nodeBudget: budget.nodeBudget)
    let gradientIDs = firstOrder.map { tower.node($0)! }
    var outputs = roots
    if grad { outputs += gradientIDs }
    outputs += blocks.map { tower.node($0)! }
    outputs += indices.map { tower.node($0)! }
    // H·v = d/dε ∇f(x + εv): one tangent sweep over the gradient.
    if let v {
      var tangents: [NodeID: NodeID] = [:]
      for (x, id) in zip(variables, ids) {
        if let direction = v[x.name] { tangents[id] = builder.constantNode(direction) }
      }
      outputs += try builder.jvp(of: gradientIDs, tangents: tangents)
    }
    var all = builder.graph(outputs: outputs)
    if !memory.fits(all) {
      // Derivatives of sums over broadcasts hold large ones tensors that
      // simplifying removes; without assuming finiteness, so every value
      // stays what IEEE arithmetic gives.
      var options = SimplifyOptions()
      options.assumeFinite = false
      all = builder.graph(outputs: builder.simplify(outputs, options: options))
    }
    var results = try memory.evaluate(all, at: point)[...]
    var report = EvalReport(outputNames: graph.outputNames, variables: variables.map(\.name))
    report.values = Array(results.prefix(graph.outputs.count))
    results = results.dropFirst(graph.outputs.count)
    if grad {
      report.gradient = Array(results.prefix(variables.count))
      results = results.dropFirst(variables.count)
    }
    if hessian && !sparse {
      let values = Dictionary(uniqueKeysWithValues: zip(blocks, results.prefix(blocks.count)))
      report.hessian = hessianMatrix(values, shapes: variables.map(\.shape)).map {
        $0.map(Tensor.init)
      }
      report.elements = variables.flatMap { elementLabels($0.name, shape: $0.shape) }
      results = results.dropFirst(blocks.count)
    }
    var towerValues = results.prefix(towerLists.count).makeIterator()
    let fGraph = builder.graph(outputs: [f])
    report.derivatives = try zip(derivatives, byTaylor).map { list, taylorMode in
      guard taylorMode else { return (list.names, towerValues.next()!) }
      let n = list.names.count
      let c = try fGraph.taylor(along: [list.names[0]: Tensor(1)], at: point, order: n)[0]
      return (list.names, Tensor(Jet(coefficients: c.map { $0.scalars[0] }).derivatives[n]))
    }
    results = results.dropFirst(towerLists.count)
    report.taylor = try taylorSeries(of: fGraph, at: point, requests: taylor)
    if sparse {
      (report.sparseHessian, report.sparseJacobian) = try sparseDerivatives(
        of: fGraph, outputs: builder.graph(outputs: roots, names: graph.outputNames),
        variables: variables, at: point)
    }
    report.taylorDerivatives = taylorDerivatives
    if v != nil {
      report.hvp = Array(results.prefix(variables.count))
      results = results.dropFirst(variables.count)
    }
    if jacobian && !sparse {
      report.jacobian = try JacobianSweep(builder: builder, memory: memory)
        .jacobian(of: roots, wrt: ids, at: point)
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
  /// `hvp[x]`: the part of H·v along variable x, ∂(∇f·v)/∂x.
  var hvp: [Tensor]?
  /// Per `--taylor` variable, c₀ … cₙ (k!·cₖ when `taylorDerivatives`).
  var taylor: [(variable: String, values: [Tensor])] = []
  var taylorDerivatives = false
  /// `--sparse`: the nonzeros of the Hessian and the Jacobian.
  var sparseHessian: SparseReport?
  var sparseJacobian: SparseReport?

  /// `f = 6.366823753476197`, `∂f/∂p = …`, `∂²f/∂p∂q = …`, `∂³f/∂p³ = …`, one a line.
  var text: ReportText {
    var text = ReportText()
    func line(_ name: String, _ value: Tensor) {
      text += name + " = "
      text.append(value, json: false)
      text += "\n"
    }
    for (name, value) in zip(outputNames, values) { line(name, value) }
    let f = outputNames[0]
    for (x, value) in zip(variables, gradient ?? []) {
      line(derivativeName(of: f, wrt: [x]), value)
    }
    for (x, row) in zip(elements, hessian ?? []) {
      for (y, value) in zip(elements, row) { line(derivativeName(of: f, wrt: [x, y]), value) }
    }
    for (names, value) in derivatives { line(derivativeName(of: f, wrt: names), value) }
    for (x, value) in zip(variables, hvp ?? []) { line("∂(∇\(f)·v)/∂\(x)", value) }
    for (output, row) in zip(outputNames, jacobian ?? []) {
      for (x, value) in zip(variables, row) { line(derivativeName(of: output, wrt: [x]), value) }
    }
    text += (sparseHessian?.lines { derivativeName(of: f, wrt: [$0, $1]) } ?? [])
      .map { $0 + "\n" }.joined()
    text += (sparseJacobian?.lines { derivativeName(of: $0, wrt: [$1]) } ?? [])
      .map { $0 + "\n" }.joined()
    for (x, values) in taylor {
      for (k, value) in values.enumerated() {
        line(
          !taylorDerivatives
            ? "c\(k)(\(x))"
            : k == 0 ? f : derivativeName(of: f, wrt: Array(repeating: x, count: k)), value)
      }
    }
    return text
  }

  /// `{"value": V, "gradient": {"p": G}, "hessian": {"p": {"p": H}}, "derivatives": {"p,p": D}}`
  /// for one output; several outputs give `{"value": {"t": V, "s": W}}`;
  /// `--jacobian` adds `"jacobian": {"t": {"p": J}}`, `--hvp` adds `"hvp": {"p": Hv}`,
  /// `--taylor x:N` adds `"taylor": {"x": [c0, …, cN]}` (the derivatives with `--derivatives`),
  /// `--sparse` gives the Hessian and the Jacobian as triplets.
  var json: ReportText {
    /// A member's value: a tensor, or an object of them (nested as deep as needed).
    indirect enum Value {
      case tensor(Tensor)
      case object([(key: String, value: Value)])
      /// JSON text as it is.
      case raw(String)
    }
    func byName(_ names: [String], _ tensors: [Tensor]) -> Value {
      .object(zip(names, tensors).map { ($0, .tensor($1)) })
    }
    var members: [(key: String, value: Value)] = []
    members.append(("value", values.count == 1 ? .tensor(values[0]) : byName(outputNames, values)))
    if let gradient { members.append(("gradient", byName(variables, gradient))) }
    if let hessian {
      members.append(
        ("hessian", .object(zip(elements, hessian).map { ($0, byName(elements, $1)) })))
    }
    if let sparseHessian { members.append(("hessian", .raw(sparseHessian.json))) }
    if let sparseJacobian { members.append(("jacobian", .raw(sparseJacobian.json))) }
    if let jacobian {
      members.append(
        ("jacobian", .object(zip(outputNames, jacobian).map { ($0, byName(variables, $1)) })))
    }
    if let hvp { members.append(("hvp", byName(variables, hvp))) }
    if !derivatives.isEmpty {
      members.append(
        (
          "derivatives",
          .object(derivatives.map { ($0.variables.joined(separator: ","), .tensor($0.value)) })
        ))
    }
    if !taylor.isEmpty {
      // Each variable's coefficients as one tensor: the orders along a new first axis.
      members.append(
        (
          "taylor",
          .object(
            taylor.map { x, values in
              (
                x,
                .tensor(
                  Tensor(
                    shape: [values.count] + values[0].shape,
                    scalars: values.flatMap(\.scalars)))
              )
            })
        ))
    }
    func append(_ text: inout ReportText, _ value: Value) {
      switch value {
      case .tensor(let t): text.append(t, json: true)
      case .object(let members): text.appendObject(members, append)
      case .raw(let json): text += json
      }
    }
    var text = ReportText()
    append(&text, .object(members))
    text += "\n"
    return text
  }
}
