import ArgumentParser
import CompGraph
import Foundation

/// `compgraph render`: the expression graph, and with `--grad` its
/// derivative graphs, as one picture.
struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Draw the expression graph and, with --grad, its derivative graphs.",
    discussion: """
      The outputs f, ∂f/∂p, ∂²f/∂p², … are drawn in one picture; operations are coloured by the \
      derivative order that needs them, with a legend. With --at, every node shows its value and \
      the nodes of f their adjoint ∂f/∂node.

      Text formats (dot, text, svg) go to standard output without -o; png and pdf need -o FILE \
      or a redirection. Without --format, the format follows -o's extension (else svg).

      Example:
        compgraph render "sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3" \\
          --grad p,q -o seed.svg
      """
  )

  /// What `render` can write.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case svg, png, pdf, dot, text

    var isBinary: Bool { self == .png || self == .pdf }
  }

  @OptionGroup var input: InputOptions

  @OptionGroup var memory: MemoryBudget
  @OptionGroup var budget: NodeBudget

  @OptionGroup var derivatives: DerivativeOptions

  @Flag(help: "With --grad and --order N, draw only the order-N derivatives.")
  var onlyOrder = false

  @Option(
    help: ArgumentHelp(
      "Draw only this derivative, e.g. a,b,c for ∂³f/∂a∂b∂c (repeatable).", valueName: "vars"))
  var derivative: [VariableList] = []

  @Option(
    help: ArgumentHelp("Draw only these outputs of a program, e.g. loss.", valueName: "names"))
  var outputs: VariableList?

  @Option(help: "The direction data flows: TB, LR, BT or RL.")
  var rankdir: DOTEncoder.RankDirection = .topToBottom

  @Flag(help: "Draw a box around each output and the nodes it adds.")
  var clusters = false

  @Option(
    help: ArgumentHelp(
      "Draw as one node each: outputs (each output's private subgraph) or scopes (each top-level "
        + "module scope).", valueName: "outputs|scopes"))
  var collapse: DOTEncoder.Collapse = .none

  @Flag(
    help:
      "Draw one node per derivative order with its size (drawn anyway, with a note, past the node limit)."
  )
  var summary = false

  @Flag(
    help:
      "Draw the spy plot of the Hessian's sparsity pattern with its star colouring (of the Jacobian's with its column colouring when the program has several outputs or a tensor output), as svg or text, instead of the graph."
  )
  var sparsity = false

  @Option(help: "PNG resolution in dots per inch.")
  var dpi: Double = 144

  @Option(help: .hidden)
  var progressAfter: Double = 2

  @Option(help: "Output format.")
  var format: Format?

  @Option(help: "Graphviz layout engine: dot, neato, fdp, sfdp, circo, twopi, …")
  var layout = "dot"

  @OptionGroup var simplification: SimplifyFlag

  @Option(
    name: .customLong("at"),
    help: ArgumentHelp(
      "Show values (and adjoints) at this point, as for eval (repeatable).", valueName: "name=value"
    ),
    transform: Binding.init(parsing:))
  var bindings: [Binding] = []

  @Option(help: "Refuse graphs with more nodes than this (default: 1000, 20000 for sfdp).")
  var maxNodes: Int?

  @Option(help: "Stop a layout that takes longer than this many seconds.")
  var layoutTimeout = BudgetedLayout.defaultSeconds

  @OptionGroup var destination: OutputOption

  /// `--format`, else `-o`'s extension (`nil` for one that names no
  /// format), else svg.
  var resolvedFormat: Format? {
    if let format { return format }
    guard let output = destination.output else { return .svg }
    let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
    if ext.isEmpty { return .svg }
    return Format(rawValue: ext == "gv" ? "dot" : ext == "txt" ? "text" : ext)
  }

  func validate() throws {
    if derivatives.variables == nil && onlyOrder {
      throw ValidationError("--only-order needs --grad VARS.")
    }
    if derivatives.variables != nil && !derivative.isEmpty {
      throw ValidationError(
        "give --grad (every derivative up to --order) or --derivative, not both.")
    }
    if !(dpi >= 10 && dpi <= 2400) { throw ValidationError("--dpi must be between 10 and 2400.") }
    if let maxNodes, maxNodes < 1 { throw ValidationError("--max-nodes must be positive.") }
    if clusters && collapse == .outputs {
      throw ValidationError(
        "--clusters boxes each output's nodes and --collapse outputs draws them as one node; "
          + "give one of them.")
    }
    if !(layoutTimeout > 0) { throw ValidationError("--layout-timeout must be positive.") }
    if sparsity {
      if derivatives.variables != nil || !derivative.isEmpty || summary || clusters
        || collapse != .none
        || !bindings.isEmpty || outputs != nil
      {
        throw ValidationError(
          "--sparsity draws the pattern of the derivatives with respect to every variable; "
            + "it takes none of --grad, --derivative, --summary, --clusters, --collapse, --at "
            + "and --outputs.")
      }
      if let format = resolvedFormat, format != .svg && format != .text {
        throw ValidationError(
          "--sparsity draws svg or text, not \(format.rawValue); write -o FILE.svg (rsvg-convert "
            + "-o FILE.png FILE.svg makes a PNG of it).")
      }
    }
    guard let format = resolvedFormat else {
      let ext = URL(fileURLWithPath: destination.output ?? "").pathExtension
      throw ValidationError(
        "-o \(destination.output ?? ""): '.\(ext)' is not a format compgraph writes; use one of "
          + ".svg, .png, .pdf, .dot (or .gv), .txt, or give --format.")
    }
    if format != .dot && format != .text && !GraphvizRenderer.layouts.contains(layout) {
      throw ValidationError(
        "unknown layout '\(layout)'; use one of: \(GraphvizRenderer.layouts.joined(separator: ", "))."
      )
    }
    if format.isBinary && destination.output == nil && standardOutputIsTerminal {
      throw ValidationError(
        "\(format.rawValue) is a binary format: write it to a file with -o FILE.\(format.rawValue), "
          + "or redirect standard output.")
    }
  }

  func run() throws {
    let data = try picture()
    if let output = destination.output {
      try writeOutput(data, to: output)
    } else {
      try StandardStreams.write(data)
    }
  }

  /// The rendered bytes in the chosen format.
  func picture() throws -> Data {
    let format = resolvedFormat ?? .svg
    if sparsity { return try sparsityPicture(format: format) }
    let drawing = try derivativeGraph()
    if format == .text {
      return Data((drawing.graph.listing + "# \(drawing.graph.sizeSummary)\n").utf8)
    }
    let limit = maxNodes ?? GraphvizRenderer.defaultNodeLimit(for: layout)
    var dot: String
    do {
      dot = summary ? try summaryText(drawing) : try dotText(drawing, nodeLimit: limit)
    } catch RenderError.tooLarge(let nodes, let limit, _) {
      // Past the limit, the summary still shows what the graph holds.
      StandardStreams.writeError(
        "compgraph: note: the picture would have \(nodes) nodes, more than the limit of \(limit); "
          + "drew its summary instead, one node per derivative order. --collapse outputs (or "
          + "scopes) draws each output's (or module's) nodes as one node; --max-nodes N raises "
          + "the limit.")
      dot = try summaryText(drawing)
    }
    if format == .dot { return Data(dot.utf8) }
    let renderer = GraphvizRenderer(layout: layout, nodeLimit: limit)
    let progress = LayoutProgress(
      "laying out \(drawing.graph.nodeCount) nodes with \(layout)", after: progressAfter)
    defer { progress.stop() }
    let rendered: GraphvizRenderer.Format =
      switch format {
      case .png: .png
      case .pdf: .pdf
      default: .svg
      }
    return try BudgetedLayout.render(
      dot: dot, with: renderer, format: rendered, seconds: layoutTimeout,
      size: drawing.graph.sizeSummary)
  }

  /// The graph to draw: the outputs and their derivatives, simplified
  /// unless `--no-simplify`.
  func derivativeGraph() throws -> DerivativeGraph {
    let values = try resolveBindings(bindings, input: input)
    let graph = try selectedOutputs(of: input.parse(inferred: values.shapes).graph())
    var drawing: DerivativeGraph
    if derivative.isEmpty {
      drawing = try userFacing {
        try graph.derivatives(
          wrt: derivatives.variables?.names ?? [], order: derivatives.order,
          simplifying: simplification.simplify,
          nodeBudget: budget.nodeBudget)
      }
    } else {
      drawing = try userFacing {
        try graph.mixedPartials(
          derivative.map(\.names), simplifying: simplification.simplify,
          nodeBudget: budget.nodeBudget)
      }
    }
    if simplification.simplify { drawing = drawing.simplifiedTogether() }
    if onlyOrder {
      let kept = drawing.outputOrders.indices.filter {
        drawing.outputOrders[$0] == derivatives.order
      }
      drawing = DerivativeGraph(
        graph: drawing.graph.with(
          outputs: kept.map { drawing.graph.outputs[$0] },
          names: kept.map { drawing.graph.outputNames[$0] }),
        outputOrders: kept.map { _ in derivatives.order })
    }
    return drawing
  }

  /// The program's outputs named by `--outputs`, or all of them.
  private func selectedOutputs(of graph: Graph) throws -> Graph {
    guard let names = outputs?.names else { return graph }
    var ids: [NodeID] = []
    for name in names {
      guard let k = graph.outputNames.firstIndex(of: name) else {
        throw UserError(
          "--outputs: the program has no output '\(name)'; its outputs are "
            + graph.outputNames.map { "'\($0)'" }.joined(separator: ", "))
      }
      ids.append(graph.outputs[k])
    }
    return graph.with(outputs: ids, names: names)
  }

  /// The DOT text of `drawing`, with values and adjoints when `--at` is given.
  func dotText(_ drawing: DerivativeGraph, nodeLimit: Int? = nil) throws -> String {
    var options = encoderOptions(drawing, nodeLimit: nodeLimit)
    if !bindings.isEmpty {
      let values = try resolveBindings(bindings, input: input)
      let written = try input.parse(inferred: values.shapes).writtenVariables
      let point = try tensors(values.values, for: drawing.graph, written: written)
      (options.values, options.adjoints) = try userFacing {
        try drawing.graph.valuesAndAdjoints(at: point, check: { try memory.check($0) })
      }
    }
    // Past the node limit the caller draws the summary: that error goes through as it is.
    do {
      return try DOTEncoder(options: options).encode(drawing.graph)
    } catch {
      if case .tooLarge = error { throw error }
      throw UserError("\(error)")
    }
  }

  /// The DOT text of the summary of `drawing`: one node per derivative order.
  func summaryText(_ drawing: DerivativeGraph) throws -> String {
    try userFacing { try DOTEncoder(options: encoderOptions(drawing)).summary(drawing.graph) }
  }

  /// The encoder's options for `drawing` from the flags (no values).
  private func encoderOptions(_ drawing: DerivativeGraph, nodeLimit: Int? = nil)
    -> DOTEncoder.Options
  {
    DOTEncoder.Options(
      rankDirection: rankdir, outputOrders: drawing.outputOrders, nodeLimit: nodeLimit,
      clustersByOutput: clusters, dpi: resolvedFormat == .png ? dpi : nil, collapse: collapse)
  }
}

extension DOTEncoder.RankDirection: ExpressibleByArgument {}
extension DOTEncoder.Collapse: ExpressibleByArgument {}
