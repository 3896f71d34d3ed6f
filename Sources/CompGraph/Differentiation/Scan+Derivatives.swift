/// The derivatives of a scan, each another scan whose body is a derivative graph of the body,
/// so that a derivative of a loop is again a loop and every order works.
///
/// - Forward: the tangent of `scan(f, c₀, xs, p)` along (ċ₀, ẋs, ṗ) is the packed tangent
///   part of `scan(f_jvp, (ċ₀, c₀), (xs, ẋs), (p, ṗ))`, where f_jvp carries each carry with
///   its tangent and returns each output with its tangent (`GraphBuilder.jvp` on the body).
/// - Reverse: the forward scan is run again storing each step's carry c_t (`storing`), then a
///   scan in the other direction carries (c̄, p̄) from the cotangent of the final carries,
///   and at step t pulls (c̄_{t+1}, ȳ_t) back through f at (c_t, x_t, p)
///   (`GraphBuilder.vjp` on the body): c̄_t, x̄_t and p̄ += p̄_t.
/// - Checkpointing (`ScanCheckpoint.every(k)`): the same loop as a scan of ⌊T/k⌋ scans of k
///   steps (and one of the T mod k left), whose reverse stores one carry per run of k and
///   recomputes the run from it inside the reverse body.
extension GraphBuilder {
  /// The tangent of the scan node with `inputs` given each input's tangent (`nil`: none), each
  /// of shape shape(input) + `batch`; of shape [packed length] + `batch`.
  func scanTangent(_ spec: ScanSpec, inputs: [NodeID], tangents: [NodeID?], batch: Shape) throws
    -> NodeID
  {
    let body = spec.body
    let m = body.carryCount
    let moving = tangents.indices.filter { $0 >= m && tangents[$0] != nil }
    let jvpBody = try body.jvp(moving: moving, batch: batch)
    var operands = (0..<m).map { k in
      tangents[k] ?? constantNode(Tensor(repeating: 0, shape: shape(inputs[k]) + batch))
    }
    operands += inputs[..<m]
    operands += inputs[m..<(m + body.sliceCount)]
    operands += moving.filter { $0 < m + body.sliceCount }.map { tangents[$0]! }
    operands += inputs[(m + body.sliceCount)...]
    operands += moving.filter { $0 >= m + body.sliceCount }.map { tangents[$0]! }
    let jvpSpec = ScanSpec(body: jvpBody, length: spec.length, reverse: spec.reverse)
    let packed = try scanNode(jvpSpec, operands)
    // The jvp's parts are Y, Ẏ, Ċ, C: the tangent is Ẏ and Ċ, laid out as Y and C are.
    let offsets = jvpSpec.layout
    let r = body.outputCount
    let tangent = try node(
      .slice(axis: 0, start: offsets[r], end: offsets[2 * r + m]), [packed])
    return try node(.reshape([spec.layout.last!] + batch), [tangent])
  }

  /// The cotangents of the scan node's `inputs` given the cotangent `g` of its packed value;
  /// `nil` for an input that is not `active` (carries are always pulled back: they chain).
  func scanCotangents(_ spec: ScanSpec, inputs: [NodeID], cotangent g: NodeID, active: [Bool])
    throws -> [NodeID?]
  {
    let parts = try scanParts(g, spec)
    let r = spec.body.outputCount
    return try scanCotangents(
      spec, inputs: inputs, outputSeeds: Array(parts[..<r]), carrySeeds: Array(parts[r...]),
      active: active)
  }

  /// `scanCotangents` given the cotangents of the stacked outputs and of the final carries.
  private func scanCotangents(
    _ spec: ScanSpec, inputs: [NodeID], outputSeeds: [NodeID], carrySeeds: [NodeID],
    active: [Bool]
  ) throws -> [NodeID?] {
    if let k = spec.checkpoint.stride(for: spec.length) {
      return try checkpointedCotangents(
        spec, stride: k, inputs: inputs, outputSeeds: outputSeeds, carrySeeds: carrySeeds,
        active: active)
    }
    let body = spec.body
    let (m, n) = (body.carryCount, body.sliceCount)
    let slices = (m..<(m + n)).filter { active[$0] }
    let closed = ((m + n)..<inputs.count).filter { active[$0] }
    // The carries c_0 … c_{T−1}, stacked: the stored scan's outputs.
    let storing = ScanSpec(body: try body.storing(), length: spec.length, reverse: spec.reverse)
    let stored = try scanParts(try scanNode(storing, inputs), storing).prefix(m)
    let reverseBody = try body.pullback(slices: slices, closed: closed)
    var operands = carrySeeds
    operands += closed.map { constantNode(Tensor(repeating: 0, shape: shape(inputs[$0]))) }
    operands += stored
    operands += inputs[m..<(m + n)]
    operands += outputSeeds
    operands += inputs[(m + n)...]
    let reverse = ScanSpec(body: reverseBody, length: spec.length, reverse: !spec.reverse)
    // Its parts: the stacked x̄, then the carries c̄_0 and p̄.
    let parts = try scanParts(try scanNode(reverse, operands), reverse)
    var cotangents = [NodeID?](repeating: nil, count: inputs.count)
    for k in 0..<m { cotangents[k] = parts[slices.count + k] }
    for (j, i) in slices.enumerated() { cotangents[i] = parts[j] }
    for (j, i) in closed.enumerated() { cotangents[i] = parts[slices.count + m + j] }
    return cotangents
  }

