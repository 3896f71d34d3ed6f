import Foundation

/// Encodes a graph as Graphviz DOT text, in pure Swift (no Graphviz needed).
///
/// The text is deterministic: the graph is named, nodes (`n<id>`) and edges
/// come in node-id order, and every attribute list is sorted by key.
///
/// - Variables are blue rounded boxes, constants grey boxes, operations
///   ellipses (circles for short symbols) labelled with `Op.info.symbol`
///   (`+`, `×`, `√`, `exp`, `einsum ij,jk→ik`); a tensor node shows its shape.
///   Numbers are drawn with four significant digits, integers exactly.
/// - With `foldsScalarConstants`, a scalar constant used only by `+`/`×`
///   nodes is written into their labels (`× 3`) instead of drawn as a node.
/// - Operand order is drawn where it matters: einsum edges carry their
///   operand's subscripts, edges into other non-commutative n-ary ops their
///   position.
/// - Given `outputOrders`, operation nodes are filled by derivative order
///   (see `Graph.derivativeOrders`) and a legend names the colours.
/// - Each output gets a name tag (`f`, `∂f/∂p`) beside it (same rank), and a
///   thick outline; `values` / `adjoints` turn a node into a
///   `label | value | adjoint` record, as micrograd draws them.
/// - A tensor constant is labelled by its content (`ones 2x2`, `[1, 2]`).
/// - Nodes built inside scopes (module calls, checkpoint segments, `.cg`
///   `scope name { … }` blocks, per-parameter derivative groups) are drawn
///   inside nested clusters labelled with the scope's name.
/// - Big graphs stay readable: a sum or product of more than eight operands
///   writes its small private terms (at most six operations, used by
///   nothing else) into its own label, lines of about 48 characters, instead of drawing
///   each as a subtree side by side; `collapse` draws each output's private
///   subgraph, or each top-level scope, as one node `g<k>` (which
///   `expandedGroups` opens again); `summary(_:name:)` draws one node per
///   derivative order with its size, for a graph past any node limit.
public struct DOTEncoder: Sendable {
  /// Graphviz's `rankdir`: the direction data flows in.
  public enum RankDirection: String, CaseIterable, Sendable {
    case topToBottom = "TB"
    case leftToRight = "LR"
    case bottomToTop = "BT"
    case rightToLeft = "RL"
  }

  public struct Options: Sendable {
    public var rankDirection: RankDirection
    /// Write scalar constants into their `+`/`×` consumers' labels.
    public var foldsScalarConstants: Bool
    /// The derivative order of each output (`f, ∂f/∂p, ∂²f/∂p²` → `0, 1, 2`).
    public var outputOrders: [Int]
    /// Forward values to show per node.
    public var values: [NodeID: Tensor]
    /// Adjoints (∂output/∂node) to show per node.
    public var adjoints: [NodeID: Tensor]
    /// Refuse graphs with more nodes than this (`nil`: no limit).
    public var nodeLimit: Int?
    /// Draw a box (a Graphviz cluster) around each output and the nodes
    /// that no earlier output needs.
    public var clustersByOutput: Bool
    /// The resolution of bitmap output (PNG), in dots per inch (`nil`:
    /// Graphviz's 96).
    public var dpi: Double?
    /// What to draw as one node each: nothing, each output's private
    /// subgraph, or each top-level scope.
    public var collapse: Collapse
    /// The groups drawn in full although `collapse` is set: output indices
    /// for `.outputs`, scope indices for `.scopes` (the `k` of node `g<k>`).
    public var expandedGroups: Set<Int>

    public init(
      rankDirection: RankDirection = .topToBottom, foldsScalarConstants: Bool = true,
      outputOrders: [Int] = [], values: [NodeID: Tensor] = [:], adjoints: [NodeID: Tensor] = [:],
      nodeLimit: Int? = nil, clustersByOutput: Bool = false, dpi: Double? = nil,
      collapse: Collapse = .none, expandedGroups: Set<Int> = []
    ) {
      self.rankDirection = rankDirection
      self.foldsScalarConstants = foldsScalarConstants
      self.outputOrders = outputOrders
      self.values = values
      self.adjoints = adjoints
      self.nodeLimit = nodeLimit
      self.clustersByOutput = clustersByOutput
      self.dpi = dpi
      self.collapse = collapse
      self.expandedGroups = expandedGroups
    }

