import Foundation

@testable import CompGraph

/// Loops the scan tests share: a tanh cell over a sequence (the per-op table's row), and
/// Lotka–Volterra integrated by RK4 (two carries, four closed-over rates).
enum ScanFixtures {
  /// A failed handle carrying `error`, for the table's closures, which cannot throw.
  static func failed(_ builder: GraphBuilder, _ error: Error) -> Expr {
    Expr(builder, .failure(error as? GraphError ?? .unsupported("\(error)")))
  }

  /// h ↦ tanh(h·y + x_t) over the three rows of a 3×2 sequence built from x and y, from an h₀
  /// built from them, with outputs h² + y: Σ w·h_T + Σ w·Y.
  static func cell(_ x: Expr, _ y: Expr) -> Expr {
    let xs = OpRow.matrix(
      x, y, [0.1, -0.2, 0.3, 0.4, -0.5, 0.2], [0.5, 0, -0.5, 1, 0.2, 0.1],
      [0, 1, 0.5, -0.5, 0.3, 0], [3, 2])
    let h0 = OpRow.matrix(x, y, [0.2, -0.1], [0.1, 0.3], [0.4, 0], [2])
    do {
      let r = try cellScan(h0, xs, y)
      return (r.carries[0] * OpRow.weights(x, [2])).sum()
        + (r.outputs[0] * OpRow.weights(x, [3, 2])).sum()
    } catch {
      return failed(x.builder, error)
    }
  }

  static func cellScan(
    _ h0: Expr, _ xs: Expr, _ w: Expr, checkpoint: ScanCheckpoint = .all, reverse: Bool = false
  ) throws -> ScanResult {
    try scan(
      "cell", carries: [h0], over: [xs], closingOver: [w], reverse: reverse,
      checkpoint: checkpoint, carryNames: ["h"], sliceNames: ["x"], closedNames: ["w"]
    ) { c, row, p in
      let h = tanh(c[0] * p[0] + row[0])
      return ([h], [h * h + p[0]])
    }
  }

  /// The cell's op, for the interval table: carries [2], a sequence [3, 2], one scalar.
  static let cellOp: Op = {
    let g = GraphBuilder()
    let node = try! cellScan(
      g.variable("h0", [2]), g.variable("xs", [3, 2]), g.variable("w")
    ).node.node()
    return g.op(node)
  }()

  /// One RK4 step of Lotka–Volterra, u′ = αu − βuv, v′ = δuv − γv, with step `h`.
  static func rk4(_ u: Expr, _ v: Expr, _ p: [Expr], h: Double) -> (Expr, Expr) {
    let (alpha, beta, delta, gamma) = (p[0], p[1], p[2], p[3])
    func f(_ u: Expr, _ v: Expr) -> (Expr, Expr) {
      (alpha * u - beta * u * v, delta * u * v - gamma * v)
    }
    let k1 = f(u, v)
    let k2 = f(u + h / 2 * k1.0, v + h / 2 * k1.1)
    let k3 = f(u + h / 2 * k2.0, v + h / 2 * k2.1)
    let k4 = f(u + h * k3.0, v + h * k3.1)
    return (
      u + h / 6 * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0),
      v + h / 6 * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1)
    )
  }

  /// Lotka–Volterra over `steps` RK4 steps of `h` from (u₀, v₀) with rates `p` (closed over),
  /// outputting (u_t, v_t) at each step.
  static func lotkaVolterra(
    u0: Expr, v0: Expr, rates p: [Expr], steps: Int, h: Double = 0.05,
    checkpoint: ScanCheckpoint = .all
  ) throws -> ScanResult {
    try scan(
      "rk4", carries: [u0, v0], closingOver: p, length: steps, checkpoint: checkpoint,
      carryNames: ["u", "v"], closedNames: ["α", "β", "δ", "γ"]
    ) { c, _, p in
      let (u, v) = rk4(c[0], c[1], p, h: h)
      return ([u, v], [u, v])
    }
  }

  /// The JAX form of `lotkaVolterra`'s loss Σ (u_t − 1)² + (v_t − ½)² (`lax.scan`).
  static func lotkaVolterraJAX(steps: Int, h: Double = 0.05) -> String {
    let f = "(lambda u, v: (a*u - b*u*v, d*u*v - g*v))"
    let step =
      "(lambda c, _: (lambda k1: (lambda k2: (lambda k3: (lambda k4: "
      + "(lambda n: (n, n))((c[0] + \(h)/6*(k1[0] + 2*k2[0] + 2*k3[0] + k4[0]), "
      + "c[1] + \(h)/6*(k1[1] + 2*k2[1] + 2*k3[1] + k4[1]))))"
      + "(F(c[0] + \(h)*k3[0], c[1] + \(h)*k3[1])))"
      + "(F(c[0] + \(h)/2*k2[0], c[1] + \(h)/2*k2[1])))"
      + "(F(c[0] + \(h)/2*k1[0], c[1] + \(h)/2*k1[1])))(F(c[0], c[1])))"
    return
      "(lambda F: (lambda r: jnp.sum((r[1][0] - 1)**2) + jnp.sum((r[1][1] - 0.5)**2))"
      + "(lax.scan(\(step), (u0, v0), None, length=\(steps))))(\(f))"
  }
}