  /// The cotangents of a scan checkpointed every `k` steps: the T = q·k + r steps as a scan of
  /// q runs of k (the outer scan stores q carries; its reverse body recomputes a run's k) and
  /// a scan of the r steps left (the last r, or the first r for a reverse scan, which runs
  /// them last).
  private func checkpointedCotangents(
    _ spec: ScanSpec, stride k: Int, inputs: [NodeID], outputSeeds: [NodeID],
    carrySeeds: [NodeID], active: [Bool]
  ) throws -> [NodeID?] {
    let body = spec.body
    let (m, n) = (body.carryCount, body.sliceCount)
    let (q, r) = (spec.length / k, spec.length % k)
    // The rows each part covers: the runs first in the order the steps run, then the rest.
    let runRows = spec.reverse ? r..<spec.length : 0..<(q * k)
    let restRows = spec.reverse ? 0..<r : (q * k)..<spec.length
    func rows(_ x: NodeID, _ range: Range<Int>) throws -> NodeID {
      range.count == shape(x)[0]
        ? x : try node(.slice(axis: 0, start: range.lowerBound, end: range.upperBound), [x])
    }
    func grouped(_ x: NodeID) throws -> NodeID {
      let rest = Array(shape(x).dropFirst())
      return try node(.reshape([q, k] + rest), [rows(x, runRows)])
    }
    let runs = ScanSpec(
      body: try body.runs(of: k, reverse: spec.reverse), length: q, reverse: spec.reverse)
    let runInputs =
      Array(inputs[..<m]) + (try inputs[m..<(m + n)].map(grouped)) + inputs[(m + n)...]
    var seeds = carrySeeds
    var restCotangents: [NodeID?] = []
    if r > 0 {
      // The runs' final carries start the rest.
      let middle = try scanParts(try scanNode(runs, runInputs), runs).suffix(m)
      let rest = ScanSpec(body: body, length: r, reverse: spec.reverse)
      let restInputs =
        Array(middle) + (try inputs[m..<(m + n)].map { try rows($0, restRows) })
        + inputs[(m + n)...]
      restCotangents = try scanCotangents(
        rest, inputs: restInputs, outputSeeds: try outputSeeds.map { try rows($0, restRows) },
        carrySeeds: carrySeeds, active: active)
      seeds = (0..<m).map { restCotangents[$0]! }
    }
    let runCotangents = try scanCotangents(
      runs, inputs: runInputs, outputSeeds: try outputSeeds.map(grouped), carrySeeds: seeds,
      active: active)
    return try inputs.indices.map { i -> NodeID? in
      guard let run = runCotangents[i] else { return nil }
      guard r > 0, i >= m else { return run }
      let rest = restCotangents[i]!
      if i >= m + n { return try node(.add, [run, rest]) }
      // A sequence's cotangent: the runs' rows and the rest's, each padded to T rows.
      let full = shape(inputs[i])
      let flat = try node(.reshape([q * k] + Array(full.dropFirst())), [run])
      return try node(
        .add,
        [
          try node(
            .pad(axis: 0, before: runRows.lowerBound, after: spec.length - runRows.upperBound),
            [flat]),
          try node(
            .pad(axis: 0, before: restRows.lowerBound, after: spec.length - restRows.upperBound),
            [rest]),
        ])
    }
  }
}