    /// Throws `RenderError.invalidOptions` when these options do not fit
    /// `graph`: an `outputOrders` that is neither empty nor one order per
    /// output, a negative order, a node limit below 1, a non-positive dpi,
    /// or a value or adjoint for a node the graph does not have.
    public func validate(for graph: Graph) throws(RenderError) {
      if !outputOrders.isEmpty && outputOrders.count != graph.outputs.count {
        throw .invalidOptions(
          "outputOrders has \(outputOrders.count) entries but the graph has "
            + "\(graph.outputs.count) outputs; give one order per output, or none")
      }
      if let order = outputOrders.first(where: { $0 < 0 }) {
        throw .invalidOptions("outputOrders holds \(order); derivative orders are 0 or more")
      }
      if let nodeLimit, nodeLimit < 1 {
        throw .invalidOptions("nodeLimit is \(nodeLimit); it must be at least 1")
      }
      if let dpi, !(dpi > 0 && dpi.isFinite) {
        throw .invalidOptions("dpi is \(dpi); it must be a positive number")
      }
      if clustersByOutput && collapse == .outputs {
        throw .invalidOptions(
          "clustersByOutput boxes each output's nodes and collapse .outputs draws them as one "
            + "node; choose one")
      }
      let known = graph.nodeCount
      if let id = (Array(values.keys) + Array(adjoints.keys)).first(where: { $0.index >= known }) {
        throw .invalidOptions(
          "a value or adjoint is given for node \(id), which the graph does not have")
      }
    }
  }

  public var options: Options

  public init(options: Options = Options()) {
    self.options = options
  }

  /// The DOT text of `graph` as `digraph "name" { … }`.
  /// Throws `RenderError.invalidOptions` for options that do not fit the
  /// graph (see `Options.validate(for:)`), and `RenderError.tooLarge`
  /// beyond `options.nodeLimit`.
  public func encode(_ graph: Graph, name: String = "compgraph") throws(RenderError) -> String {
    try options.validate(for: graph)
    let orders = graph.derivativeOrders(outputOrders: options.outputOrders)
    let plan = plan(graph, orders: orders)
    if let limit = options.nodeLimit, plan.drawnCount > limit {
      throw .tooLarge(nodes: plan.drawnCount, limit: limit, layout: nil)
    }
    var out = "digraph \(DOTSyntax.quoted(name)) {\n"
    var graphAttributes = Self.graphDefaults(options.rankDirection)
    if let dpi = options.dpi { graphAttributes["dpi"] = DOTSyntax.quoted(Self.short(dpi)) }
    out += "  graph " + DOTSyntax.attributeList(graphAttributes) + "\n"
    out += "  node " + DOTSyntax.attributeList(Self.nodeDefaults) + "\n"
    out += "  edge " + DOTSyntax.attributeList(Self.edgeDefaults) + "\n"
    let statements: [String?] = graph.ids.map { id in
      guard plan.places[id.index] == .node else { return nil }
      let attributes = nodeAttributes(id, in: graph, order: orders[id.index], plan: plan)
      return "n\(id.rawValue) " + DOTSyntax.attributeList(attributes)
    }
    out += Self.clustered(
      statements, in: graph,
      flattened: options.collapse == .scopes ? Set(plan.groups.map(\.key)) : [])
    for group in plan.groups {
      out += "  g\(group.key) " + DOTSyntax.attributeList(Self.groupAttributes(group)) + "\n"
    }
    var drawnEdges = Set<String>()
    for id in graph.ids {
      guard let target = plan.name(id) else { continue }
      for (position, input) in graph.inputs(id).enumerated() {
        // Edges between drawn nodes are drawn one per operand; edges that
        // stand for several (into or out of a group or a folded term) once.
        let direct = plan.places[input.index] == .node && plan.places[id.index] == .node
        guard let source = plan.name(input), source != target,
          direct || drawnEdges.insert("\(source) -> \(target)").inserted
        else { continue }
        out += "  \(source) -> \(target)"
        if direct,
          let label = Self.operandLabel(
            graph.op(id), position: position, of: graph.inputs(id).count)
        {
          out += " " + DOTSyntax.attributeList(["label": DOTSyntax.quoted(label)])
        }
        out += "\n"
      }
    }
    for (k, (outputName, output)) in zip(graph.outputNames, graph.outputs).enumerated() {
      // A collapsed output's group already shows its name.
      if case .group(k) = plan.places[output.index], options.collapse == .outputs { continue }
      let drawn = plan.name(output) ?? "n\(output.rawValue)"
      out += "  out\(k) " + DOTSyntax.attributeList(Self.outputTag(outputName)) + "\n"
      out +=
        "  \(drawn) -> out\(k) "
        + DOTSyntax.attributeList(["arrowhead": "\"none\"", "style": "\"dashed\""]) + "\n"
      out += "  { rank = \"same\"; \(drawn); out\(k) }\n"
    }
    if options.clustersByOutput { out += clusters(graph, plan: plan) }
    let presentOrders = Set(graph.ids.lazy.filter { !graph.op($0).isLeaf }.map { orders[$0.index] })
    if presentOrders.contains(where: { $0 > 0 }) {
      out += "  legend " + DOTSyntax.attributeList(Self.legend(presentOrders.sorted())) + "\n"
    }
    return out + "}\n"
  }

