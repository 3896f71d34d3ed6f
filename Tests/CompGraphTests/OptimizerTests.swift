import ExampleSupport
import Foundation
import Testing

@testable import CompGraph

/// Each optimizer's graph against its textbook formula written out on
/// doubles, over three steps with a different gradient each step.
@Suite struct OptimizerTests {
  /// loss = Σ p∘q, so ∂loss/∂p = q: the gradient is whatever data we feed.
  func step(_ optimizer: some Optimizer) throws -> TrainingStep {
    let g = GraphBuilder()
    let p = try g.variable("p", [2, 3]), q = try g.variable("q", [2, 3])
    return try TrainingStep(loss: (p * q).sum(), parameters: ["p"], optimizer: optimizer)
  }

  let p0: [Double] = [0.5, -1, 2, 0.25, -0.75, 3]
  let gradients: [[Double]] = [
    [0.1, -0.2, 0.3, -0.4, 0.5, 1.5],
    [-0.3, 0.25, 0.05, 0.4, -1, 0.2],
    [0.7, 0.1, -0.6, 0.2, 0.3, -0.1],
  ]

  /// Runs the graph for three steps and compares p (and the loss) with
  /// `textbook`, which maps (p, g, t) to the new p, keeping its own state.
  func check(
    _ optimizer: some Optimizer, _ textbook: (inout [Double], [Double], Int) -> Void
  ) throws {
    let training = try step(optimizer)
    var state = training.initialOptimizerState
    state["p"] = Tensor(shape: [2, 3], scalars: p0)
    var expected = p0
    for (t, g) in gradients.enumerated() {
      let loss = try training.run(&state, data: ["q": Tensor(shape: [2, 3], scalars: g)])
      #expect(abs(loss - zip(expected, g).map(*).reduce(0, +)) <= 1e-12)
      textbook(&expected, g, t + 1)
      for (mine, theirs) in zip(state["p"]!.scalars, expected) {
        #expect(abs(mine - theirs) <= 1e-12 * max(1, abs(theirs)), "step \(t + 1)")
      }
    }
  }

  @Test func sgd() throws {
    try check(SGD(learningRate: 0.1)) { p, g, _ in
      for i in p.indices { p[i] -= 0.1 * g[i] }
    }
  }

  @Test func momentum() throws {
    var v = [Double](repeating: 0, count: 6)
    try check(Momentum(learningRate: 0.1, momentum: 0.9)) { p, g, _ in
      for i in p.indices {
        v[i] = 0.9 * v[i] + g[i]
        p[i] -= 0.1 * v[i]
      }
    }
  }

  @Test func nesterov() throws {
    var v = [Double](repeating: 0, count: 6)
    try check(Momentum(learningRate: 0.1, momentum: 0.9, nesterov: true)) { p, g, _ in
      for i in p.indices {
        v[i] = 0.9 * v[i] + g[i]
        p[i] -= 0.1 * (g[i] + 0.9 * v[i])
      }
    }
  }

  @Test func adagrad() throws {
    var G = [Double](repeating: 0, count: 6)
    try check(Adagrad(learningRate: 0.5, epsilon: 1e-10)) { p, g, _ in
      for i in p.indices {
        G[i] += g[i] * g[i]
        p[i] -= 0.5 * g[i] / (G[i].squareRoot() + 1e-10)
      }
    }
  }

  @Test func rmsprop() throws {
    var s = [Double](repeating: 0, count: 6)
    try check(RMSProp(learningRate: 0.01, decay: 0.9, epsilon: 1e-8)) { p, g, _ in
      for i in p.indices {
        s[i] = 0.9 * s[i] + 0.1 * g[i] * g[i]
        p[i] -= 0.01 * g[i] / (s[i].squareRoot() + 1e-8)
      }
    }
  }

  func adamTextbook(decay: Double) -> (inout [Double], [Double], Int) -> Void {
    var m = [Double](repeating: 0, count: 6), v = m
    return { p, g, t in
      for i in p.indices {
        m[i] = 0.9 * m[i] + 0.1 * g[i]
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
        let mHat = m[i] / (1 - Foundation.pow(0.9, Double(t)))
        let vHat = v[i] / (1 - Foundation.pow(0.999, Double(t)))
        p[i] -= 0.01 * (mHat / (vHat.squareRoot() + 1e-8) + decay * p[i])
      }
    }
  }