extension ScanBody {
  /// The body of the tangent scan: carries (ċ, c), sequences (x, ẋ), closed-over values
  /// (p, ṗ), for the non-carry parameters in `moving` (every carry has a tangent);
  /// outputs (ċ′, c′) and then (y, ẏ), each tangent of shape shape + `batch`.
  func jvp(moving: [Int], batch: Shape) throws -> ScanBody {
    let (builder, params) = try copied()
    var taken = Set(parameters)
    var tangentOf: [Int: String] = [:]
    var tangents: [NodeID: NodeID] = [:]
    for i in Array(0..<carryCount) + moving {
      let name = Self.fresh(parameters[i] + "\u{307}", avoiding: &taken)
      tangentOf[i] = name
      tangents[params[i]] = try builder.variableNode(name, shape: parameterShapes[i] + batch)
    }
    let outs = graph.outputs
    let dots = try builder.jvp(of: outs, tangents: tangents, batch: batch)
    let m = carryCount
    let end = carryCount + sliceCount
    var names: [String] = (0..<m).map { tangentOf[$0]! }
    names += parameters[..<end]
    names += moving.filter { $0 < end }.map { tangentOf[$0]! }
    names += parameters[end...]
    names += moving.filter { $0 >= end }.map { tangentOf[$0]! }
    var outputs: [NodeID] = Array(dots[..<m])
    outputs += outs
    outputs += dots[m...]
    return try Self.make(
      name: name + "\u{307}", builder: builder, parameters: names, carries: 2 * m,
      slices: sliceCount + moving.filter { $0 < end }.count,
      outputs: outputs)
  }

  /// A builder holding this body's nodes, with every parameter declared (one the outputs do
  /// not read is not in the graph), and the parameters' nodes.
  private func copied() throws -> (GraphBuilder, [NodeID]) {
    let builder = GraphBuilder(graph)
    let params = try parameters.indices.map {
      try builder.variableNode(parameters[$0], shape: parameterShapes[$0])
    }
    return (builder, params)
  }

  /// This body with its input carries as extra outputs: the scan of it stacks c_0 … c_{T−1}
  /// first (its other outputs dropped).
  func storing() throws -> ScanBody {
    let (builder, params) = try copied()
    return try Self.make(
      name: name, builder: builder, parameters: parameters, carries: carryCount,
      slices: sliceCount, outputs: Array(graph.outputs[..<carryCount]) + params[..<carryCount])
  }

  /// The body of the reverse scan: carries (c̄, p̄ for the closed-over values in `closed`),
  /// sequences (c, x, ȳ), closed-over values p; outputs c̄ of the step's input carry,
  /// p̄ + p̄_t, then x̄ of the sequences in `slices`.
  func pullback(slices: [Int], closed: [Int]) throws -> ScanBody {
    let (builder, params) = try copied()
    var taken = Set(parameters)
    let m = carryCount
    func adjoint(_ base: String, _ shape: Shape) throws -> (String, NodeID) {
      let name = Self.fresh(base + "\u{304}", avoiding: &taken)
      return (name, try builder.variableNode(name, shape: shape))
    }
    let carryBars = try (0..<m).map { try adjoint(parameters[$0], parameterShapes[$0]) }
    let closedBars = try closed.map { try adjoint(parameters[$0], parameterShapes[$0]) }
    let outputBars = try outputShapes.enumerated().map { j, shape in
      try adjoint("y\(j)", shape)
    }
    let pulled = try builder.vjp(
      of: graph.outputs, seeds: (carryBars + outputBars).map(\.1),
      wrt: (0..<m).map { params[$0] } + slices.map { params[$0] } + closed.map { params[$0] })
    let sums = try closed.indices.map { j in
      try builder.node(.add, [closedBars[j].1, pulled[m + slices.count + j]])
    }
    var names = (carryBars + closedBars).map(\.0)
    names += parameters[..<(m + sliceCount)]
    names += outputBars.map(\.0)
    names += parameters[(m + sliceCount)...]
    var outputs = Array(pulled[..<m])
    outputs += sums
    outputs += pulled[m..<(m + slices.count)]
    return try Self.make(
      name: name + "\u{304}", builder: builder, parameters: names, carries: m + closed.count,
      slices: m + sliceCount + outputCount,
      outputs: outputs)
  }

  /// The body of a scan over runs of `k` steps: the same parameters with each sequence's rows
  /// grouped k at a time ([k] + shape(x)); each step is a scan of this body over its run,
  /// outputting the run's stacked outputs.
  func runs(of k: Int, reverse: Bool) throws -> ScanBody {
    let builder = GraphBuilder()
    var shapes = parameterShapes
    for i in carryCount..<(carryCount + sliceCount) { shapes[i] = [k] + shapes[i] }
    let params = try parameters.indices.map {
      try builder.variableNode(parameters[$0], shape: shapes[$0])
    }
    let inner = ScanSpec(body: self, length: k, reverse: reverse)
    let parts = try builder.scanParts(try builder.scanNode(inner, params), inner)
    return try Self.make(
      name: "\(name)×\(k)", builder: builder, parameters: parameters, carries: carryCount,
      slices: sliceCount, outputs: Array(parts[outputCount...]) + parts[..<outputCount])
  }
}
