import CKernels
import Dispatch
import Foundation
import Testing

@testable import CompGraph

/// `randomUniform`: Philox4x32-10 against Random123's known answers and an independent Python
/// implementation bit for bit, the same bits from every evaluator and thread, uniform by
/// χ² and Kolmogorov–Smirnov, a zero derivative, and `Dropout` on it.
@Suite struct RandomTests {
  /// Random123's `tests/kat_vectors`, the three `philox4x32 10` lines: counter, key, result.
  @Test func philoxMatchesRandom123KnownAnswers() {
    let vectors: [([UInt32], [UInt32], [UInt32])] = [
      ([0, 0, 0, 0], [0, 0], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
      (
        [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff], [0xffff_ffff, 0xffff_ffff],
        [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
      ),
      (
        [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0],
        [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
      ),
    ]
    for (counter, key, expected) in vectors {
      var block = counter
      block.withUnsafeMutableBufferPointer { c in
        key.withUnsafeBufferPointer { k in cg_philox4x32_10(c.baseAddress, k.baseAddress) }
      }
      #expect(block == expected, "counter \(counter), key \(key)")
    }
  }

  static func uniform(key: Double, counter: Double, shape: Shape) throws -> Graph {
    let g = GraphBuilder()
    let k = try g.variable("key"), c = try g.variable("counter")
    return try randomUniform(key: k, counter: c, shape: shape).graph(names: ["u"])
  }

  /// Element i of the stream (key, counter) is ⌊Philox words 0–1 / 2¹¹⌋ · 2⁻⁵³, as the Python
  /// peer computes it with integers, for keys and counters past 2³² (both words used).
  @Test(.enabled(if: PythonPeer.shouldRun))
  func streamMatchesPythonBitForBit() throws {
    for (key, counter) in [(0.0, 0.0), (20_240_601, 7), (9_007_199_254_740_991, 4_294_967_297)] {
      let graph = try Self.uniform(key: key, counter: counter, shape: [3, 100])
      let ours = try graph.evaluate(["key": Tensor(key), "counter": Tensor(counter)])[0]
      let request = #"{"philox":{"key":\#(UInt64(key)),"counter":\#(UInt64(counter)),"count":300}}"#
      let json = try PythonPeer.run("transformer_peer.py", input: request)
      let answer = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
      let theirs = (answer["philox"] as! [String]).map { Double(UInt64($0)!) * 0x1p-53 }
      #expect(ours.scalars == theirs, "key \(key), counter \(counter)")
    }
  }

  /// The reference evaluator, the compiled tensor program (its elementwise loops call the
  /// batch kernel), the native backend's request (which runs the tensor program) and eight
  /// threads at once give the same bits, run after run.
  @Test func sameBitsFromEveryEvaluatorAndThread() throws {
    let graph = try Self.uniform(key: 5, counter: 11, shape: [64, 33])
    let point = ["key": Tensor(5), "counter": Tensor(11)]
    let reference = try graph.evaluate(point)[0].scalars.map(\.bitPattern)
    #expect(try graph.evaluate(point)[0].scalars.map(\.bitPattern) == reference)
    for backend in [Program.Backend.interpreter, .native] {
      let program = try Program(graph, backend: backend)
      #expect(try program.evaluate(point)[0].scalars.map(\.bitPattern) == reference)
    }
    let program = try Program(graph)
    let results = UnsafeSendableBox([[UInt64]](repeating: [], count: 8))
    DispatchQueue.concurrentPerform(iterations: 8) { i in
      let bits = (try? program.evaluate(point)[0].scalars.map(\.bitPattern)) ?? []
      results.lock.withLock { results.value[i] = bits }
    }
    for bits in results.value { #expect(bits == reference) }
  }

  /// 10⁵ numbers: in [0, 1), mean ½, χ² over 100 bins below its 0.1% point (148.2 for 99
  /// degrees of freedom), the Kolmogorov–Smirnov distance below its 0.1% point (1.95/√n), and
  /// two counters' streams uncorrelated (|r| < 4/√n).
  @Test func valuesAreUniform() throws {
    let n = 100_000
    let graph = try Self.uniform(key: 3, counter: 0, shape: [n])
    let u = try graph.evaluate(["key": Tensor(3), "counter": Tensor(0)])[0].scalars
    let v = try graph.evaluate(["key": Tensor(3), "counter": Tensor(1)])[0].scalars
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
    let mean = u.reduce(0, +) / Double(n)
    #expect(abs(mean - 0.5) < 4 * (1.0 / 12).squareRoot() / Double(n).squareRoot())
    var bins = [Double](repeating: 0, count: 100)
    for x in u { bins[Int(x * 100)] += 1 }
    let expected = Double(n) / 100
    let chi2 = bins.map { ($0 - expected) * ($0 - expected) / expected }.reduce(0, +)
    #expect(chi2 < 148.2, "χ² = \(chi2)")
    let sorted = u.sorted()
    let ks = sorted.enumerated().map { i, x in
      max(abs(Double(i + 1) / Double(n) - x), abs(x - Double(i) / Double(n)))
    }.max()!
    #expect(ks < 1.95 / Double(n).squareRoot(), "KS distance \(ks)")
    let mv = v.reduce(0, +) / Double(n)
    let cov = zip(u, v).map { ($0 - mean) * ($1 - mv) }.reduce(0, +) / Double(n)
    #expect(abs(cov * 12) < 4 / Double(n).squareRoot(), "correlation \(cov * 12)")
  }

  /// Keys and counters outside the integers of [0, 2⁵³) give NaN; 2⁵³ − 1 is a key.
  @Test func keysOutsideTheIntegersGiveNaN() throws {
    let graph = try Self.uniform(key: 0, counter: 0, shape: [2])
    for bad in [-1, 0.5, 9_007_199_254_740_992, .infinity, .nan] {
      let u = try graph.evaluate(["key": Tensor(bad), "counter": Tensor(0)])[0]
      #expect(u.scalars.allSatisfy { $0.isNaN }, "key \(bad)")
      let w = try graph.evaluate(["key": Tensor(1), "counter": Tensor(bad)])[0]
      #expect(w.scalars.allSatisfy { $0.isNaN }, "counter \(bad)")
    }
    let top = try graph.evaluate(["key": Tensor(9_007_199_254_740_991), "counter": Tensor(0)])[0]
    #expect(top.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
  }

  /// The key and counter must be scalars: the error says which and what to do.
  @Test func aKeyThatIsNotAScalarIsRefused() throws {
    let g = GraphBuilder()
    let k = try g.variable("key", [2]), c = try g.variable("counter")
    #expect(throws: GraphError.self) { try randomUniform(key: k, counter: c, shape: [3]).node() }
    do {
      _ = try randomUniform(key: k, counter: c, shape: [3]).node()
    } catch {
      #expect("\(error)".contains("key is one integer"), "\(error)")
    }
  }

  /// ∂u/∂key = ∂u/∂counter = 0, at every order a sweep builds.
  @Test func derivativeIsZero() throws {
    let g = GraphBuilder()
    let k = try g.variable("key"), c = try g.variable("counter")
    let f = (randomUniform(key: k, counter: c, shape: [4]) * (k + c)).sum()
    let grads = try gradient(of: f, wrt: [k, c])
    let graph = try f.graph(names: ["f", "dk", "dc"], with: grads)
    let values = try graph.evaluate(["key": Tensor(2), "counter": Tensor(9)])
    let u = try Self.uniform(key: 2, counter: 9, shape: [4]).evaluate([
      "key": Tensor(2), "counter": Tensor(9),
    ])[0].scalars
    // f = Σu·(k + c): its derivative is Σu in both, the random numbers held fixed.
    let total = u.reduce(0, +)
    #expect(abs(values[1].scalars[0] - total) <= 1e-15 * total)
    #expect(abs(values[2].scalars[0] - total) <= 1e-15 * total)
  }

  /// Dropout zeroes about p of the elements in training and scales the rest by 1/(1 − p), is
  /// the identity at evaluation, and its gradient is the same mask and scale.
  @Test func dropoutDropsAFractionAndIsOffAtEvaluation() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", [200, 50])
    let randomness = Randomness(key: try g.variable("key"), counter: try g.variable("counter"))
    let dropout = Dropout("dropout", rate: 0.25)
    let y = dropout(x, randomness)
    let dx = try gradient(of: (y * y).sum() * 0.5, wrt: [x])[0]
    let graph = try y.graph(names: ["y", "dx", "evaluation"], with: [dx, dropout(x, nil)])
    let ones = Tensor(repeating: 1, shape: [200, 50])
    let values = try graph.evaluate(["x": ones, "key": Tensor(1), "counter": Tensor(0)])
    let kept = values[0].scalars.filter { $0 != 0 }
    #expect(kept.allSatisfy { $0 == 1 / 0.75 })
    let dropped = 1 - Double(kept.count) / 10_000
    #expect(abs(dropped - 0.25) < 4 * (0.25 * 0.75 / 10_000).squareRoot(), "dropped \(dropped)")
    // (½Σy²)′ = y·∂y/∂x = mask·s² where kept.
    #expect(zip(values[1].scalars, values[0].scalars).allSatisfy { $0 == $1 * $1 })
    #expect(values[2] == ones)
    let next = try graph.evaluate(["x": ones, "key": Tensor(1), "counter": Tensor(1)])
    #expect(next[0] != values[0], "the next counter draws another mask")
  }

  /// The f32 stream is the f64 stream truncated to floats, ⌊2²⁴u⌋/2²⁴, element for element, for
  /// the same key and counter (both below 2²⁴); the compiled f32 program gives the same bits; a
  /// key or counter of 2²⁴ or more, or a fraction, gives NaN; a shape of more than 2²⁴ elements
  /// is refused by name.
  @Test func theF32StreamIsTheF64StreamTruncated() throws {
    let g = GraphBuilder()
    let k = try g.variable("key"), c = try g.variable("counter")
    let u64 = randomUniform(key: k, counter: c, shape: [64, 64])
    let u32 = randomUniform(key: k, counter: c, shape: [64, 64], dtype: .f32)
    #expect(u32.dtype == .f32)
    let graph = try u64.graph(names: ["u64", "u32"], with: [u32])
    for (key, counter) in [(0.0, 0.0), (16_777_215, 7), (20_240_6, 16_777_215)] {
      let point = ["key": Tensor(key), "counter": Tensor(counter)]
      let values = try graph.evaluate(point)
      #expect(values[1].dtype == .f32)
      let truncated = values[0].scalars.map { ($0 * 0x1p24).rounded(.down) * 0x1p-24 }
      #expect(values[1].scalars == truncated, "key \(key), counter \(counter)")
      #expect(values[1].scalars.allSatisfy { $0 >= 0 && $0 < 1 && Double(Float($0)) == $0 })
      let f32Only = try u32.graph(names: ["u32"])
      let program = try Program(f32Only)
      #expect(program.tensorPlan?.dtype == .f32)
      #expect(try program.evaluate(point)[0].scalars == values[1].scalars)
    }
    for (key, counter) in [(16_777_216.0, 0.0), (1, 16_777_216), (0.5, 1), (-1, 0)] {
      let values = try graph.evaluate(["key": Tensor(key), "counter": Tensor(counter)])
      let nan = values[1].scalars.allSatisfy { $0.isNaN }
      #expect(nan, "key \(key), counter \(counter)")
    }
    #expect {
      try randomUniform(key: k, counter: c, shape: [4097, 4096], dtype: .f32).node()
    } throws: { "\($0)".contains("more than 2^24 elements") }
  }

  /// Dropout on f32 values draws an f32 stream from f64 key and counter variables, so its graph
  /// and gradient compute in f32 alone and compile to an f32 plan with the reference's bits; its
  /// mask is the f64 dropout's except where u is within 2⁻²⁴ below p.
  @Test func f32DropoutCompilesToAnF32Plan() throws {
    func build(_ dtype: DType) throws -> Graph {
      let g = GraphBuilder()
      let x = try g.variable("x", [100, 40], dtype: dtype)
      let randomness = Randomness(key: try g.variable("key"), counter: try g.variable("counter"))
        .stream(1, of: 3)
      let y = Dropout("dropout", rate: 0.3)(x, randomness)
      let dx = try gradient(of: (y * y).sum() * 0.5, wrt: [x])[0]
      return try y.graph(names: ["y", "dx"], with: [dx])
    }
    let single = try build(.f32), double = try build(.f64)
    let program = try Program(single)
    #expect(program.tensorPlan?.dtype == .f32)
    let ones = Tensor(repeating: 1, shape: [100, 40])
    let point = ["x": ones, "key": Tensor(9), "counter": Tensor(41)]
    let got = try program.evaluate(point)
    let expected = try single.evaluate(point)
    #expect(got.map(\.scalars) == expected.map(\.scalars))
    let wide = try double.evaluate(point)
    let differing = zip(got[0].scalars, wide[0].scalars).filter { ($0 == 0) != ($1 == 0) }
    #expect(differing.count <= 1, "\(differing.count) mask elements differ from f64's")
    #expect(Float(got[0].scalars.first { $0 != 0 }!) == Float(1 / 0.7))
  }
}

/// A value shared by `concurrentPerform`'s workers under a lock.
final class UnsafeSendableBox<T>: @unchecked Sendable {
  let lock = NSLock()
  var value: T
  init(_ value: T) { self.value = value }
}
