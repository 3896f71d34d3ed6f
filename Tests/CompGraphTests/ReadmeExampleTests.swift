import Testing

@testable import CompGraph

/// The README's ten-line library example, kept true.
@Suite struct ReadmeExampleTests {
  @Test func tenLineExample() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let df = try gradient(of: f, wrt: [p, q])
    let fpp = try derivative(of: f, wrt: p, order: 2)
    let graph = try f.graph(names: ["f", "∂f/∂p", "∂²f/∂p²"], with: [df[0], fpp])
    let values = try graph.evaluate(["p": 2, "q": 3]).map { $0.scalars[0] }
    #expect(isClose(values[0], 6.3668237534761971, tolerance: 1e-14))
    #expect(isClose(values[1], 1.1259881576697424, tolerance: 1e-14))
    #expect(isClose(values[2], -0.51799830823853465, tolerance: 1e-13))
    #expect(graph.listing.hasPrefix("{ lambda p:f64[] q:f64[] ; let"))
    try graph.checkInvariants()
  }

  /// What the README and the getting-started article say of the two: the
  /// gradient is the sweep as built (an adjoint summed from repeated
  /// contributions), and `simplify` of it is the normal form that
  /// `derivative` gives.
  @Test func gradientIsTheSweepAsBuiltAndDerivativeIsSimplified() throws {
    let g = GraphBuilder()
    let p = try g.variable("p"), q = try g.variable("q")
    let f = sqrt(p + p + q) / 3 + ln(p * (p * q)) + 3
    let swept = try gradient(of: f, wrt: [p, q])[0]
    let derived = try derivative(of: f, wrt: p)
    let raw = try swept.graph(names: ["g"])
    // An add with the same operand twice: the two paths p takes into p + p.
    #expect(
      raw.listing.split(separator: "\n").contains { line in
        let operands = line.split(separator: " ").drop { $0 != "add" }.dropFirst()
        return Set(operands).count < operands.count
      }, "\(raw.listing)")
    let readable = simplify(swept)
    #expect(try readable.node() == derived.node())
    #expect(try readable.graph(names: ["g"]).operationCount < raw.operationCount)
    let at: [String: Double] = ["p": 2, "q": 3]
    #expect(
      isClose(
        try raw.evaluate(at)[0].scalars[0],
        try derived.graph(names: ["d"]).evaluate(at)[0].scalars[0],
        tolerance: 1e-14))
  }
}
