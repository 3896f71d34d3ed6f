import CKernels
import Foundation
import Testing

@testable import CompGraph

/// Compiled programs of f32 values: they run on a tensor plan of f32 buffers
/// (f32 register code, sgemm, float kernels) and give the reference
/// evaluator's f32 values within a few f32 ulps.
@Suite struct F32ProgramTests {
  /// Every op's composite and its first and second derivatives, compiled in
  /// f32, against the reference evaluator's f32 values of the same graph.
  @Test(arguments: F32AgainstF64Tests.kinds)
  func everyOpAndItsDerivativesRunNativelyInF32(_ kind: Op.Kind) throws {
    let graph = try F32AgainstF64Tests.derivatives(kind, .f32)
    let program = try Program(graph)
    #expect(program.tensorPlan?.dtype == .f32, "\(kind) did not compile to an f32 plan")
    for (px, py) in OpRow.row(kind).points {
      let point = ["x": Tensor(Double(Float(px))), "y": Tensor(Double(Float(py)))]
      let expected = try graph.evaluate(point)
      let got = try program.evaluate(point)
      for k in expected.indices {
        #expect(got[k].dtype == .f32)
        let scale = expected[k].scalars.map(abs).max() ?? 0
        for (u, v) in zip(got[k].scalars, expected[k].scalars) {
          #expect(u.isNaN || Double(Float(u)) == u, "\(kind): \(u) is not an f32 value")
          #expect(
            F32AgainstF64Tests.close(u, v, scale: max(1, scale)),
            "\(kind) \(graph.outputNames[k]) at (\(px), \(py)): program \(u), reference \(v)")
        }
      }
    }
  }

  /// A layer's loss and gradients (a matmul, a bias row, tanh, exp and log of
  /// a softmax): the f32 program matches the reference, its contractions run
  /// as sgemm, and its memory plan takes half the bytes of the same graph in
  /// f64.
  @Test func aLayersGradientRunsInF32WithHalfThePlanBytes() throws {
    func build(_ dtype: DType) throws -> Graph {
      let g = GraphBuilder()
      let x = try g.variable("x", [32, 24], dtype: dtype)
      let w = try g.variable("W", [24, 16], dtype: dtype)
      let b = try g.variable("b", [16], dtype: dtype)
      let h = tanh(matmul(x, w) + b)
      let loss = sum(ln(sum(exp(h), axis: 1))) * (1.0 / 32)
      let grads = try gradient(of: loss, wrt: [w, b])
      return try loss.graph(names: ["loss", "dW", "db"], with: grads)
    }
    let single = try build(.f32), double = try build(.f64)
    let p32 = try Program(single), p64 = try Program(double)
    #expect(p32.tensorPlan?.dtype == .f32)
    #expect(p64.tensorPlan?.dtype == .f64)
    #expect(p32.peakBytes * 2 == p64.peakBytes, "\(p32.peakBytes) vs \(p64.peakBytes)")
    let gemms = p32.tensorPlan!.steps.filter {
      if case .contraction(.gemm, _, _, _) = $0 { true } else { false }
    }
    #expect(gemms.count >= 2)
    var state: UInt64 = 7
    func tensor(_ shape: Shape) -> Tensor {
      Tensor(
        shape: shape,
        scalars: (0..<shape.elementCount).map { _ in
          state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
          return Double(Float(Double(state >> 11) / Double(1 << 53) - 0.5))
        })
    }
    let point = ["x": tensor([32, 24]), "W": tensor([24, 16]), "b": tensor([16])]
    let expected = try single.evaluate(point)
    let got = try p32.evaluate(point)
    for k in expected.indices {
      let scale = expected[k].scalars.map(abs).max() ?? 0
      for (u, v) in zip(got[k].scalars, expected[k].scalars) {
        #expect(Double(Float(u)) == u)
        #expect(abs(u - v) <= 1e-5 * max(abs(v), scale), "\(single.outputNames[k]): \(u) vs \(v)")
      }
    }
    // And against f64, to f32's precision.
    let wide = try p64.evaluate(point)
    for k in wide.indices {
      let scale = wide[k].scalars.map(abs).max() ?? 0
      for (u, v) in zip(got[k].scalars, wide[k].scalars) {
        #expect(abs(u - v) <= 1e-5 * max(abs(v), scale), "\(single.outputNames[k]): \(u) vs \(v)")
      }
    }
  }

  /// A graph that mixes f32 and f64 operations runs on the reference
  /// evaluator, and a batch of an f32 program is its points one by one.
  @Test func mixedGraphsFallBackAndBatchesRunPointByPoint() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32), y = try g.variable("y")
    let mixed = try (exp(x) * y).graph()
    #expect(try Program(mixed).tensorPlan == nil)
    #expect(
      try Program(mixed).evaluate(["x": 1, "y": 2])
        == mixed.evaluate(["x": 1, "y": 2]).map { $0.scalars[0] })
    let single = try (exp(x) * x + 0.1).graph()
    let program = try Program(single)
    #expect(program.tensorPlan?.dtype == .f32)
    let xs = [0.5, -1, 3, 0]
    let batch = try program.evaluate(batch: [xs], count: xs.count)
    for (i, v) in xs.enumerated() {
      #expect(batch[0][i] == (try single.evaluate(["x": v])[0].scalars[0]))
    }
  }
}
