import CKernels

// A `CG_CALL`'s context is a `CustomOp`, which is immutable and `Sendable`: code holding it can
// cross tasks like the rest of a compiled program.
extension cg_instruction: @unchecked @retroactive Sendable {}
extension cg_group: @unchecked @retroactive Sendable {}

/// The kernel that computes `op` on scalar inputs, and the constant it needs:
/// the one table both lowerings of `Program` (register code and the point
/// plan) read.  A sum or product gives its binary step; a contraction of
/// scalars is their product; summing or broadcasting a scalar copies it.
/// Leaves have no kernel; a custom op is `CG_CALL` (see `customCall`).
func scalarKernel(_ op: Op, arity: Int) -> (code: cg_code, c: Double)? {
  switch op {
  case .custom: (CG_CALL, 0)
  case .variable, .constant: nil
  case .add: arity == 1 ? (CG_COPY, 0) : (CG_ADD, 0)
  case .mul, .einsum: arity == 1 ? (CG_COPY, 0) : (CG_MUL, 0)
  case .sumTo, .broadcastTo, .reshape: (CG_COPY, 0)
  // A plan stores one type: a cast reaching a kernel converts f64 to f64, or, in an f32 plan,
  // reads an f32 value (an f64 variable's is rounded to f32 where the plan stages its inputs).
  case .cast: (CG_COPY, 0)
  // Their input or output has an axis, so they are never in a scalar graph.
  case .reduceMax, .slice, .pad, .oneHot: nil
  case .solve, .inverse, .determinant, .cholesky, .triangularSolve, .logdet: nil  // matrices
  case .pow(let c): powerKernel(c)
  case .power: (CG_POWXY, 0)
  case .exp: (CG_EXP, 0)
  case .ln: (CG_LN, 0)
  case .sqrt: (CG_SQRT, 0)
  case .sin: (CG_SIN, 0)
  case .cos: (CG_COS, 0)
  case .tanh: (CG_TANH, 0)
  case .abs: (CG_ABS, 0)
  case .sign: (CG_SIGN, 0)
  case .maximum: (CG_MAX, 0)
  case .minimum: (CG_MIN, 0)
  case .less: (CG_LT, 0)
  case .lessEqual: (CG_LE, 0)
  case .greater: (CG_GT, 0)
  case .greaterEqual: (CG_GE, 0)
  case .equal: (CG_EQ, 0)
  case .select: (CG_WHERE, 0)
  case .tan: (CG_TAN, 0)
  case .atan: (CG_ATAN, 0)
  case .asin: (CG_ASIN, 0)
  case .acos: (CG_ACOS, 0)
  case .sinh: (CG_SINH, 0)
  case .cosh: (CG_COSH, 0)
  case .erf: (CG_ERF, 0)
  case .log1p: (CG_LOG1P, 0)
  case .expm1: (CG_EXPM1, 0)
  case .cbrt: (CG_CBRT, 0)
  case .atan2: (CG_ATAN2, 0)
  }
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
