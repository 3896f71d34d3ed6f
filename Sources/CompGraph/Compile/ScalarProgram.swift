import CKernels
import Dispatch

/// A graph of scalars compiled to straight-line register code: what `Program` runs for a graph
/// with no tensors and no f32 values.
///
/// Every node becomes at most a few instructions on numbered registers; registers are reused
/// once a value is dead (linear scan in node order), so a long derivative needs few of them.
/// The program runs at one point through the graph-vectorised `PointPlan`, or along a batch of
/// points: each instruction then sweeps a chunk of the batch, so interpretation costs once per
/// chunk and the inner loops are plain, vectorisable array arithmetic in C (exp and tanh
/// included, see `Sources/CKernels/include/ckernels.h`).  Batches are split across the
/// machine's cores.  With the native backend, the graph's C code runs instead
/// (`Program+Native.swift`).
///
/// A class, so that `Program` reaches it through one reference: a struct in `Program.Compiled`
/// is copied out, each of its arrays retained, on every call (twice the time of a point of W2 at
/// N = 10).
final class ScalarProgram: Sendable {
  typealias Instruction = cg_instruction

  let instructions: [Instruction]
  let registerCount: Int
  /// Variable names, in the order of `inputRegisters`.
  let inputNames: [String]
  let inputRegisters: [Int32]
  let constants: [(register: Int32, value: Double)]
  let outputRegisters: [Int32]
  /// The same graph vectorised across its nodes, for single points.
  let pointPlan: PointPlan
  /// The graph's compiled C code, when the native backend was asked for and it compiled.
  let native: NativeCode?

  /// Compiles `graph`, a graph of scalars; with `native`, also its C code.
  init(_ graph: Graph, native: Bool) {
    let n = graph.nodeCount
    var lastUse = [Int](repeating: -1, count: n)
    for index in 0..<n { for input in graph.inputs(NodeID(index)) { lastUse[input.index] = index } }
    for output in graph.outputs { lastUse[output.index] = Int.max }
    var register = [Int32](repeating: -1, count: n)
    var free: [Int32] = []
    var next: Int32 = 0
    func allocate() -> Int32 {
      if let r = free.popLast() { return r }
      defer { next += 1 }
      return next
    }
    var code: [Instruction] = []
    var inputNames: [String] = [], inputRegisters: [Int32] = []
    var constants: [(Int32, Double)] = []
    for index in 0..<n {
      let ins = graph.inputs(NodeID(index)).map { register[$0.index] }
      // Inputs that die here free their registers; with one instruction per
      // node (≤ 2 inputs, or `where`) they are freed first so the target may
      // reuse one, since each lane is read before it is written.  A longer sum
      // or product is a chain that rereads its inputs, so they are freed after.
      let dying = graph.inputs(NodeID(index)).filter {
        lastUse[$0.index] == index && !graph.op($0).isLeaf
      }
      let kernel = scalarKernel(graph.op(NodeID(index)), arity: ins.count)
      // A custom op's kernel gets an output of its own (it may not read before it writes).
      let freeFirst = (ins.count <= 2 || kernel?.code == CG_WHERE) && kernel?.code != CG_CALL
      if freeFirst { free.append(contentsOf: Set(dying.map { register[$0.index] }).sorted()) }
      defer {
        if !freeFirst { free.append(contentsOf: Set(dying.map { register[$0.index] }).sorted()) }
      }
      if lastUse[index] < 0 { continue }  // unused (only possible for leaves)
      let r: Int32
      switch graph.op(NodeID(index)) {
      case .variable(let name):
        r = next
        next += 1
        inputNames.append(name)
        inputRegisters.append(r)
      case .constant(let t):
        r = next
        next += 1
        constants.append((r, t.scalars[0]))
      default:
        // A longer sum or product is a chain of its binary step; a sum of CG_SPLIT_SUM
        // operands or more, four (in r and three registers freed after).
        let kernel = kernel!
        r = allocate()
        if kernel.code == CG_ADD && ins.count >= Int(CG_SPLIT_SUM) {
          let partials = [r] + (1..<4).map { _ in allocate() }
          code += splitSum(ins, partials)
          free.append(contentsOf: partials.dropFirst())
        } else {
          code.append(
            Instruction(
              code: kernel.code, target: r, a: ins[0], b: ins.count > 1 ? ins[1] : 0,
              d: ins.count > 2 && kernel.code != CG_ADD && kernel.code != CG_MUL ? ins[2] : 0,
              c: kernel.c, calling: graph.op(NodeID(index))))
          if kernel.code == CG_ADD || kernel.code == CG_MUL {
            for extra in ins.dropFirst(2) {
              code.append(Instruction(code: kernel.code, target: r, a: r, b: extra, d: 0, c: 0))
            }
          }
        }
      }
      register[index] = r
    }
    self.instructions = code
    self.registerCount = Int(next)
    self.inputNames = inputNames
    self.inputRegisters = inputRegisters
    self.constants = constants
    self.outputRegisters = graph.outputs.map { register[$0.index] }
    self.pointPlan = PointPlan(graph, inputNames: inputNames)
    self.native = native ? Program.loadNative(graph) : nil
  }

