import Foundation

extension TensorPlan {
  /// Runs every step; `inputs[k]` holds input k's elements (never written),
  /// `arena` holds `arenaCount` doubles and `scratch` `scratchCount`.
  /// `output(k, pointer)` is called for each output once the steps are done;
  /// the pointer is valid during the call only.  Returns the first matrix a
  /// linear-algebra step could not compute (its result is NaN), as an error.
  func run(
    inputs: [UnsafePointer<Double>], arena: UnsafeMutablePointer<Double>,
    scratch: UnsafeMutablePointer<Double>, output: (Int, UnsafePointer<Double>) -> Void
  ) -> GraphError? {
    var failure: GraphError?
    constants.withUnsafeBufferPointer { pool in
      var bases = [arena, UnsafeMutablePointer(mutating: pool.baseAddress!)]
      bases += inputs.map { UnsafeMutablePointer(mutating: $0) }
      bases.withUnsafeBufferPointer { bases in
        let table = BufferTable(bases: bases)
        for step in steps {
          switch step {
          case .elementwise(let loop):
            loop.run(table, scratch: scratch)
          case .contraction(let contraction, let inputs, let result, let count):
            contraction.run(
              table[inputs[0]], inputs.count > 1 ? table[inputs[1]] : nil, into: table[result],
              count: count)
          case .axis(let axis, let input, let result):
            axis.run(table[input], into: table[result])
          case .matrix(let f, let inputs, let result):
            let failed = f.run(
              inputs.map { UnsafePointer(table[$0.0]) }, shapes: inputs.map(\.1),
              into: table[result])
            if failure == nil, let failed {
              failure = failed.error(of: f, batch: Array(inputs[0].1.dropLast(2)))
            }
          case .reference(let op, let inputs, let result, let shape):
            let values = inputs.map { buffer, shape in
              Tensor(
                shape: shape,
                scalars: Array(UnsafeBufferPointer(start: table[buffer], count: shape.elementCount))
              )
            }
            let value = op.apply(values, shape: shape)
            value.scalars.withUnsafeBufferPointer { source in
              if let start = source.baseAddress {
                table[result].update(from: start, count: source.count)
              }
            }
          }
        }
        for (k, out) in outputs.enumerated() { output(k, table[out.buffer]) }
      }
    }
    return failure
  }
}

/// The storage a tensor program runs in, laid out once and kept between
/// runs: the arena then the scratch registers, 64-byte aligned, allocated
/// on the first run.  One run at a time uses it; a concurrent run gets
/// storage of its own.
final class TensorWorkspace: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: UnsafeMutablePointer<Double>?
  private let arenaCount: Int
  private let scratchCount: Int

  init(arenaCount: Int, scratchCount: Int) {
    self.arenaCount = arenaCount
    self.scratchCount = scratchCount
  }

  deinit { storage?.deallocate() }

  /// Calls `body` with the arena and the scratch.
  func with<R>(_ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> R) -> R {
    if lock.try() {
      defer { lock.unlock() }
      let base =
        storage
        ?? UnsafeMutableRawPointer.allocate(
          byteCount: max(1, arenaCount + scratchCount) * 8, alignment: 64
        ).bindMemory(to: Double.self, capacity: max(1, arenaCount + scratchCount))
      storage = base
      return body(base, base + arenaCount)
    }
    let spare = TensorWorkspace(arenaCount: arenaCount, scratchCount: scratchCount)
    return spare.with(body)
  }
}
