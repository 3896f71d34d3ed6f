import Foundation
import Testing

@testable import CompGraph

/// `DerivativeTower`: each distinct mixed partial once, built from the
/// order below, by the cheaper sweep.
@Suite struct DerivativeTowerTests {
  /// f = e^{wx}·sin(y) + x²·y·z.
  static func f(_ g: GraphBuilder) throws -> (Expr, [Expr]) {
    let w = try g.variable("w"), x = try g.variable("x")
    let y = try g.variable("y"), z = try g.variable("z")
    return (exp(w * x) * sin(y) + x * x * y * z, [w, x, y, z])
  }

  @Test func everyMixedPartialIsBuiltOnce() throws {
    let g = GraphBuilder()
    let (f, xs) = try Self.f(g)
    let tower = try derivativeTower(of: f, wrt: xs, order: 6)
    // Multisets of at most 6 of 4 variables: C(10, 6) = 210 (not Σ 4ᵏ = 5461).
    #expect(tower.count == 210)
    #expect(Set(tower.partials.map(\.variables)).count == 210)
    #expect(tower.partials.allSatisfy { $0.variables == $0.variables.sorted() })
    // Output, then order, then lexicographic.
    #expect(tower.partials.prefix(6).map(\.variables) == [[], [0], [1], [2], [3], [0, 0]])
    // ∂³f/∂w∂x∂w and ∂³f/∂w²∂x are one node.
    #expect(tower.node([0, 1, 0]) == tower.node([0, 0, 1]))
    // Order 1: one reverse sweep (1 partial, 4 variables); above, 4 tangent
    // sweeps an order (P ≥ 4 partials to extend).
    #expect(tower.sweeps == 1 + 5 * 4)
  }

  /// Values against closed forms at (w, x, y, z) = (0.3, −0.7, 1.1, 2):
  /// ∂³f/∂w²∂x = (2x + wx²)·e^{wx}·sin y,  ∂³f/∂x²∂y = w²e^{wx}cos y + 2z,
  /// ∂⁴f/∂x²∂y∂z = 2, and every partial of order 5 in z alone is 0.
  @Test func mixedPartialsMatchClosedForms() throws {
    let g = GraphBuilder()
    let (f, xs) = try Self.f(g)
    let tower = try derivativeTower(of: f, wrt: xs, order: 5)
    let (w, x, y) = (0.3, -0.7, 1.1)
    let at: [String: Double] = ["w": w, "x": x, "y": y, "z": 2]
    func value(_ vars: [Int]) throws -> Double { try g.expr(tower.node(vars)!).evaluate(at) }
    let e = Foundation.exp(w * x)
    #expect(isClose(try value([1, 0, 0]), (2 * x + w * x * x) * e * Foundation.sin(y)))
    #expect(isClose(try value([2, 1, 1]), w * w * e * Foundation.cos(y) + 2 * 2))
    #expect(try value([3, 2, 1, 1]) == 2)
    #expect(try value([3, 3, 3, 3, 3]) == 0)
  }

  /// Asking for chosen partials builds them and the orders below them only.
  @Test func chosenPartialsBuildTheirLowerOrdersOnly() throws {
    let g = GraphBuilder()
    let (f, xs) = try Self.f(g)
    let tower = try g.derivativeTower(
      of: [f.node()], wrt: xs.map { try $0.node() }, partials: [[1, 0, 1], [2]])
    #expect(tower.partials.map(\.variables) == [[], [0], [2], [0, 1], [0, 1, 1]])
    #expect(tower.node([1, 1, 0]) != nil && tower.node([3]) == nil)
    #expect(throws: GraphError.self) {
      try g.derivativeTower(of: [f.node()], wrt: xs.map { try $0.node() }, partials: [[4]])
    }
  }

  /// One variable: the tower is f, f′, f″, … by tangent sweeps, the same
  /// graphs `derivative(of:wrt:order:)` gives.
  @Test func oneVariableTowerIsRepeatedDifferentiation() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    let all = try derivatives(of: tanh(x), wrt: x, upTo: 4)
    for n in 1...4 {
      #expect(try all[n].node() == derivative(of: tanh(x), wrt: x, order: n).node())
      #expect(
        isClose(try all[n].evaluate(["x": 0.5]), SimplifyDerivativeTests.checkValues[n - 1]))
    }
  }

  /// A tower of x^x^x^x^x grows about 3× an order.  Under a node budget, the
  /// order projected past it is refused before it is built, naming the
  /// order; the orders below it still fit the same budget.
  @Test func nodeBudgetRefusesTheOrderProjectedPastIt() throws {
    func tower(order: Int, budget: Int?) throws -> DerivativeTower {
      let g = GraphBuilder()
      let x = try g.variable("x")
      return try derivativeTower(
        of: pow(x, pow(x, pow(x, pow(x, x)))), wrt: [x], order: order,
        nodeBudget: budget)
    }
    let budget = 20_000
    var refused: (order: Int, projected: Int?)? = nil
    do {
      _ = try tower(order: 12, budget: budget)
    } catch GraphError.derivativeTooLarge(let order, let projected, _, let limit) {
      #expect(limit == budget)
      refused = (order, projected)
    }
    let (order, projected) = try #require(refused)
    #expect((3...11).contains(order))
    #expect(projected != nil, "refused before the order was built, not while building it")
    // The order below fits; without a budget the refused order builds.
    #expect(try tower(order: order - 1, budget: budget).partials.count == order)
    #expect(try tower(order: order, budget: nil).partials.count == order + 1)
    let message =
      "\(GraphError.derivativeTooLarge(order: 9, projected: 1_282_295, previous: 615_403, budget: 2_000_000))"
    #expect(
      message
        == "the derivatives of order 9 would add about 1,282,295 nodes (order 8 added 615,403), "
        + "more than the node budget of 2,000,000; ask for a lower order or fewer variables, "
        + "or raise the budget")
  }

  /// The budget bounds higher orders only: the gradient of a graph larger
  /// than the budget is still one linear sweep and is built.
  @Test func nodeBudgetNeverRefusesTheFirstOrder() throws {
    let g = GraphBuilder()
    let x = try g.variable("x")
    var y = x
    for k in 0..<3000 { y = k % 2 == 0 ? sin(y) : tanh(y) }
    #expect(try derivativeTower(of: y, wrt: [x], order: 1, nodeBudget: 100).count == 2)
    #expect(throws: GraphError.self) {
      try derivativeTower(of: y, wrt: [x], order: 2, nodeBudget: 100)
    }
  }
}