  /// The outputs at one point, its values in `inputNames` order (as many as there are inputs).
  func evaluate(point: [Double]) -> [Double] {
    if let native { return native.evaluate(point: point, outputCount: outputRegisters.count) }
    return pointPlan.evaluate(point: point)
  }

  /// The outputs along a batch: `inputs[i]` holds `count` values of input i (checked by
  /// `Program`).
  func evaluate(batch inputs: [[Double]], count: Int) -> BatchValues {
    if let native {
      return native.evaluate(batch: inputs, count: count, outputCount: outputRegisters.count)
    }
    let outputCount = outputRegisters.count
    let values = [Double].hugePageStorage(count: outputCount * count) { base in
      let out = SendablePointer(base: base)
      // Registers of one chunk should stay in cache (~512 KB).  A program too
      // wide for a useful chunk, or with many inputs (the chunked path nests
      // one closure per input column), runs point by point on its
      // graph-vectorised plan.
      let chunk = min(512, 65_536 / max(1, registerCount))
      if chunk < 16 || inputs.count > Self.maxChunkedInputs {
        evaluatePointwise(inputs, count: count, into: out)
      } else {
        evaluateChunked(inputs, count: count, chunk: chunk, into: out)
      }
    }
    return BatchValues(count: count, values: values)
  }

  /// The most input columns the chunked path takes (see `withColumns`).
  static let maxChunkedInputs = 32

  /// Batch evaluation chunk by chunk: each instruction sweeps `chunk` lanes.
  /// Input registers point into the input columns and output registers into
  /// the result, so only temporaries live in the scratch buffer.
  private func evaluateChunked(
    _ inputs: [[Double]], count: Int, chunk: Int, into out: SendablePointer
  ) {
    let chunks = (count + chunk - 1) / chunk
    let workers = count >= 8 * chunk ? min(processorCount, chunks) : 1
    // An output that is also a leaf or another output's register is copied.
    let leaves = Set(inputRegisters + constants.map(\.register))
    let direct = outputRegisters.enumerated().reduce(into: [Int32: Int]()) { map, entry in
      if !leaves.contains(entry.element) && map[entry.element] == nil {
        map[entry.element] = entry.offset
      }
    }
    withColumns(inputs[...]) { columns in
      let columns = SendableColumns(pointers: columns)
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: max(1, registerCount) * chunk)
        defer { scratch.deallocate() }
        var table = (0..<max(1, registerCount)).map { Optional(scratch + $0 * chunk) }
        for (r, value) in constants { table[Int(r)]!.initialize(repeating: value, count: chunk) }
        var c = worker
        while c < chunks {
          let start = c * chunk
          let len = min(chunk, count - start)
          for (k, r) in inputRegisters.enumerated() {
            table[Int(r)] = UnsafeMutablePointer(mutating: columns.pointers[k] + start)
          }
          for (r, k) in direct { table[Int(r)] = out.base + k * count + start }
          table.withUnsafeBufferPointer { registers in
            instructions.withUnsafeBufferPointer { code in
              cg_run(code.baseAddress, code.count, registers.baseAddress, len)
            }
          }
          for (k, r) in outputRegisters.enumerated() where direct[r] != k {
            (out.base + k * count + start).initialize(from: table[Int(r)]!, count: len)
          }
          c += workers
        }
      }
    }
  }

  /// Batch evaluation point by point through the `PointPlan`.  Inputs are
  /// staged a block of points at a time, so each input column is read one
  /// cache line per block rather than one line per point.
  private func evaluatePointwise(_ inputs: [[Double]], count: Int, into out: SendablePointer) {
    let block = 8
    let blocks = (count + block - 1) / block
    let workers = blocks >= 2 ? min(processorCount, blocks) : 1
    let inputCount = inputs.count
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var staged = [Double](repeating: 0, count: max(1, inputCount * block))
      pointPlan.withRegisters { values in
        var b = worker
        while b < blocks {
          let start = b * block
          let len = min(block, count - start)
          for k in 0..<inputCount {
            for j in 0..<len { staged[k * block + j] = inputs[k][start + j] }
          }
          for j in 0..<len {
            for (k, slot) in pointPlan.inputSlots.enumerated() {
              values[Int(slot)] = staged[k * block + j]
            }
            pointPlan.run(values)
            for (k, slot) in pointPlan.outputSlots.enumerated() {
              (out.base + k * count + start + j).initialize(to: values[Int(slot)])
            }
          }
          b += workers
        }
      }
    }
  }
}

