import CKernels

// A `CG_CALL`'s context is a `CustomOp`, which is immutable and `Sendable`: code holding it can
// cross tasks like the rest of a compiled program.
extension cg_instruction: @unchecked @retroactive Sendable {}
extension cg_group: @unchecked @retroactive Sendable {}

/// The kernel that computes `op` on scalar inputs, and the constant it needs:
/// the one table both lowerings of `ScalarProgram` (register code and the point
/// plan) read.  An elementwise op with a spelling row has its row's kernel; a sum or product
/// gives its binary step; a contraction of scalars is their product; summing or broadcasting a
/// scalar copies it. Leaves have no kernel; a custom op is `CG_CALL` (see `customCall`).
func scalarKernel(_ op: Op, arity: Int) -> (code: cg_code, c: Double)? {
  switch op.written {
  case .row: elementwiseCodes[Int(op.kind.rawValue)].map { ($0, 0) }
  case .custom: (CG_CALL, 0)
  case .variable, .constant: nil
  case .add: arity == 1 ? (CG_COPY, 0) : (CG_ADD, 0)
  case .mul, .structure(.einsum): arity == 1 ? (CG_COPY, 0) : (CG_MUL, 0)
  case .structure(.sumTo), .structure(.broadcastTo), .structure(.reshape): (CG_COPY, 0)
  // A plan stores one type: a cast reaching a kernel converts f64 to f64, or, in an f32 plan,
  // reads an f32 value (an f64 variable's is rounded to f32 where the plan stages its inputs).
  case .cast: (CG_COPY, 0)
  // Their input or output has an axis, so they are never in a scalar graph.
  case .structure(.reduceMax), .structure(.slice), .structure(.pad), .structure(.oneHot),
    .structure(.patches), .structure(.unpatches):
    nil
  case .structure(.matrix): nil  // matrices
  case .structure(.scan): nil  // a packed vector
  case .pow(let c): powerKernel(c)
  }
}

/// The kinds with a spelling row, in the order of their kernels in `cg_elementwise.h`: they are
/// the first codes of `cg_code` (0, 1, …).
let elementwiseKinds = Op.Kind.allCases.filter { $0.spelling != nil }

/// Each kind's code in `cg_code`, by raw value; `nil` for kinds without a spelling row.
private let elementwiseCodes: [cg_code?] = Op.Kind.allCases.map { kind in
  elementwiseKinds.firstIndex(of: kind).map { cg_code(UInt32($0)) }
}

/// The text of `Sources/CKernels/include/cg_elementwise.h`: the rows' kernels as an X-macro
/// that `ckernels.h` (the codes), `kernels.c` (both f64 kernels' cases) and `kernels_f32.c` (the
/// f32 kernel's, from the rows' `kernelF32`) expand, so that the C side reads the spelling table
/// too.  `SpellingTableTests` checks the file holds this text.
func elementwiseKernelHeader() -> String {
  var text = """
    // Generated from the spelling table (Sources/CompGraph/Graph/Op+Spelling.swift): do not
    // edit. After changing a row, rewrite it with
    //   COMPGRAPH_WRITE_KERNELS=1 swift test --filter SpellingTableTests
    // OP(code, arity, loop, expression, f32) for each elementwise op: the expression computes
    // it on the double operands X, Y, Z, and f32 on float ones (kernels_f32.c); loop is LANES
    // where it vectorises, CALLS for libm calls.
    #define CG_ELEMENTWISE(OP) \\

    """
  for kind in elementwiseKinds {
    guard let row = kind.spelling else { continue }
    let code = "CG_" + kind.name.uppercased()
    let expression = row.kernel.filled(["X", "Y", "Z"])
    let f32 = row.kernelF32.filled(["X", "Y", "Z"])
    let last = kind == elementwiseKinds.last
    let loop = row.vectorises ? "LANES" : "CALLS"
    text += "  OP(\(code), \(kind.arity.minimum), \(loop), \(expression), \(f32))"
    text += last ? "\n" : " \\\n"
  }
  return text
}

/// The kernel that computes xᶜ for a constant exponent c, and the constant it
/// needs: x², x³, 1/x, √x and 1/√x have their own codes, other integer powers
/// up to |c| = 127 use binary powering (vectorisable, exact for small
/// integers), anything else calls `pow`.
private func powerKernel(_ c: Double) -> (code: cg_code, c: Double) {
  switch c {
  case 1: (CG_COPY, 0)
  case 2: (CG_SQUARE, 0)
  case 3: (CG_CUBE, 0)
  case -1: (CG_RECIP, 0)
  case 0.5: (CG_SQRT, 0)
  case -0.5: (CG_RSQRT, 0)
  case -127...127 where c == c.rounded(): (CG_POWI, c)
  default: (CG_POW, c)
  }
}

/// The kernel and context of a `CG_CALL` instruction or group for `op`: the C entry that runs
/// every custom op's kernel, and the op itself (unretained: the compiled program keeps its ops).
/// `nil`s for every other op.
func customCall(_ op: Op) -> (call: cg_kernel?, context: UnsafeRawPointer?) {
  guard case .custom(let custom) = op else { return (nil, nil) }
  return (runCustomKernel, UnsafeRawPointer(Unmanaged.passUnretained(custom).toOpaque()))
}

/// The custom ops of `graph`, which its compiled code calls by address.
func customOps(of graph: Graph) -> [CustomOp] {
  graph.ids.compactMap { if case .custom(let op) = graph.op($0) { op } else { nil } }
}

/// The C entry of every custom op's kernel: `context` is the `CustomOp`.
private let runCustomKernel: cg_kernel = { context, a, b, d, out, length in
  Unmanaged<CustomOp>.fromOpaque(context!).takeUnretainedValue().run(a!, b, d, out!, length)
}
