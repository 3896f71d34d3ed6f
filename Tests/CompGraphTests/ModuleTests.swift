import Foundation
import Testing

@testable import CompGraph

@Suite struct ModuleTests {
  let net = Sequential(
    "net", [Linear("fc1", 3, 4), Activation("tanh", tanh), Linear("fc2", 4, 2)])

  @Test func parametersHavePathsInAStableOrder() {
    #expect(net.parameters.map(\.path) == ["net.fc1.W", "net.fc1.b", "net.fc2.W", "net.fc2.b"])
    #expect(net.parameters.map(\.shape) == [[3, 4], [4], [4, 2], [2]])
    let mlp = MLP("mlp", sizes: [2, 8, 8, 3], activation: tanh)
    #expect(
      mlp.parameters.map(\.path) == [
        "mlp.layer0.W", "mlp.layer0.b", "mlp.layer1.W", "mlp.layer1.b", "mlp.layer2.W",
        "mlp.layer2.b",
      ])
    let cell = RNNCell("cell", inputSize: 5, hiddenSize: 3)
    #expect(cell.parameters.map(\.path) == ["cell.W", "cell.U", "cell.b"])
  }

  @Test func callingBuildsTheVariablesTheParametersName() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [5, 3])
    let graph = try net(x).sum().graph()
    let names = graph.variables.map(\.name).filter { $0 != "x" }
    #expect(Set(names) == Set(net.parameters.map(\.path)))
  }

  @Test func forwardMatchesTheFormula() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [2, 3])
    let values = net.initialParameters(seed: 3)
    let input = Tensor(shape: [2, 3], scalars: [0.1, -0.2, 0.3, 0.5, 0.0, -1])
    let y = try net(x).evaluate(values.merging(["x": input]) { a, _ in a })
    func linear(_ x: [Double], _ rows: Int, _ W: Tensor, _ b: Tensor) -> [Double] {
      let (k, n) = (W.shape[0], W.shape[1])
      return (0..<rows * n).map { e in
        let (r, c) = (e / n, e % n)
        return (0..<k).map { x[r * k + $0] * W.scalars[$0 * n + c] }.reduce(0, +) + b.scalars[c]
      }
    }
    let h = linear(input.scalars, 2, values["net.fc1.W"]!, values["net.fc1.b"]!).map(
      Foundation.tanh)
    let expected = linear(h, 2, values["net.fc2.W"]!, values["net.fc2.b"]!)
    #expect(y.shape == [2, 2])
    for (a, b) in zip(y.scalars, expected) { #expect(abs(a - b) <= 1e-14) }
  }

  @Test func initialParametersFollowTheirInitializers() {
    let values = RNNCell("cell", inputSize: 65, hiddenSize: 100).initialParameters(seed: 1)
    #expect(values["cell.b"] == Tensor(repeating: 0, shape: [100]))
    let w = values["cell.W"]!.scalars
    let mean = w.reduce(0, +) / Double(w.count)
    let sd = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count)).squareRoot()
    #expect(abs(mean) < 5e-4 && abs(sd - 0.01) < 5e-4)  // randn · 0.01 over 10,000 samples
    #expect(values == RNNCell("cell", inputSize: 65, hiddenSize: 100).initialParameters(seed: 1))
  }

  @Test func embeddingOfTokensIsALookup() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [3])
    let table = Embedding("emb", vocabularySize: 4, dimension: 2)
    let values = table.initialParameters(seed: 9)
    let y = try table(x).evaluate([
      "x": Tensor(shape: [3], scalars: [2, 0, 2]), "emb.E": values["emb.E"]!,
    ])
    let E = values["emb.E"]!.scalars
    #expect(y.scalars == [E[4], E[5], E[0], E[1], E[4], E[5]])
  }

  @Test func nodesCarryTheirModuleScope() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [5, 3])
    let graph = try net(x).sum().graph()
    let paths = Set(graph.ids.map { graph.scopes.path(graph.scope(of: $0)) })
    #expect(paths == [[], ["net", "fc1"], ["net", "tanh"], ["net", "fc2"]])
    let w = try #require(graph.ids.first { graph.op($0) == .variable("net.fc2.W") })
    #expect(graph.scopes.path(graph.scope(of: w)) == ["net", "fc2"])
  }

  @Test func dotDrawsNestedModuleClusters() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [5, 3])
    let dot = try DOTEncoder().encode(try net(x).sum().graph())
    let lines = dot.split(separator: "\n").map(String.init)
    let net = try #require(lines.firstIndex { $0.contains("label=\"net\"") })
    let fc1 = try #require(lines.firstIndex { $0.contains("label=\"fc1\"") })
    #expect(lines[net].hasPrefix("    label="))
    #expect(lines[fc1].hasPrefix("      label="))  // nested one level deeper
    #expect(
      lines[..<net].last { $0.contains("subgraph") }?.hasPrefix("  subgraph \"cluster_") == true)
    #expect(lines.contains { $0.hasPrefix("      n") && $0.contains("net.fc1.W") })
    #expect(dot.components(separatedBy: "{").count == dot.components(separatedBy: "}").count)
    try GraphvizRenderer().render(dot: dot, format: .svg).write(
      to: FileManager.default.temporaryDirectory.appending(path: "cg-modules-\(UUID()).svg"))
  }

  @Test func derivativesGroupPerParameterWhenAsked() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [5, 3])
    let loss = net(x).sum()
    let params = try net.parameters.map { try g.variable($0.path, $0.shape) }
    let grads = try gradient(of: loss, wrt: params, groupingPerParameter: true)
    let graph = try loss.graph(names: ["L"] + net.parameters.map { "∂L/∂" + $0.path }, with: grads)
    let groups = Set(graph.scopes.entries.filter { $0.kind == .derivative }.map(\.name))
    #expect(groups.isSuperset(of: ["∂ wrt net.fc1.W", "∂ wrt net.fc2.W"]))
    // The cotangent flowing back into fc1 feeds both fc1.W and fc1.b: it is
    // in no group; the einsum that makes ∂L/∂fc1.W is in fc1.W's.
    let gW = graph.outputs[1]
    #expect(graph.scopes.path(graph.scope(of: gW)) == ["∂ wrt net.fc1.W"])
    let plain = try gradient(of: loss, wrt: params)
    for (a, b) in zip(plain, grads) { #expect(try a.node() == b.node()) }
  }

  @Test func checkpointGradientsEqualStoredOnesAndRecompute() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [4, 6])
    let mlp = MLP("mlp", sizes: [6, 6, 6, 6, 6], activation: tanh)
    var h = x
    mlp.scoped(g) {  // the layers' paths are mlp.layerK.W, as a call of mlp builds them
      for (k, layer) in mlp.layers.enumerated() {
        h = g.checkpoint("segment\(k / 2)") { tanh(layer(h)) }
      }
    }
    let loss = (h * h).sum()
    let params = try mlp.parameters.map { try g.variable($0.path, $0.shape) }
    let checkpointed = try loss.graph(with: try gradient(of: loss, wrt: params))
    let g2 = GraphBuilder()
    let x2 = try g2.variable("x", [4, 6])
    var h2 = x2
    mlp.scoped(g2) { for layer in mlp.layers { h2 = tanh(layer(h2)) } }
    let loss2 = (h2 * h2).sum()
    let params2 = try mlp.parameters.map { try g2.variable($0.path, $0.shape) }
    let stored = try loss2.graph(with: try gradient(of: loss2, wrt: params2))
    var bindings = mlp.initialParameters(seed: 5)
    bindings["x"] = Tensor(shape: [4, 6], scalars: (0..<24).map { Foundation.sin(Double($0)) })
    let a = try checkpointed.evaluate(bindings), b = try stored.evaluate(bindings)
    for (u, v) in zip(a, b) {
      for (p, q) in zip(u.scalars, v.scalars) { #expect(abs(p - q) <= 1e-15 * max(1, abs(q))) }
    }
    // Each two-layer segment's first tanh is rebuilt as a new node in a
    // recompute scope; its second is the segment's output, kept as it is.
    let tanhs = { (graph: Graph) in graph.ids.filter { graph.op($0) == .tanh }.count }
    #expect(tanhs(stored) == 4)
    #expect(tanhs(checkpointed) == 6)
    #expect(checkpointed.scopes.entries.contains { $0.kind == .recompute })
    try checkpointed.checkInvariants()
    // The top segment's output h is read by the loss and by its own tanh
    // pullback (1 − h²) only, both before the segment is rebuilt: h is dead
    // by then, in node order.
    let top = try #require(checkpointed.ids.last { checkpointed.op($0) == .tanh && isForward($0) })
    let firstCopy = try #require(
      checkpointed.ids.first {
        checkpointed.scopes.entries[Int(checkpointed.scope(of: $0))].kind == .recompute
      })
    let readers = checkpointed.ids.filter { checkpointed.inputs($0).contains(top) }
    #expect(readers.count >= 2 && readers.allSatisfy { $0 < firstCopy })
    // The simplifier rebuilds recomputed nodes in their own scope: the
    // rebuilt copies (one matmul per segment) are not merged back.
    let einsums = { (graph: Graph) in
      graph.ids.filter { if case .einsum = graph.op($0) { true } else { false } }.count
    }
    #expect(einsums(checkpointed) == einsums(stored) + 2)
    var every = SimplifyOptions()
    every.phases = Set(Phase.allCases)
    #expect(
      einsums(simplify(checkpointed, options: every)) == einsums(simplify(stored, options: every))
        + 2)
    func isForward(_ id: NodeID) -> Bool {
      checkpointed.scopes.entries[Int(checkpointed.scope(of: id))].kind != .recompute
    }
  }

  /// A segment output whose derivative reads its input (d sin z = cos z dz)
  /// has the segment rebuilt for its own pullback; the gradients still equal
  /// the stored ones.
  @Test func checkpointWhoseOutputPullbackReadsItsInput() throws {
    let mlp = MLP("mlp", sizes: [5, 5, 5, 5], activation: sin)
    var bindings = mlp.initialParameters(seed: 6)
    bindings["x"] = Tensor(shape: [3, 5], scalars: (0..<15).map { Foundation.cos(Double($0)) })
    func gradients(checkpointed: Bool) throws -> [Tensor] {
      let g = GraphBuilder()
      var h = try g.variable("x", [3, 5])
      mlp.scoped(g) {
        for (k, layer) in mlp.layers.enumerated() {
          h = checkpointed ? g.checkpoint("segment\(k / 3)") { sin(layer(h)) } : sin(layer(h))
        }
      }
      let loss = (h * h).sum()
      let params = try mlp.parameters.map { try g.variable($0.path, $0.shape) }
      let graph = try loss.graph(with: try gradient(of: loss, wrt: params))
      try graph.checkInvariants()
      return try graph.evaluate(bindings)
    }
    for (u, v) in zip(try gradients(checkpointed: true), try gradients(checkpointed: false)) {
      for (p, q) in zip(u.scalars, v.scalars) { #expect(abs(p - q) <= 1e-15 * max(1, abs(q))) }
    }
  }
}
