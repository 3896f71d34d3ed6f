import Foundation
import Testing

@testable import CompGraph

/// The library's Jacobian and Hessian with respect to tensor variables, against closed forms:
/// `jax.jacobian`'s shapes (the output's, then the variable's), the mixed blocks of a Hessian
/// each other's transpose, and a derivative too large refused before it is built.
@Suite struct TensorHessianTests {
  static let w = Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 1.5, 0.25, -0.75])
  static let b = Tensor(shape: [3], scalars: [0.3, -0.6, 1.1])

  /// f = ½|W·b|²: ∂²f/∂W_ij∂W_kl = δ_ik b_j b_l, ∂²f/∂W_ij∂b_k = W_ik b_j + z_i δ_jk
  /// (z = W·b), ∂²f/∂b_j∂b_k = Σ_i W_ij W_ik.
  @Test func hessianBlocksOfAMatrixAndAVector() throws {
    let g = GraphBuilder()
    let W = try g.variable("W", [2, 3]), b = try g.variable("b", [3])
    let z = matmul(W, b)
    let h = try hessian(of: 0.5 * (z * z).sum(), wrt: [W, b])
    let point = ["W": Self.w, "b": Self.b]
    func value(_ e: Expr) throws -> Tensor { try e.graph().evaluate(point)[0] }
    let (wv, bv) = (Self.w.scalars, Self.b.scalars)
    let zv = (0..<2).map { i in (0..<3).map { wv[i * 3 + $0] * bv[$0] }.reduce(0, +) }
    let ww = try value(h[0][0]), wb = try value(h[0][1]), bw = try value(h[1][0])
    let bb = try value(h[1][1])
    #expect(ww.shape == [2, 3, 2, 3] && wb.shape == [2, 3, 3] && bw.shape == [3, 2, 3])
    #expect(bb.shape == [3, 3])
    for i in 0..<2 {
      for j in 0..<3 {
        for k in 0..<2 {
          for l in 0..<3 {
            let expected = i == k ? bv[j] * bv[l] : 0
            #expect(abs(ww.scalars[((i * 3 + j) * 2 + k) * 3 + l] - expected) <= 1e-15)
          }
        }
        for k in 0..<3 {
          let expected = wv[i * 3 + k] * bv[j] + (j == k ? zv[i] : 0)
          #expect(abs(wb.scalars[(i * 3 + j) * 3 + k] - expected) <= 1e-15)
          #expect(bw.scalars[(k * 2 + i) * 3 + j] == wb.scalars[(i * 3 + j) * 3 + k])
        }
      }
    }
    for j in 0..<3 {
      for k in 0..<3 {
        let expected = (0..<2).map { wv[$0 * 3 + j] * wv[$0 * 3 + k] }.reduce(0, +)
        #expect(abs(bb.scalars[j * 3 + k] - expected) <= 1e-15)
      }
    }
  }

  /// y = exp(b) ⊙ (W·… ) has ∂y/∂b = diag(eᵇ); y = W·b has ∂y/∂W_jk = δ_ij b_k and ∂y/∂b = W.
  @Test func jacobiansOfVectorOutputs() throws {
    let g = GraphBuilder()
    let W = try g.variable("W", [2, 3]), b = try g.variable("b", [3])
    let j = try jacobian(of: [exp(b), matmul(W, b)], wrt: [W, b])
    let point = ["W": Self.w, "b": Self.b]
    func value(_ e: Expr) throws -> Tensor { try e.graph().evaluate(point)[0] }
    let expB = try value(j[0][1]), zW = try value(j[1][0]), zB = try value(j[1][1])
    #expect(try value(j[0][0]) == Tensor(repeating: 0, shape: [3, 2, 3]))
    #expect(expB.shape == [3, 3] && zW.shape == [2, 2, 3] && zB == Self.w)
    for r in 0..<3 {
      for c in 0..<3 {
        #expect(expB.scalars[r * 3 + c] == (r == c ? Foundation.exp(Self.b.scalars[r]) : 0))
      }
    }
    for i in 0..<2 {
      for (jk, value) in zW.scalars[(i * 6)..<(i * 6 + 6)].enumerated() {
        #expect(value == (jk / 3 == i ? Self.b.scalars[jk % 3] : 0))
      }
    }
  }

  /// A partial with more than `DerivativeTower.maxElements` elements is refused before its order
  /// is built, naming its shape.
  @Test func tooManyElementsIsRefusedBeforeBuilding() throws {
    let g = GraphBuilder()
    let A = try g.variable("A", [80, 80])
    let graph = try (A * A * A).sum().graph()
    #expect(
      throws: GraphError.derivativeTooManyElements(
        order: 2, shape: [80, 80, 80, 80], limit: DerivativeTower.maxElements)
    ) {
      try graph.derivatives(wrt: ["A"], order: 2, simplifying: true)
    }
    #expect(try graph.derivatives(wrt: ["A"], order: 1, simplifying: true).graph.outputs.count == 2)
  }
}
