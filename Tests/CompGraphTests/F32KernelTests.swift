import CKernels
import Foundation
import Testing

@testable import CompGraph

/// The f32 kernels (`cg_run_f32`, `Sources/CKernels/kernels_f32.c`), whose elementwise cases are
/// the spelling table's f32 column (`Spelling.kernelF32`): each within its row's stated ulps of
/// the f64 kernel's value rounded to f32.
@Suite struct F32KernelTests {
  /// Every row's f32 kernel against its f64 kernel (`cg_run` on the widened operands, rounded
  /// once), at 2¹⁶ operand tuples of random float bit patterns (every binade, NaN and ±∞
  /// included), a grid over [−8, 8] and the edges: within the row's `ulpsF32`, which is 0 for
  /// all but exp and ln (1) and tanh (2).  Measured (this test, once with 2²² tuples): exp 1, ln
  /// 1, tanh 2 ulps; every other row 0 (bit-identical).
  @Test(arguments: elementwiseKinds)
  func everyRowsF32KernelIsWithinItsStatedUlps(_ kind: Op.Kind) throws {
    let row = try #require(kind.spelling)
    let tuples = Self.operandTuples(arity: kind.arity.minimum, count: 1 << 16)
    // The rows' codes are their places in the table (`cg_elementwise.h`).
    let code = cg_code(UInt32(try #require(elementwiseKinds.firstIndex(of: kind))))
    let (single, double) = Self.run(code, tuples)
    var worst = 0
    var worstAt: [Float] = []
    for (k, tuple) in tuples.enumerated() {
      let distance = Self.ulps(single[k], Float(double[k]))
      if distance > worst { (worst, worstAt) = (distance, tuple) }
    }
    #expect(
      worst <= row.ulpsF32,
      "\(kind.name): \(worst) ulps at \(worstAt) (stated \(row.ulpsF32))")
  }

  /// `count` random tuples of `arity` floats, then a grid over [−8, 8] and the edges in every
  /// place.
  static func operandTuples(arity: Int, count: Int) -> [[Float]] {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    func next() -> Float {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
    }
    let edges: [Float] = [
      0, -0.0, 1, -1, 0.5, -0.5, .leastNonzeroMagnitude, .leastNormalMagnitude, .infinity,
      -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 88.72, -103.97,
    ]
    var tuples = (0..<count).map { _ in (0..<arity).map { _ in next() } }
    let grid = stride(from: Float(-8), through: 8, by: 1.0 / 64)
    tuples += grid.map { x in (0..<arity).map { $0 == 0 ? x : Float(0.75) - x / 3 } }
    for e in edges {
      for place in 0..<arity { tuples.append((0..<arity).map { $0 == place ? e : Float(0.25) }) }
    }
    return tuples
  }

  /// One instruction of `code` over the tuples, in `cg_run_f32` and in `cg_run` on the widened
  /// operands.
  static func run(_ code: cg_code, _ tuples: [[Float]]) -> (single: [Float], double: [Double]) {
    let n = tuples.count
    let singles = (0..<4).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n) }
    let doubles = (0..<4).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: n) }
    defer {
      singles.forEach { $0.deallocate() }
      doubles.forEach { $0.deallocate() }
    }
    for (i, tuple) in tuples.enumerated() {
      for k in 0..<3 {
        singles[k][i] = k < tuple.count ? tuple[k] : 0
        doubles[k][i] = Double(singles[k][i])
      }
    }
    var instruction = cg_instruction(
      code: Int32(code.rawValue), target: 3, a: 0, b: 1, d: 2, c: 0, call: nil, context: nil)
    singles.map(Optional.some).withUnsafeBufferPointer {
      cg_run_f32(&instruction, 1, $0.baseAddress, n)
    }
    doubles.map(Optional.some).withUnsafeBufferPointer {
      cg_run(&instruction, 1, $0.baseAddress, n)
    }
    return (
      Array(UnsafeBufferPointer(start: singles[3], count: n)),
      Array(UnsafeBufferPointer(start: doubles[3], count: n))
    )
  }

  /// ulps between two floats (0 for two NaNs).
  static func ulps(_ a: Float, _ b: Float) -> Int {
    if a.isNaN && b.isNaN || a == b { return 0 }
    if a.isNaN || b.isNaN { return .max }
    func ordered(_ f: Float) -> Int {
      let bits = Int(Int32(bitPattern: f.bitPattern))
      return bits < 0 ? Int(Int32.min) - bits : bits
    }
    return abs(ordered(a) - ordered(b))
  }

  /// The float exp, log and tanh of the f32 kernels against the correctly
  /// rounded value (the f64 C library's, rounded to f32) at 2²¹ floats spread
  /// over every binade (random bit patterns) and at the edges: exp and log
  /// within 1 ulp, tanh within 2 (F32 kernels' stated accuracy in
  /// `cg_math_f32.h` and the rows' `ulpsF32`; every float was checked once, with the same bounds).
  @Test func floatKernelsAreWithinTheirStatedUlps() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var samples: [Float] = [
      0, -0.0, 1, -1, .leastNonzeroMagnitude, .leastNormalMagnitude, 88.72, 88.73, -103.97,
      -87.3, 9, -9, 1e-30, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, 0x1p-24,
    ]
    for _ in 0..<(1 << 21) {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32)))
    }
    var worst = (exp: 0, log: 0, tanh: 0)
    for x in samples {
      worst.exp = max(worst.exp, Self.ulps(cg_expf(x), Float(Foundation.exp(Double(x)))))
      worst.log = max(worst.log, Self.ulps(cg_logf(x), Float(Foundation.log(Double(x)))))
      worst.tanh = max(worst.tanh, Self.ulps(cg_tanhf(x), Float(Foundation.tanh(Double(x)))))
    }
    #expect(worst.exp <= 1)
    #expect(worst.log <= 1)
    #expect(worst.tanh <= 2)
    #expect(cg_tanhf(-0.0).sign == .minus)
    #expect(cg_logf(0) == -.infinity && cg_logf(-1).isNaN && cg_expf(-.infinity) == 0)
  }
}