  @Test func adam() throws {
    try check(Adam(learningRate: 0.01), adamTextbook(decay: 0))
  }

  @Test func adamW() throws {
    try check(AdamW(learningRate: 0.01, weightDecay: 0.1), adamTextbook(decay: 0.1))
  }

  @Test func stateNamesAndOutputs() throws {
    let training = try step(Adam(learningRate: 0.01))
    #expect(
      training.stateNames == [
        "p", "optimizer.m.p", "optimizer.v.p", "optimizer.beta1_power", "optimizer.beta2_power",
      ])
    #expect(training.graph.outputNames == ["loss"] + training.stateNames)
    #expect(training.initialOptimizerState["optimizer.beta1_power"] == Tensor(1))
  }

  @Test func unknownParameterIsAnError() throws {
    let g = GraphBuilder()
    let p = try g.variable("p")
    #expect {
      try TrainingStep(loss: p * p, parameters: ["w"], optimizer: SGD(learningRate: 1))
    } throws: { error in
      "\(error)".contains("the training step has no parameter 'w'")
    }
  }

  // MARK: Convergence

  /// Rosenbrock f(x, y) = (1 − x)² + 100(y − x²)² from (−1.2, 1); returns
  /// the final point.
  func rosenbrock(_ optimizer: some Optimizer, steps: Int) throws -> [Double] {
    let g = GraphBuilder()
    let z = try g.variable("z", [2])
    let x = einsum("i,i->", z, g.constant(Tensor(shape: [2], scalars: [1, 0])))
    let y = einsum("i,i->", z, g.constant(Tensor(shape: [2], scalars: [0, 1])))
    let f = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    let training = try TrainingStep(loss: f, parameters: ["z"], optimizer: optimizer)
    var state = training.initialOptimizerState
    state["z"] = Tensor(shape: [2], scalars: [-1.2, 1])
    for _ in 0..<steps { _ = try training.run(&state, data: [:]) }
    return state["z"]!.scalars
  }

  @Test func adamConvergesOnRosenbrock() throws {
    let z = try rosenbrock(Adam(learningRate: 0.02), steps: 3000)
    #expect(abs(z[0] - 1) < 1e-2 && abs(z[1] - 1) < 2e-2, "\(z)")
  }

  @Test func momentumConvergesOnRosenbrock() throws {
    let z = try rosenbrock(Momentum(learningRate: 1e-3, momentum: 0.9), steps: 3000)
    #expect(abs(z[0] - 1) < 1e-2 && abs(z[1] - 1) < 2e-2, "\(z)")
  }

  /// min ½‖Ax − b‖² for a fixed, well-conditioned 12×4 A (eigenvalues of
  /// AᵀA 2.7 … 9.5): the optimizers reach the
  /// normal-equations solution.
  func leastSquares(_ optimizer: some Optimizer, steps: Int) throws -> Double {
    let m = 12, n = 4
    let a: [Double] = (0..<m * n).map { k -> Double in
      let t = Double(k)
      return Foundation.sin(0.7 * t * t + 0.3 * t + 0.2)
    }
    let xTrue: [Double] = [1, -2, 0.5, 3]
    let b: [Double] = (0..<m).map { i -> Double in
      (0..<n).map { j -> Double in a[i * n + j] * xTrue[j] }.reduce(0, +)
    }
    let g = GraphBuilder()
    let A = g.constant(Tensor(shape: [m, n], scalars: a))
    let B = g.constant(Tensor(shape: [m], scalars: b))
    let x = try g.variable("x", [n])
    let r = matmul(A, x) - B
    let loss: Expr = 0.5 * (r * r).sum()
    let training = try TrainingStep(loss: loss, parameters: ["x"], optimizer: optimizer)
    var state = training.initialOptimizerState
    state["x"] = Tensor(repeating: 0, shape: [n])
    for _ in 0..<steps { _ = try training.run(&state, data: [:]) }
    return zip(state["x"]!.scalars, xTrue).map { abs($0 - $1) }.max()!
  }

  @Test func adamSolvesLeastSquares() throws {
    #expect(try leastSquares(Adam(learningRate: 0.05), steps: 1000) < 1e-9)
  }

  @Test func momentumSolvesLeastSquares() throws {
    #expect(try leastSquares(Momentum(learningRate: 0.02, momentum: 0.9), steps: 500) < 1e-9)
  }
}