  // MARK: Nodes

  /// The text of each scalar constant drawn inside its consumers' labels
  /// (`nil` for every other node): every consumer is a `+` or `×` and the
  /// constant is not itself an output.
  func foldedConstants(_ graph: Graph) -> [String?] {
    var folded: [String?] = graph.ids.map { id in
      guard options.foldsScalarConstants, case .constant(let value) = graph.op(id), value.isScalar,
        value.dtype == .f64  // an f32 constant keeps its node, which names its type
      else { return nil }
      return Self.short(value.scalars[0])
    }
    for output in graph.outputs { folded[output.index] = nil }
    for id in graph.ids where graph.op(id) != .add && graph.op(id) != .mul {
      for input in graph.inputs(id) { folded[input.index] = nil }
    }
    return folded
  }

  private func nodeAttributes(
    _ id: NodeID, in graph: Graph, order: Int, plan: Plan
  ) -> [String: String] {
    let op = graph.op(id)
    let shape = graph.shape(id)
    // The type line: the shape, and the element type where it is not f64 (`2x3 f32`).
    let type = [
      shape.isEmpty ? nil : shape.shapeDescription, graph.dtype(id) == .f32 ? "f32" : nil,
    ]
    .compactMap { $0 }.joined(separator: " ")
    var lines: [String]
    var attributes: [String: String]
    switch op {
    case .variable(let name):
      lines = [name] + (type.isEmpty ? [] : [type])
      attributes = ["color": "\"#2f6497\"", "fillcolor": "\"#dbe9f6\"", "shape": "\"box\""]
      attributes["style"] = "\"rounded,filled\""
    case .constant(let value):
      lines = Self.constantLabel(value) + (value.dtype == .f32 ? ["f32"] : [])
      attributes = ["color": "\"#8a8a8a\"", "fillcolor": "\"#eeeeee\"", "shape": "\"box\""]
      attributes["style"] = "\"filled\""
    default:
      let constants = graph.inputs(id).compactMap { input -> String? in
        guard case .constant(let text) = plan.places[input.index] else { return nil }
        return text
      }
      let symbol = op.info.symbol
      var head = symbol
      if !constants.isEmpty { head += " " + constants.joined(separator: " \(symbol) ") }
      lines = [head]
      switch op {
      case .sumTo, .broadcastTo: break  // the symbol already names the shape
      case .cast: if !shape.isEmpty { lines.append(shape.shapeDescription) }  // and the type
      default: if !type.isEmpty { lines.append(type) }
      }
      // A long sum or product lists the terms written into it, a few to a line.
      let terms = plan.terms[id] ?? []
      for (k, term) in terms.enumerated() {
        let text = term + (k < terms.count - 1 ? " \(symbol)" : "")
        if k > 0, lines[lines.count - 1].count + text.count < Self.termLineLength {
          lines[lines.count - 1] += " " + text
        } else {
          lines.append(text)
        }
      }
      let isCompact = lines.count == 1 && head.count <= 3
      attributes = [
        "color": "\"#444444\"",
        "shape": terms.isEmpty ? isCompact ? "\"circle\"" : "\"ellipse\"" : "\"box\"",
      ]
      attributes["fillcolor"] = DOTSyntax.quoted(Self.orderColor(order))
      attributes["style"] = terms.isEmpty ? "\"filled\"" : "\"rounded,filled\""
    }
    let isOutput = graph.outputs.contains(id)
    if isOutput { attributes["penwidth"] = "\"2\"" }
    let value = options.values[id]
    let adjoint = options.adjoints[id]
    if value != nil || adjoint != nil {
      return [
        "label": Self.recordLabel(
          lines, fill: attributes["fillcolor"], value: value, adjoint: adjoint, bold: isOutput),
        "shape": "\"plain\"",
      ]
    }
    attributes["label"] = DOTSyntax.quoted(lines.joined(separator: "\n"))
    return attributes
  }

