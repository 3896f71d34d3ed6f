import Foundation

extension TensorPlan {
  /// Runs every step on elements of type `T` (the plan's `dtype`); `inputs[k]`
  /// holds input k's elements (never written), `arena` holds `arenaCount`
  /// elements and `scratch` `scratchCount`.  `output(k, pointer)` is called
  /// for each output once the steps are done; the pointer is valid during the
  /// call only.  Returns the first matrix a linear-algebra step could not
  /// compute (its result is NaN), as an error.
  func run<T: PlanElement>(
    inputs: [UnsafePointer<T>], arena: UnsafeMutablePointer<T>,
    scratch: UnsafeMutablePointer<T>, output: (Int, UnsafePointer<T>) -> Void
  ) -> GraphError? {
    var failure: GraphError?
    withConstants(as: T.self) { pool in
      var bases = [UnsafeMutableRawPointer(arena), UnsafeMutableRawPointer(mutating: pool)]
      bases += inputs.map { UnsafeMutableRawPointer(mutating: $0) }
      bases.withUnsafeBufferPointer { bases in
        let table = BufferTable(bases: bases)
        for step in steps {
          switch step {
          case .elementwise(let loop):
            loop.run(table, scratch: scratch)
          case .contraction(let contraction, let inputs, let result, let count):
            contraction.run(
              table.pointer(inputs[0], as: T.self),
              inputs.count > 1 ? table.pointer(inputs[1], as: T.self) : nil,
              into: table.pointer(result, as: T.self), count: count)
          case .axis(let axis, let input, let result):
            axis.run(table.pointer(input, as: T.self), into: table.pointer(result, as: T.self))
          case .matrix(let f, let inputs, let result):
            // LAPACK's f64 kernels: only f64 plans have these steps (an f32 plan runs a
            // linear-algebra op as a reference step).
            let failed = f.run(
              inputs.map { UnsafePointer(table.pointer($0.0, as: Double.self)) },
              shapes: inputs.map(\.1), into: table.pointer(result, as: Double.self))
            if failure == nil, let failed {
              failure = failed.error(of: f, batch: Array(inputs[0].1.dropLast(2)))
            }
          case .reference(let op, let inputs, let result, let shape):
            // The evaluator's own semantics, in doubles; an f32 result is rounded once.
            let values = inputs.map { buffer, shape in
              Tensor(
                shape: shape,
                scalars: UnsafeBufferPointer(
                  start: table.pointer(buffer, as: T.self), count: shape.elementCount
                ).map(Double.init))
            }
            let out = table.pointer(result, as: T.self)
            for (i, value) in op.apply(values, shape: shape).scalars.enumerated() {
              out[i] = T(value)
            }
          }
        }
        for (k, out) in outputs.enumerated() { output(k, table.pointer(out.buffer, as: T.self)) }
      }
    }
    return failure
  }

  /// Calls `body` with the constant pool's address, in elements of type `T`.
  private func withConstants<T: PlanElement, R>(as _: T.Type, _ body: (UnsafeRawPointer) -> R)
    -> R
  {
    switch T.dtype {
    case .f32: constantsF32.withUnsafeBytes { body($0.baseAddress!) }
    case .f64: constants.withUnsafeBytes { body($0.baseAddress!) }
    }
  }
}

/// The storage a tensor program runs in, laid out once and kept between
/// runs: the arena, the scratch registers and (for a plan that stages its
/// inputs in another type) the staged inputs, 64-byte aligned, allocated on
/// the first run.  One run at a time uses it; a concurrent run gets storage
/// of its own.
final class TensorWorkspace: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: UnsafeMutableRawPointer?
  private let arenaCount: Int
  private let scratchCount: Int
  private let stagingCount: Int
  private let elementSize: Int

  init(arenaCount: Int, scratchCount: Int, stagingCount: Int = 0, dtype: DType = .f64) {
    self.arenaCount = arenaCount
    self.scratchCount = scratchCount
    self.stagingCount = stagingCount
    self.elementSize = dtype.byteCount
  }

  deinit { storage?.deallocate() }

  /// Calls `body` with the arena, the scratch and the staging area, in
  /// elements of type `T` (the type the workspace was made for).
  func with<T: PlanElement, R>(
    _: T.Type,
    _ body: (UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>) -> R
  ) -> R {
    if lock.try() {
      defer { lock.unlock() }
      let count = max(1, arenaCount + scratchCount + stagingCount)
      let raw =
        storage ?? UnsafeMutableRawPointer.allocate(byteCount: count * elementSize, alignment: 64)
      storage = raw
      let base = raw.bindMemory(to: T.self, capacity: count)
      return body(base, base + arenaCount, base + arenaCount + scratchCount)
    }
    let spare = TensorWorkspace(
      arenaCount: arenaCount, scratchCount: scratchCount, stagingCount: stagingCount,
      dtype: T.dtype)
    return spare.with(T.self, body)
  }
}
