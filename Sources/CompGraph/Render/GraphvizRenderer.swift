import CGraphviz
import Foundation
import Synchronization

/// Lays out and renders DOT text with the Graphviz C library, in memory:
///
///     agmemread → gvLayout → gvRenderData → gvFreeRenderData → gvFreeLayout → agclose
///
/// Graphviz is not thread-safe, so every call into it runs under one
/// process-wide lock (ARCHITECTURE.md invariant 10) with one shared `GVC_t`.
/// Its error messages are captured through `agseterrf` and thrown as
/// `RenderError.graphviz`, never printed.
public struct GraphvizRenderer: Sendable {
  /// The output formats: pictures, and Graphviz's own laid-out text.
  public enum Format: String, CaseIterable, Sendable {
    case svg, png, pdf
    /// DOT with layout positions.
    case dot
    /// DOT with xdot drawing operations.
    case xdot
    /// Graphviz's JSON (with layout).
    case json

    /// The format called `name`; throws listing the valid ones otherwise.
    public init(parsing name: String) throws(RenderError) {
      guard let format = Format(rawValue: name.lowercased()) else {
        throw .unknownFormat(name, available: Format.allCases.map(\.rawValue))
      }
      self = format
    }
  }

  /// The layout engine: `dot`, `neato`, `fdp`, `sfdp`, `circo`, `twopi`, …
  public var layout: String
  /// Graphs with more nodes are refused rather than left to lay out for minutes.
  public var nodeLimit: Int

  /// `nodeLimit` defaults to `defaultNodeLimit(for: layout)`.
  public init(layout: String = "dot", nodeLimit: Int? = nil) {
    self.layout = layout
    self.nodeLimit = nodeLimit ?? Self.defaultNodeLimit(for: layout)
  }

  /// `dot` and the other exact engines take seconds to minutes beyond about
  /// a thousand nodes; the multiscale `sfdp` handles tens of thousands.
  public static func defaultNodeLimit(for layout: String) -> Int {
    layout == "sfdp" ? 20_000 : 1_000
  }

  /// The layout engines this Graphviz installation provides that draw an
  /// expression graph (nodes and their edges).
  public static var layouts: [String] {
    graphvizSession.withLock { session in session.open().layouts }
  }

  /// Renders DOT text.  Throws `unknownLayout`, `tooLarge` or
  /// `tooManyEdges` (counted after parsing: the layout's cost grows with
  /// nodes and edges, so nodes + edges may be at most twice the node
  /// limit), or `graphviz` with Graphviz's own message.
  public func render(dot: String, format: Format) throws(RenderError) -> Data {
    try graphvizSession.withLock { session throws(RenderError) -> Data in
      let (context, layouts) = session.open()
      guard layouts.contains(layout) else { throw .unknownLayout(layout, available: layouts) }
      graphvizMessages.withLock { $0.removeAll() }
      guard let graph = agmemread(dot) else {
        throw .graphviz(Self.capturedMessage("cannot parse the DOT text"))
      }
      defer { agclose(graph) }
      let count = Int(agnnodes(graph)), edges = Int(agnedges(graph))
      guard count <= nodeLimit else {
        throw .tooLarge(nodes: count, limit: nodeLimit, layout: layout)
      }
      guard count + edges <= 2 * nodeLimit else {
        throw .tooManyEdges(nodes: count, edges: edges, limit: nodeLimit, layout: layout)
      }
      guard gvLayout(context, graph, layout) == 0 else {
        throw .graphviz(Self.capturedMessage("the \(layout) layout failed"))
      }
      defer { gvFreeLayout(context, graph) }
      var bytes: UnsafeMutablePointer<CChar>? = nil
      var length = 0
      guard compgraph_gvRenderData(context, graph, format.rawValue, &bytes, &length) == 0, let bytes
      else {
        throw .graphviz(Self.capturedMessage("rendering \(format.rawValue) failed"))
      }
      defer { gvFreeRenderData(bytes) }
      return Data(bytes: bytes, count: length)
    }
  }

  /// What Graphviz reported since the last reset, or `fallback` if nothing.
  private static func capturedMessage(_ fallback: String) -> String {
    let text = graphvizMessages.withLock { $0.joined() }.trimmingCharacters(
      in: .whitespacesAndNewlines)
    return text.isEmpty ? fallback : text
  }
}

/// The process's Graphviz context, created on first use, behind the one lock.
private struct GraphvizSession {
  private var context: OpaquePointer?
  private var layoutNames: [String] = []

  /// The context and its layout engines, creating them (and installing the
  /// error collector) the first time.
  mutating func open() -> (context: OpaquePointer, layouts: [String]) {
    if let context { return (context, layoutNames) }
    _ = agseterrf { fragment in
      if let fragment { graphvizMessages.withLock { $0.append(String(cString: fragment)) } }
      return 0
    }
    let created = gvContext()!
    context = created
    layoutNames = Self.pluginNames(created, kind: "layout").filter {
      !Self.unusableLayouts.contains($0)
    }
    return (created, layoutNames)
  }

  /// Engines that draw nothing useful for an expression graph: `nop` and
  /// `nop2` expect positions already in the input, `patchwork` draws
  /// clusters as a treemap and `osage` packs them as boxes, both without
  /// edges.
  private static let unusableLayouts: Set = ["nop", "nop1", "nop2", "patchwork", "osage"]

  /// `gvPluginList` names, without the `:library` suffixes, sorted and unique.
  private static func pluginNames(_ context: OpaquePointer, kind: String) -> [String] {
    var count: Int32 = 0
    guard let list = gvPluginList(context, kind, &count, nil) else { return [] }
    var names = Set<String>()
    for index in 0..<Int(count) {
      guard let item = list[index] else { continue }
      names.insert(String(String(cString: item).prefix { $0 != ":" }))
      free(item)
    }
    free(list)
    return names.sorted()
  }
}

/// Every call into Graphviz holds this lock.
private let graphvizSession = Mutex(GraphvizSession())

/// The fragments Graphviz's error callback received during the current call.
/// (Its own lock: the callback runs while `graphvizSession` is held.)
private let graphvizMessages = Mutex<[String]>([])
