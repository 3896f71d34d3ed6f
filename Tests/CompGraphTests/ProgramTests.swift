import CKernels
import Foundation
import Testing

@testable import CompGraph

/// The compiled Program against the reference evaluator.
@Suite struct ProgramTests {
  @Test func pointAndBatchMatchTheReferenceEvaluator() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let f =
      sqrt(x * x + y * y + 1) * exp(-x) + tanh(x * y) - ln(1 + y * y) / 3 + sin(x) * cos(y)
      + pow(x, 3) - pow(y * y + 2, -1.5)
    let df = try CompGraph.gradient(of: f, wrt: [x, y])
    let graph = try checked([f] + df)
    let program = try Program(graph)
    let xs = (0..<3000).map { -3 + 6 * Double($0) / 2999 }
    let ys = xs.map { 0.7 - $0 / 2 }
    let columns = program.inputNames.map { $0 == "x" ? xs : ys }
    let batch = try program.evaluate(batch: columns, count: xs.count)
    for i in stride(from: 0, to: xs.count, by: 97) {
      let reference = try graph.evaluate(["x": xs[i], "y": ys[i]]).map { $0.scalars[0] }
      let point = try program.evaluate(["x": xs[i], "y": ys[i]])
      for k in reference.indices {
        #expect(isClose(point[k], reference[k], tolerance: 1e-14), "point, output \(k) at \(i)")
        #expect(
          isClose(batch[k][k * xs.count + i], reference[k], tolerance: 1e-13),
          "batch, output \(k) at \(i)")
      }
    }
  }

  /// The batch kernels' exp and tanh are within 1 and 3 ulp of the exact values (against
  /// x87 extended precision where there is one, else within 1 and 4 ulp of libm; exp's
  /// subnormal results within 1 ulp), and get the edges right (NaN, ±∞, overflow, underflow, −0).
  @Test func vectorExpAndTanhAreAccurate() {
    var worstExp = 0.0, worstSubnormalExp = 0.0, worstTanh = 0.0
    var x = -745.0
    while x < 709.78 {
      let error = ulpError(cg_exp(x), exp: true, at: x)
      if x < -708.39 {  // e^x below the least normal double
        worstSubnormalExp = max(worstSubnormalExp, error)
      } else {
        worstExp = max(worstExp, error)
      }
      x += 0.00137
    }
    x = -25
    while x < 25 {
      if x != 0 { worstTanh = max(worstTanh, ulpError(cg_tanh(x), exp: false, at: x)) }
      x += 0.0000731
    }
    x = 1e-300
    while x < 1 {
      worstTanh = max(worstTanh, ulpError(cg_tanh(x), exp: false, at: x))
      x *= 1.001
    }
    // Subnormal results are rounded twice (the last factor 2^h shifts bits out).
    #expect(worstSubnormalExp <= 1, "exp \(worstSubnormalExp) ulp where subnormal")
    #if arch(x86_64)
      #expect(worstExp < 1 && worstTanh < 3, "exp \(worstExp) ulp, tanh \(worstTanh) ulp")
    #else
      #expect(worstExp <= 1 && worstTanh <= 4, "exp \(worstExp) ulp, tanh \(worstTanh) ulp")
    #endif
    // exp up to the largest double: the old clamp at 709 returned e^709 there.
    #expect(isClose(cg_exp(709.5), Foundation.exp(709.5), tolerance: 3e-16))
    #expect(isClose(cg_exp(709.7827), Foundation.exp(709.7827), tolerance: 3e-16))
    #expect(cg_exp(709.7828) == .infinity)
    #expect(cg_exp(-745) == .leastNonzeroMagnitude && cg_exp(-745.2) == 0)
    #expect(cg_exp(.nan).isNaN && cg_tanh(.nan).isNaN)
    #expect(
      cg_exp(-746) == 0 && cg_exp(710) == .infinity && cg_exp(.infinity) == .infinity
        && cg_exp(-.infinity) == 0)
    #expect(cg_tanh(.infinity) == 1 && cg_tanh(-.infinity) == -1)
    #expect(cg_tanh(1e-300) == 1e-300)
    #expect(cg_tanh(-0.0) == 0 && cg_tanh(-0.0).sign == .minus)
  }
}

/// How many ulps `value` is from exp(x) (or tanh(x)): from the value in x87 extended precision
/// (64-bit significand) where there is one, else from libm's.
private func ulpError(_ value: Double, exp: Bool, at x: Double) -> Double {
  #if arch(x86_64)
    let exact = exp ? Foundation.exp(Float80(x)) : Foundation.tanh(Float80(x))
    return Double(abs(Float80(value) - exact) / Float80(Double(exact).ulp))
  #else
    let exact = exp ? Foundation.exp(x) : Foundation.tanh(x)
    return abs(value - exact) / exact.ulp
  #endif
}

extension ProgramTests {
  @Test func vectorLogIsAccurate() {
    var worst = 0.0
    var x = Double.leastNormalMagnitude / 256  // subnormal, about 8.7e-311
    while x < 1e300 {
      let exact = Foundation.log(x)
      worst = max(worst, exact == 0 ? abs(cg_log(x)) : abs(cg_log(x) - exact) / abs(exact))
      x *= 1.0137
    }
    for x in stride(from: 0.5, to: 2.0, by: 0.00013) {
      let exact = Foundation.log(x)
      worst = max(worst, abs(cg_log(x) - exact) / max(abs(exact), 1e-300))
    }
    #expect(worst < 1e-15)
    #expect(cg_log(1) == 0 && cg_log(0) == -.infinity && cg_log(.infinity) == .infinity)
    #expect(cg_log(-1).isNaN && cg_log(.nan).isNaN && cg_log(-.infinity).isNaN)
  }
}

extension ProgramTests {
  /// A wide, regular graph (W2's gradient at N = 40): its groups read their
  /// operands both as runs of slots and through gathers; both must agree with
  /// the reference evaluator.
  @Test func wideGraphsMatchTheReferenceEvaluator() throws {
    let g = GraphBuilder()
    let n = 40
    let x = try (0..<n).map { try g.variable("x\($0)") }
    let terms = (0..<n).map { i in exp(x[i]) * ln(1 + x[(i + 1) % n] * x[(i + 1) % n]) }
    let f = sum(terms) + sqrt(sum(x.map { $0 * $0 }))
    let grads = simplify(try CompGraph.gradient(of: f, wrt: x))
    let graph = try checked([f] + grads)
    let program = try Program(graph)
    let point = Dictionary(uniqueKeysWithValues: (0..<n).map { ("x\($0)", sin(Double($0 + 1))) })
    let reference = try graph.evaluate(point).map { $0.scalars[0] }
    let compiled = try program.evaluate(point)
    for k in reference.indices {
      #expect(isClose(compiled[k], reference[k], tolerance: 1e-13), "output \(k)")
    }
    // ∂f/∂x_k = e^{x_k} ln(1 + x²_{k+1}) + e^{x_{k−1}} 2x_k/(1 + x²_k) + x_k/√Σx²
    let xs = (0..<n).map { sin(Double($0 + 1)) }
    let r = xs.map { $0 * $0 }.reduce(0, +).squareRoot()
    for k in 0..<n {
      let next = xs[(k + 1) % n], prev = xs[(k + n - 1) % n]
      let exact =
        Foundation.exp(xs[k]) * Foundation.log(1 + next * next)
        + Foundation.exp(prev) * 2 * xs[k] / (1 + xs[k] * xs[k]) + xs[k] / r
      #expect(isClose(compiled[k + 1], exact, tolerance: 1e-13), "∂f/∂x\(k)")
    }
  }
}
