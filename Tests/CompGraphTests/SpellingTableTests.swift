import Foundation
import Testing

@testable import CompGraph

/// The spelling table (`Op.Kind.spelling`, `Graph/Op+Spelling.swift`): every elementwise op that
/// the writers do not spell by rules of their own has a row, each row spells each of its
/// operands in every language, and `Program`'s C kernels are the rows' (`cg_elementwise.h`). What
/// each spelling computes is checked where it runs: `ExportEveryOpTests` (NumPy, JAX, C),
/// `ONNXExportTests` (onnxruntime) and the per-op table (`Program`'s kernels).
@Suite struct SpellingTableTests {
  /// The elementwise kinds written by rules of their own (operators, casts, a custom op's own
  /// spellings), which have no row.
  static let ownRules: Set<Op.Kind> = [.add, .mul, .pow, .cast, .custom]

  @Test func everyElementwiseOpHasARow() {
    for kind in Op.Kind.allCases {
      let expected = kind.isElementwise && !Self.ownRules.contains(kind)
      #expect((kind.spelling != nil) == expected, "\(kind.name)")
    }
  }

  /// What a row lacks: a language in which it does not write each operand once at least (an
  /// empty spelling, one for fewer operands) or writes one the op does not have, an ONNX spelling
  /// that does not read each operand, a libm function its C text does not call, or a name that
  /// is not reserved in emitted C.
  static func missing(_ row: Spelling, arity: Int) -> [String] {
    let operands = Set(0..<arity)
    var missing: [String] = []
    for format in TextFormat.allCases where Set(row.template(format).operands) != operands {
      missing.append("\(format)")
    }
    if Set(row.kernel.operands) != operands { missing.append("kernel") }
    switch row.onnx {
    case .op(let name) where name.first?.isUppercase != true: missing.append("onnx")
    case .composition(let lines)
    where !operands.allSatisfy({ k in lines.contains { $0.contains("$\(k)") } }):
      missing.append("onnx")
    case .op, .composition: break
    }
    if let libm = row.libm,
      !row.c.filled((0..<arity).map { "x\($0)" }).contains("\(libm)(") || !CNames.isReserved(libm)
    {
      missing.append("libm")
    }
    return missing
  }

  @Test func everyRowHasEverySpelling() {
    for kind in Op.Kind.allCases {
      guard let row = kind.spelling else { continue }
      #expect(Self.missing(row, arity: kind.arity.minimum) == [], "\(kind.name)")
    }
  }

  /// The check above fails for a row that lacks a spelling.
  @Test func aRowMissingASpellingFails() {
    let partial = Spelling(
      .atan2, libm: "atan2", latex: #"\operatorname{atan2}\left($0\right)"#, numpy: "",
      onnx: .composition(["Atan($0)"]), kernel: "atan2($0, $1)", vectorises: false)
    #expect(Self.missing(partial, arity: 2) == ["latex", "python", "jax", "onnx"])
  }

  /// The rows' templates: operands in their places, the binding of the whole, repetition.
  @Test func templates() {
    let power = Template("power: $^0**$^1")
    #expect(power.level == .power)
    #expect(power.pieces == [.operand(0, .atom), .text("**"), .operand(1, .atom)])
    let log1p = Template(#"\ln\left(1 + $+0\right)"#)
    #expect(log1p.level == .atom)
    #expect(log1p.pieces == [.text(#"\ln\left(1 + "#), .operand(0, .term), .text(#"\right)"#)])
    #expect(Template("where($=0, $1)").operands == [0, 1])
    #expect(Template("$5 costs $x").pieces == [.operand(5, .argument), .text(" costs $x")])
    #expect(Op.Kind.sign.spelling?.c.repeatsAnOperand == true)
    #expect(Op.Kind.less.spelling?.c.repeatsAnOperand == false)
    #expect(Op.Kind.erf.spelling?.numpy.modules == ["np", "math"])
    #expect(Op.Kind.erf.spelling?.jax.modules == ["jax.scipy.special"])
    #expect(Op.Kind.exp.spelling?.jax.filled(["x"]) == "jnp.exp(x)")
  }

  /// The C text of `sign`, `max` and `min` reads each operand several times, so an operation
  /// there is named (`repeatedInC`), and the Python texts import what their spellings call.
  @Test func textsReadTheTable() throws {
    let g = GraphBuilder()
    let x = try g.variable("x"), y = try g.variable("y")
    let graph = try (sign(x * y) + erf(x)).graph()
    let c = try graph.text(.c)
    #expect(
      c
        == "const double t1 = x*y;\nout[0] = (t1 > 0 ? 1.0 : (t1 < 0 ? -1.0 : (t1 == 0 ? 0.0 : t1))) + erf(x);  /* f */\n"
    )
    #expect(try graph.text(.python).hasPrefix("import numpy as np\nimport math\n"))
    #expect(try graph.text(.jax).hasPrefix("import jax.numpy as jnp\nimport jax.scipy.special\n"))
  }

  /// `Sources/CKernels/include/cg_elementwise.h` is the table's kernels, generated; with
  /// `COMPGRAPH_WRITE_KERNELS=1` this test rewrites it first.
  @Test func kernelHeaderIsTheTables() throws {
    let url = PythonPeer.packageRoot.appendingPathComponent(
      "Sources/CKernels/include/cg_elementwise.h")
    let generated = elementwiseKernelHeader()
    if ProcessInfo.processInfo.environment["COMPGRAPH_WRITE_KERNELS"] == "1" {
      try generated.write(to: url, atomically: true, encoding: .utf8)
    }
    #expect(
      try String(contentsOf: url, encoding: .utf8) == generated,
      "cg_elementwise.h is not the spelling table's kernels: rewrite it with COMPGRAPH_WRITE_KERNELS=1 swift test --filter SpellingTableTests, then rebuild"
    )
    // Each kind's code is its line's: the codes are the lines in order.
    for (k, kind) in elementwiseKinds.enumerated() {
      let op = Op.callable[kind.name] ?? Comparison.allCases.first { $0.op.kind == kind }?.op
      guard let op else { continue }
      #expect(scalarKernel(op, arity: kind.arity.minimum)?.code.rawValue == UInt32(k))
    }
  }
}