  /// `label | value v | adjoint a` as an HTML-like table; an output's
  /// (`bold`) has a thick outline, as its plain node has.
  private static func recordLabel(
    _ lines: [String], fill: String?, value: Tensor?, adjoint: Tensor?, bold: Bool
  ) -> String {
    let head = lines.map(DOTSyntax.htmlEscaped).joined(separator: "<br/>")
    var cells = ["<td\(fill.map { " bgcolor=\($0)" } ?? "")>\(head)</td>"]
    if let value { cells.append("<td>value \(DOTSyntax.htmlEscaped(summary(value)))</td>") }
    if let adjoint { cells.append("<td>adjoint \(DOTSyntax.htmlEscaped(summary(adjoint)))</td>") }
    return
      "<<table border=\"\(bold ? 2 : 0)\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr>"
      + cells.joined() + "</tr></table>>"
  }

  /// Four significant digits (`0.3333`, `1.5e-07`), integers exactly
  /// (`479001600`), non-finite numbers as `nan`, `inf`, `-inf`: numbers in a
  /// picture are read, not parsed.
  static func short(_ x: Double) -> String {
    !x.isFinite || x == x.rounded() && Swift.abs(x) < 1e15
      ? formatNumber(x) : String(format: "%.4g", x)
  }

  /// A constant by its content: a scalar's value; a small tensor's values
  /// (`[1, 2, 3]`); a filled tensor as `ones 2x2`, `zeros 3` or `0.5 · ones 2x2`;
  /// any other as `constant 2x3`.
  static func constantLabel(_ value: Tensor) -> [String] {
    if value.isScalar { return [short(value.scalars[0])] }
    let shape = value.shape.shapeDescription
    if value.scalars.count <= 4 {
      return [summary(value), shape]
    }
    guard let first = value.scalars.first, value.scalars.allSatisfy({ $0 == first }) else {
      return ["constant \(shape)"]
    }
    switch first {
    case 0: return ["zeros \(shape)"]
    case 1: return ["ones \(shape)"]
    default: return ["\(short(first)) · ones \(shape)"]
    }
  }

  /// A value in four significant digits; a tensor shows its first elements.
  static func summary(_ tensor: Tensor) -> String {
    if tensor.isScalar { return short(tensor.scalars[0]) }
    let head = tensor.scalars.prefix(4).map(short).joined(separator: ", ")
    return "[\(head)\(tensor.scalars.count > 4 ? ", …" : "")]"
  }

  /// A collapsed group: a 3-D box with its name and size.
  private static func groupAttributes(_ group: Group) -> [String: String] {
    [
      "color": "\"#444444\"", "fillcolor": DOTSyntax.quoted(group.fill),
      "label": DOTSyntax.quoted(group.lines.joined(separator: "\n")), "shape": "\"box3d\"",
      "style": "\"filled\"",
    ]
  }

  /// `f` under the output node, in the outputs' colour.
  private static func outputTag(_ name: String) -> [String: String] {
    ["fontcolor": "\"#a02c2c\"", "label": DOTSyntax.quoted(name), "shape": "\"plaintext\""]
  }

  /// One `subgraph cluster_k` per output: the output's name tag and every
  /// drawn node it needs that no earlier output needs (one backward loop
  /// per output).
  private func clusters(_ graph: Graph, plan: Plan) -> String {
    var owner = [Int?](repeating: nil, count: graph.nodeCount)
    for (k, output) in graph.outputs.enumerated() {
      var needed = [Bool](repeating: false, count: output.index + 1)
      needed[output.index] = true
      for index in stride(from: output.index, through: 0, by: -1) where needed[index] {
        if owner[index] == nil { owner[index] = k }
        for input in graph.inputs(NodeID(index)) { needed[input.index] = true }
      }
    }
    var out = ""
    for (k, name) in graph.outputNames.enumerated() {
      let members = graph.ids.filter { owner[$0.index] == k && plan.places[$0.index] == .node }
      out += "  subgraph \(DOTSyntax.quoted("cluster_\(k)")) {\n"
      out += "    graph " + DOTSyntax.attributeList(Self.clusterStyle(name)) + "\n"
      out +=
        "    " + (members.map { "n\($0.rawValue)" } + ["out\(k)"]).joined(separator: "; ") + "\n"
      out += "  }\n"
    }
    return out
  }

