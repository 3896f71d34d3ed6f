import CKernels
import Dispatch
import Foundation

/// A fused region of elementwise ops as one loop over its output shape.
///
/// The region's ops run as the register code of `ScalarProgram` (the
/// vectorised kernels of `Sources/CKernels/`), each register holding one
/// chunk of lanes: the values between the ops live only in those chunk
/// registers, never in tensors.  An input of the region's shape is read in
/// place; a smaller one (a bias row, a scalar) is broadcast into its
/// register one chunk at a time (`BroadcastRead`), so no broadcast is
/// materialised.  Values the rest of the plan reads are stored from their
/// registers at the end of each chunk, so a store may overwrite an input
/// that dies here: every lane of a chunk is read before any is written.
struct ElementwiseLoop: Sendable {
  /// One input: register `register` reads `buffer`, in place or broadcast.
  struct Load: Sendable {
    var register: Int32
    var buffer: BufferRef
    var broadcast: BroadcastRead?
  }

  /// The number of lanes (the output shape's element count).
  let count: Int
  let code: [cg_instruction]
  /// Scratch registers `0..<scratchRegisters`; loads use the registers after them.
  let scratchRegisters: Int
  let loads: [Load]
  let stores: [(register: Int32, buffer: BufferRef)]
  /// Lanes per chunk.
  let chunk: Int
  /// Threads the loop is split across (1 for small tensors).
  let workers: Int

  /// Loops at least this large are split across the machine's cores; below,
  /// starting a second thread costs more than the work it takes over.
  static let parallelThreshold = 1 << 15

  init(
    count: Int, code: [cg_instruction], scratchRegisters: Int, loads: [Load],
    stores: [(register: Int32, buffer: BufferRef)]
  ) {
    self.count = count
    self.code = code
    self.scratchRegisters = scratchRegisters
    self.loads = loads
    self.stores = stores
    // A chunk's registers should stay in the L1/L2 cache.
    let registers = max(1, scratchRegisters + loads.count)
    chunk = max(64, min(1024, 65_536 / registers, count))
    let chunks = (count + chunk - 1) / chunk
    workers =
      count >= Self.parallelThreshold
      ? max(1, min(processorCount, chunks)) : 1
  }

  /// Elements of scratch one worker needs.
  var scratchCount: Int { (scratchRegisters + loads.count) * chunk }

  /// Runs the loop on elements of type `T` (the register code through
  /// `T.run`); `scratch` holds `workers · scratchCount` of them.
  func run<T: PlanElement>(_ buffers: BufferTable, scratch: UnsafeMutablePointer<T>) {
    let chunks = (count + chunk - 1) / chunk
    if workers == 1 {
      runChunks(buffers, scratch: scratch, from: 0, stride: 1, chunks: chunks)
      return
    }
    let shared = SharedScratch(base: scratch)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      runChunks(
        buffers, scratch: shared.base + worker * scratchCount, from: worker, stride: workers,
        chunks: chunks)
    }
  }

  private func runChunks<T: PlanElement>(
    _ buffers: BufferTable, scratch: UnsafeMutablePointer<T>, from first: Int, stride: Int,
    chunks: Int
  ) {
    let registerCount = scratchRegisters + loads.count
    withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<T>?.self, capacity: registerCount) {
      table in
      for r in 0..<registerCount { table[r] = scratch + r * chunk }
      var c = first
      while c < chunks {
        let start = c * chunk
        let length = min(chunk, count - start)
        for load in loads {
          let source = buffers.pointer(load.buffer, as: T.self)
          if let broadcast = load.broadcast {
            broadcast.gather(
              source, start: start, count: length, into: scratch + Int(load.register) * chunk)
            table[Int(load.register)] = scratch + Int(load.register) * chunk
          } else {
            table[Int(load.register)] = source + start
          }
        }
        code.withUnsafeBufferPointer { code in
          T.run(code.baseAddress, count: code.count, registers: table.baseAddress, length: length)
        }
        for store in stores {
          (buffers.pointer(store.buffer, as: T.self) + start).update(
            from: table[Int(store.register)]!, count: length)
        }
        c += stride
      }
    }
  }
}

/// The scratch base shared by the workers; each uses its own slice.
private struct SharedScratch<T>: @unchecked Sendable {
  let base: UnsafeMutablePointer<T>
}
