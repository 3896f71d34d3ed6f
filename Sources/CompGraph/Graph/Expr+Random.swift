import CKernels

/// Uniform random numbers in [0, 1) of shape `shape`, counter-based (JAX's `random.uniform`
/// with its key split by a counter): element i is Philox4x32-10 (Random123's generator) of the
/// block (i, counter) under `key`,
///
///     u_i = ⌊(w₀ + 2³²·w₁) / 2¹¹⌋ · 2⁻⁵³,   (w₀, w₁, w₂, w₃) = Philox₁₀(key; i, counter)
///
/// so the same key, counter and shape give the same numbers on every run, thread and backend,
/// and each (key, counter) is a fresh stream: a training step passes its step number as the
/// counter. `key` and `counter` are scalars holding integers in [0, 2⁵³) (any other value gives
/// NaN); its derivative with respect to both is zero.
///
/// With `dtype: .f32` the numbers are f32, from the same blocks: the top 24 bits of each,
///
///     u_i = ⌊w₁ / 2⁸⌋ · 2⁻²⁴ = ⌊2²⁴ · u_i(f64)⌋ · 2⁻²⁴,
///
/// the f64 stream's value truncated to a float (rounding it could give 1), so an f32 graph
/// computes in f32 alone and compiles to an f32 plan (the key and counter are cast to f32). In
/// f32 the key, the counter and the element index are integers in [0, 2²⁴), which f32 holds
/// exactly: a larger key or counter (rounded on its way into the graph) gives NaN, and a shape of
/// more than 2²⁴ elements is refused.
///
/// The op is `random_uniform(key, counter, index)`, elementwise over the element index (a
/// constant 0, 1, 2, … of `shape`), with Philox in C (`Sources/CKernels/random.c`) as its
/// kernel in every evaluator. Exports have no spelling for it and refuse it by name.
public func randomUniform(key: Expr, counter: Expr, shape: Shape, dtype: DType = .f64) -> Expr {
  for (name, x) in [("key", key), ("counter", counter)] {
    if let s = x.shape, !s.isEmpty {
      return Expr(
        x.builder,
        .failure(
          .shapeMismatch(
            op: "random_uniform", shapes: [s],
            reason: "is not a scalar: the \(name) is one integer (reshape it to [])")))
    }
  }
  let count = shape.elementCount
  let bits = dtype == .f32 ? 24 : 53
  guard count <= 1 << bits else {
    return Expr(
      key.builder,
      .failure(
        .unsupported(
          "random_uniform: \(shape.shapeDescription) has more than 2^\(bits) elements, the most an \(dtype) stream numbers"
        )))
  }
  let index = key.builder.constant(
    Tensor(shape: shape, scalars: (0..<count).map { Double($0) }, dtype: dtype))
  switch dtype {
  case .f64: return randomUniformOp(key, counter, index)
  case .f32: return randomUniformF32Op(cast(key, .f32), cast(counter, .f32), index)
  }
}

/// The elementwise op behind `randomUniform`: (key, counter, index) ↦ u ∈ [0, 1).
let randomUniformOp = randomOp(cg_random_uniform, cg_random_uniform_batch)

/// The f32 stream's op: (key, counter, index) ↦ u ∈ [0, 1), a float (`randomUniform`).
let randomUniformF32Op = randomOp(cg_random_uniform_f32, cg_random_uniform_f32_batch)

/// A `random_uniform` op with the C kernel `scalar` and its batch form `batch`: values in
/// [0, 1), a zero derivative.
private func randomOp(
  _ scalar: @escaping @Sendable (Double, Double, Double) -> Double,
  _ batch:
    @escaping @Sendable (
      UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?,
      UnsafeMutablePointer<Double>?, Int
    ) -> Void
) -> CustomOp {
  try! CustomOp(
    name: "random_uniform", arity: 3,
    kernel: { x in scalar(x[0], x[1], x[2]) },
    batchKernel: { inputs, out, count in batch(inputs[0], inputs[1], inputs[2], out, count) },
    derivative: { _, x, _ in x[2].constant(0) },
    interval: { _ in Interval(0, 1) })
}