  /// A cluster's outline and title.
  private static func clusterStyle(_ name: String) -> [String: String] {
    [
      "color": "\"#b0b0b0\"", "fontcolor": "\"#a02c2c\"", "label": DOTSyntax.quoted(name),
      "style": "\"rounded,dashed\"",
    ]
  }

  // MARK: Edges

  /// Einsum operands are labelled by their subscripts (`ij`, `jk`); inputs of
  /// other non-commutative ops with several inputs by position (`1`, `2`).
  private static func operandLabel(_ op: Op, position: Int, of count: Int) -> String? {
    if case .einsum(let spec) = op, count > 1 { return EinsumSpec.letters(spec.operands[position]) }
    return op.info.isCommutative || count == 1 ? nil : "\(position + 1)"
  }

  // MARK: Style

  /// Fill of operation nodes by derivative order, a different colour for
  /// every order: white for the original graph, then twelve pastels
  /// (orange, green, purple, pink, cyan, yellow, …); beyond them the hue
  /// turns by the golden angle (137.5°) per order, which never returns to
  /// a hue it has used.
  static func orderColor(_ order: Int) -> String {
    let derivatives = [
      "#fbd9b5", "#cdebc5", "#ddd0ef", "#f6c9d3", "#c8e6ef", "#f3ecb0", "#b9d3f3", "#e8c5a4",
      "#c5e8e0", "#f0c0f0", "#d6e0a8", "#d0d0d0",
    ]
    if order == 0 { return "#ffffff" }
    if order <= derivatives.count { return derivatives[order - 1] }
    return pastel(hue: (Double(order) * 137.508).truncatingRemainder(dividingBy: 360))
  }

  /// A light colour of `hue` (degrees): HSL with saturation 0.6 and
  /// lightness 0.85, as `#rrggbb`.
  private static func pastel(hue: Double) -> String {
    let (s, l) = (0.6, 0.85)
    let chroma = (1 - Swift.abs(2 * l - 1)) * s
    let channel = { (n: Double) -> Int in
      let k = (n + hue / 30).truncatingRemainder(dividingBy: 12)
      let value = l - chroma / 2 * Swift.max(-1, Swift.min(k - 3, 9 - k, 1))
      return Int((value * 255).rounded())
    }
    return String(format: "#%02x%02x%02x", channel(0), channel(8), channel(4))
  }

  /// `original`, `∂ (order 1)`, `∂² (order 2)`, …
  static func orderName(_ order: Int) -> String {
    guard order > 0 else { return "original" }
    let superscripts = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
    let power = order == 1 ? "" : String(String(order).map { superscripts[$0.wholeNumberValue!] })
    return "∂\(power) (order \(order))"
  }

  /// One HTML-like table: a title row and one coloured row per order.
  private static func legend(_ orders: [Int]) -> [String: String] {
    let rows = orders.map { order in
      "<tr><td bgcolor=\"\(orderColor(order))\">\(DOTSyntax.htmlEscaped(orderName(order)))</td></tr>"
    }
    let table =
      "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">"
      + "<tr><td><b>derivative order</b></td></tr>" + rows.joined() + "</table>>"
    return ["label": table, "shape": "\"plain\""]
  }

  static func graphDefaults(_ direction: RankDirection) -> [String: String] {
    [
      "fontname": "\"Helvetica\"", "nodesep": "\"0.3\"", "rankdir": "\"\(direction.rawValue)\"",
      "ranksep": "\"0.35\"",
    ]
  }

  static let nodeDefaults = [
    "fontname": "\"Helvetica\"", "fontsize": "\"12\"", "margin": "\"0.06,0.03\"",
  ]

  static let edgeDefaults = [
    "arrowsize": "\"0.6\"", "color": "\"#555555\"", "fontcolor": "\"#555555\"",
    "fontname": "\"Helvetica\"", "fontsize": "\"9\"",
  ]
}
