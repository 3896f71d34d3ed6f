import Foundation
import Testing

@testable import CompGraph

/// Convolutions and pools (`Graph/Expr+Convolution.swift`) and their primitives `patches` and
/// `unpatches` (`Graph/Window.swift`): closed forms at the edges (ties, padding, stride > kernel,
/// 1×1), errors that name the op and the shapes, the expression language, the ONNX export in
/// onnxruntime, and the Hessian of a small CNN's loss. Derivatives to order 3 against JAX are
/// `ConvolutionJAXTests`; against finite differences, the per-op table (`OpTable.swift`).
@Suite struct ConvolutionTests {
  static func tensor(_ shape: Shape, _ f: (Int) -> Double) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.elementCount).map(f))
  }

  /// patches(x) by its definition, and unpatches as its transpose: ⟨patches(x), y⟩ = ⟨x,
  /// unpatches(y)⟩ for every x and y.
  @Test func patchesAndUnpatchesAreEachOthersTranspose() throws {
    let window = Window(
      axis: 1, size: [5, 4], kernel: [2, 3], strides: [2, 1], padsBegin: [1, 0],
      padsEnd: [2, 1], dilations: [2, 1])
    #expect(window.validate() == nil)
    #expect(window.count == [3, 3])
    let x = Self.tensor([2, 5, 4, 3]) { sin(Double($0)) }
    let p = x.patches(window)
    #expect(p.shape == [2, 2, 3, 3, 3, 3])
    // y[b, k1, k2, o1, o2, t] = x[b, o1·2 − 1 + k1·2, o2 + k2, t], 0 outside.
    for b in 0..<2 {
      for k1 in 0..<2 {
        for k2 in 0..<3 {
          for o1 in 0..<3 {
            for o2 in 0..<3 {
              for t in 0..<3 {
                let (p1, p2) = (o1 * 2 - 1 + k1 * 2, o2 + k2)
                let expected =
                  (0..<5).contains(p1) && (0..<4).contains(p2)
                  ? x.scalars[((b * 5 + p1) * 4 + p2) * 3 + t] : 0
                let index = (((((b * 2 + k1) * 3 + k2) * 3 + o1) * 3 + o2) * 3) + t
                #expect(p.scalars[index] == expected)
              }
            }
          }
        }
      }
    }
    let y = Self.tensor(p.shape) { cos(Double($0) * 0.7) }
    let u = y.unpatches(window)
    #expect(u.shape == x.shape)
    let left = zip(p.scalars, y.scalars).map(*).reduce(0, +)
    let right = zip(x.scalars, u.scalars).map(*).reduce(0, +)
    #expect(abs(left - right) <= 1e-12 * abs(left))
  }

  /// Tied maxima share the gradient equally (amax's rule), and padding is never the maximum,
  /// even of negative inputs.
  @Test func maxPoolTiesAndPadding() throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x", [1, 1, 2, 3])
    let y = maxPool(x, kernel: [2, 2], strides: [1, 1], pads: [1, 1, 1, 1])
    #expect(y.shape == [1, 1, 3, 4])
    let loss = y.sum()
    let g = try gradient(of: loss, wrt: [x])[0].graph(with: [y])
    // x = [[−5, −5, −1], [−5, −5, −2]]: the padding's −∞ never wins.
    let point = ["x": Tensor(shape: [1, 1, 2, 3], scalars: [-5, -5, -1, -5, -5, -2])]
    let values = try g.evaluate(point)
    #expect(values[1].scalars == [-5, -5, -1, -1, -5, -5, -1, -1, -5, -5, -2, -2])
    // x[0,0] is the maximum of window (0,0) alone (1), ties with x[0,1] in (0,1) and with x[1,0]
    // in (1,0) (½ each), and with all four −5s in (1,1) (¼): 2¼. x[0,1] gets ½ + ¼.
    #expect(values[0].scalars == [2.25, 0.75, 4, 2.25, 0.75, 2])
    // The compiled program agrees.
    let compiled = try Program(g).evaluate(point)
    #expect(compiled[0].scalars == values[0].scalars)
    #expect(compiled[1].scalars == values[1].scalars)
  }

  /// Edge shapes: stride larger than the kernel skips inputs (their gradient is 0), a 1×1
  /// kernel is a matrix product over channels, `.same` gives ⌈D/s⌉ windows.
  @Test func edgeShapes() throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x", [1, 2, 5, 5])
    let w = try builder.variable("w", [3, 2, 1, 1])
    let strided = conv(x, w, strides: [3, 3])
    #expect(strided.shape == [1, 3, 2, 2])
    let point = [
      "x": Self.tensor([1, 2, 5, 5]) { Double($0 % 7) - 3 },
      "w": Self.tensor([3, 2, 1, 1]) { Double($0) - 2.5 },
    ]
    let gx = try gradient(of: strided.sum(), wrt: [x])[0].graph()
    let gradientOfX = try gx.evaluate(point)[0]
    for c in 0..<2 {
      for i in 0..<5 {
        for j in 0..<5 {
          let read = i % 3 == 0 && j % 3 == 0  // positions 0 and 3 along each axis
          let expected = read ? (0..<3).map { point["w"]!.scalars[$0 * 2 + c] }.reduce(0, +) : 0
          #expect(gradientOfX.scalars[(c * 5 + i) * 5 + j] == expected)
        }
      }
    }
    // 1×1: y[m, p] = Σ_c w[m, c]·x[c, p].
    let y = try conv(x, w).graph().evaluate(point)[0]
    for m in 0..<3 {
      for p in 0..<25 {
        let expected = (0..<2).map {
          point["w"]!.scalars[m * 2 + $0] * point["x"]!.scalars[$0 * 25 + p]
        }.reduce(0, +)
        #expect(y.scalars[m * 25 + p] == expected)
      }
    }
    let k = try builder.variable("k", [4, 2, 3, 2])
    #expect(conv(x, k, strides: [2, 3], pads: .same).shape == [1, 4, 3, 2])
    #expect(conv(x, k, pads: .sameLower, dilations: [2, 2]).shape == [1, 4, 5, 5])
    #expect(maxPool(x, kernel: [2, 2], strides: [2, 2], ceilMode: true).shape == [1, 2, 3, 3])
    #expect(maxPool(x, kernel: [2, 2], strides: [2, 2]).shape == [1, 2, 2, 2])
    #expect(globalAveragePool(x).shape == [1, 2, 1, 1])
  }

  /// Bad shapes and parameters give failed handles whose errors name the op, the shapes and
  /// what does not fit.
  @Test func badShapesNameTheOpAndTheShapes() throws {
    let builder = GraphBuilder()
    let x = try builder.variable("x", [1, 3, 5, 5])
    let w = try builder.variable("w", [2, 2, 3, 3])
    let b = try builder.variable("b", [3])
    func message(_ e: Expr) -> String {
      do {
        _ = try e.node()
        return "no error"
      } catch { return "\(error)" }
    }
    let cases: [(Expr, [String])] = [
      (conv(x, w), ["conv", "1x3x5x5 and 2x2x3x3", "channels"]),
      (conv(x, try builder.variable("w3", [2, 3, 3, 3]), bias: b), ["conv", "bias", "(2)"]),
      (
        conv(x, try builder.variable("w1", [4, 1, 3, 3]), groups: 2),
        ["conv", "3 input channels", "2 groups"]
      ),
      (
        conv(x, try builder.variable("big", [2, 3, 7, 3])), ["conv", "7 taps", "does not fit in 5"]
      ),
      (conv(x, try builder.variable("w2", [2, 3, 3, 3]), strides: [1]), ["conv", "2 strides"]),
      (conv(x, try builder.variable("w4", [2, 3, 3, 3]), pads: [1, 1]), ["conv", "4 pads"]),
      (
        conv(x, try builder.variable("w5", [2, 3, 3, 3]), pads: [-1, 0, 0, 0]),
        ["conv", "pads ≥ 0"]
      ),
      (
        conv(x, try builder.variable("w6", [2, 3, 3, 3]), strides: [0, 1]),
        ["conv", "positive strides"]
      ),
      (conv(x, try builder.variable("v", [2, 3])), ["conv", "(N, C, D…)"]),
      (
        convTranspose(
          x, try builder.variable("t", [3, 2, 3, 3]), strides: [2, 2], outputPadding: [2, 0]),
        ["conv_transpose", "output padding"]
      ),
      (convTranspose(x, w), ["conv_transpose", "first axis (2)", "3 channels"]),
      (maxPool(x, kernel: [6, 1]), ["max_pool", "1x3x5x5", "6 taps"]),
      (averagePool(x, kernel: [2, 2, 2, 2, 2]), ["average_pool", "5 spatial axes"]),
      (globalMaxPool(b), ["global_max_pool", "(N, C, D…)"]),
      (patches(x, kernel: [2], dilations: [1, 1]), ["patches", "1 dilations"]),
      (unpatches(x, size: [4, 4], kernel: [2, 2]), ["unpatches", "(…, K, O, …)"]),
    ]
    for (e, words) in cases {
      let text = message(e)
      for word in words {
        #expect(text.contains(word), "'\(word)' not in: \(text)")
      }
    }
  }

  /// The expression language's conv and pools build what the Swift functions build, and a
  /// listing names the windows.
  @Test func parserSyntax() throws {
    let source = """
      var x: 1x2x6x6, w: 3x2x3x3, b: 3
      out y = sum(sin(conv(x, w, b, 2, 1))) + sum(max_pool(x, 3, 2, 1, 1, 1)) + sum(global_average_pool(x) * global_max_pool(x))
      """
    let parsed = try parseProgram(source, into: GraphBuilder()).graph()
    let builder = GraphBuilder()
    let x = try builder.variable("x", [1, 2, 6, 6])
    let w = try builder.variable("w", [3, 2, 3, 3])
    let b = try builder.variable("b", [3])
    let built =
      sin(conv(x, w, bias: b, strides: [2, 2], pads: [1, 1, 1, 1])).sum()
      + maxPool(x, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true).sum()
      + (globalAveragePool(x) * globalMaxPool(x)).sum()
    let point = [
      "x": Self.tensor([1, 2, 6, 6]) { sin(Double($0)) },
      "w": Self.tensor([3, 2, 3, 3]) { cos(Double($0)) },
      "b": Self.tensor([3]) { Double($0) },
    ]
    #expect(try parsed.evaluate(point) == built.graph().evaluate(point))
    let listing = parsed.listing
    #expect(listing.contains("patches[2,6x6,3x3,2x2,1x1,1x1,1x1]"), "\(listing)")
    #expect(
      throws: (any Error).self,
      performing: {
        try parseProgram("var x: 1x1x4x4\nout y = max_pool(x, 2, 2, 0, 1, 3)", into: GraphBuilder())
          .graph()
      })
  }

  /// Exported as ONNX (patches a `Gather`, unpatches a `Gather` summed over taps), the graphs
  /// and their gradients run in onnxruntime with CompGraph's values, in f64 and f32.
  @Test(.enabled(if: PythonPeer.shouldRun))
  func onnxExportRunsInOnnxruntime() throws {
    func withGradient(
      _ label: String, _ shapes: [(String, Shape)], dtype: DType = .f64,
      _ f: ([Expr]) -> Expr
    ) throws -> ONNXExportTests.Case {
      let builder = GraphBuilder()
      let v = try shapes.map { try builder.variable($0.0, $0.1, dtype: dtype) }
      let y = f(v)
      let grads = try gradient(of: sin(y).sum(), wrt: v)
      let graph = try y.graph(names: ["y"] + shapes.map { "d\($0.0)" }, with: grads)
      var point: [String: Tensor] = [:]
      for (k, (name, shape)) in shapes.enumerated() {
        point[name] = Self.tensor(shape) { sin(Double($0 * 7 + k)) }.rounded(to: dtype)
      }
      return ONNXExportTests.Case(label: label, graph: graph, point: point)
    }
    try ONNXExportTests.check([
      withGradient("conv", [("x", [2, 2, 5, 6]), ("w", [4, 2, 3, 2]), ("b", [4])]) {
        conv($0[0], $0[1], bias: $0[2], strides: [2, 1], pads: [1, 0, 1, 2], dilations: [1, 2])
      },
      withGradient("depthwise conv 1-D", [("x", [1, 3, 7]), ("w", [3, 1, 3])]) {
        conv($0[0], $0[1], pads: .same, groups: 3)
      },
      withGradient("conv 3-D", [("x", [1, 1, 4, 3, 3]), ("w", [2, 1, 2, 2, 2])]) {
        conv($0[0], $0[1], strides: [2, 1, 1], pads: [0, 1, 0, 1, 0, 0])
      },
      withGradient("conv_transpose", [("x", [1, 2, 3, 3]), ("w", [2, 2, 3, 3])]) {
        convTranspose($0[0], $0[1], strides: [2, 2], pads: [1, 1, 0, 1], outputPadding: [1, 0])
      },
      withGradient("pools", [("x", [1, 2, 6, 5])]) {
        maxPool($0[0], kernel: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceilMode: true)
          + averagePool(
            $0[0], kernel: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceilMode: true)
      },
      withGradient("global pools", [("x", [2, 3, 4])]) {
        globalAveragePool($0[0]) * globalMaxPool($0[0])
      },
      withGradient("conv f32", [("x", [1, 2, 5, 5]), ("w", [3, 2, 3, 3])], dtype: .f32) {
        conv($0[0], $0[1], strides: [2, 2], pads: .same)
      },
    ])
  }

  /// The Hessian of a small CNN's loss with respect to its convolution kernel is a graph like any
  /// other: conv → tanh → max pool → linear → softmax cross-entropy, its second derivative by
  /// `Graph.derivatives`, each column against central differences of the gradient.
  @Test func hessianOfASmallCNN() throws {
    let builder = GraphBuilder()
    let image = try builder.variable("image", [2, 1, 6, 6])
    let kernel = try builder.variable("kernel", [2, 1, 3, 3])
    let dense = builder.constant(Self.tensor([8, 3]) { sin(Double($0) * 1.3) })
    let labels = builder.constant(Tensor(shape: [2, 3], scalars: [1, 0, 0, 0, 0, 1]))
    let features = maxPool(
      tanh(conv(image, kernel, pads: .same)), kernel: [3, 3], strides: [3, 3])
    let logits = matmul(reshape(features, [2, 8]), dense)
    let loss = -(logsoftmax(logits, axis: 1) * labels).sum()
    let graph = try loss.graph()
    let tower = try graph.derivatives(wrt: ["kernel"], order: 2, simplifying: true)
    let point = [
      "image": Self.tensor([2, 1, 6, 6]) { sin(Double($0) * 0.37) },
      "kernel": Self.tensor([2, 1, 3, 3]) { cos(Double($0) * 0.91) * 0.5 },
    ]
    let values = try tower.graph.evaluate(point)
    #expect(values[2].shape == [2, 1, 3, 3, 2, 1, 3, 3])
    let compiled = try Program(tower.graph).evaluate(point)
    for (a, b) in zip(compiled, values) {
      #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
    }
    let firstOrder = try graph.derivatives(wrt: ["kernel"], order: 1, simplifying: true).graph
    let h = 1e-5
    for j in 0..<18 {
      var plus = point
      var minus = point
      plus["kernel"]!.scalars[j] += h
      minus["kernel"]!.scalars[j] -= h
      let (up, down) = (try firstOrder.evaluate(plus)[1], try firstOrder.evaluate(minus)[1])
      for i in 0..<18 {
        let difference = (up.scalars[i] - down.scalars[i]) / (2 * h)
        let exact = values[2].scalars[i * 18 + j]
        #expect(abs(difference - exact) <= 1e-6 * max(1, abs(exact)), "H[\(i), \(j)]")
      }
    }
  }
}