/// Calls `body` with a pointer to each column's storage (nesting one
/// `withUnsafeBufferPointer` per column: the depth is the number of inputs,
/// at most `ScalarProgram.maxChunkedInputs`, or `TensorProgram.maxInPlaceInputs`).
func withColumns<R>(_ columns: ArraySlice<[Double]>, _ body: ([UnsafePointer<Double>]) -> R)
  -> R
{
  var pointers: [UnsafePointer<Double>] = []
  func nest(_ rest: ArraySlice<[Double]>) -> R {
    guard let first = rest.first else { return body(pointers) }
    return first.withUnsafeBufferPointer { buffer in
      pointers.append(buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!)
      return nest(rest.dropFirst())
    }
  }
  return nest(columns)
}

/// Input column pointers shared by the workers (read only).
private struct SendableColumns: @unchecked Sendable {
  let pointers: [UnsafePointer<Double>]
}

/// The output buffer shared by the workers; each writes disjoint chunks.
private struct SendablePointer: @unchecked Sendable {
  let base: UnsafeMutablePointer<Double>
}

/// A sum of `CG_SPLIT_SUM` operands or more as ckernels.h defines it: partial j adds operands
/// j, j + 4, j + 8, … in order, then `partials[0]` = (s₀ + s₁) + (s₂ + s₃).
private func splitSum(_ operands: [Int32], _ partials: [Int32]) -> [cg_instruction] {
  func add(_ target: Int32, _ a: Int32, _ b: Int32) -> cg_instruction {
    cg_instruction(code: CG_ADD, target: target, a: a, b: b, d: 0, c: 0)
  }
  var code: [cg_instruction] = []
  for lane in 0..<4 {
    code.append(add(partials[lane], operands[lane], operands[lane + 4]))
    for extra in stride(from: lane + 8, to: operands.count, by: 4) {
      code.append(add(partials[lane], partials[lane], operands[extra]))
    }
  }
  return code + [
    add(partials[0], partials[0], partials[1]), add(partials[2], partials[2], partials[3]),
    add(partials[0], partials[0], partials[2]),
  ]
}

extension cg_instruction {
  /// An instruction; `op` gives a `CG_CALL` its kernel (`customCall`).
  init(
    code: cg_code, target: Int32, a: Int32, b: Int32, d: Int32, c: Double, calling op: Op? = nil
  ) {
    let (call, context) = op.map(customCall) ?? (nil, nil)
    self.init(
      code: Int32(code.rawValue), target: target, a: a, b: b, d: d, c: c, call: call,
      context: context)
  }
}
