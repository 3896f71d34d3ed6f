import Dispatch
import Foundation

/// A scalar graph compiled to straight-line register code.
///
/// Every node becomes at most a few instructions on numbered registers;
/// registers are reused once a value is dead (linear scan in node order),
/// so a long derivative needs few of them.  A program runs at one point or
/// along a batch of points: each instruction then sweeps a chunk of the
/// batch, so interpretation costs once per chunk and the inner loops are
/// plain, vectorisable array arithmetic (exp and tanh included, see
/// `VectorMath`).  Batches are split across the machine's cores.
///
/// Only all-scalar graphs compile; tensor graphs run on the reference
/// evaluator (`Graph.evaluate`) and its einsum kernels.
public struct Program: Sendable {
  enum Code: UInt8 {
    case add, mul, neg, square, cube, recip, sqrt, pow, exp, ln, sin, cos, tanh, copy
  }

  struct Instruction {
    var code: Code
    var target: Int32
    var a: Int32
    var b: Int32
    var c: Double
  }

  let instructions: [Instruction]
  let registerCount: Int
  /// Variable names, in the order of `inputRegisters`.
  public let inputNames: [String]
  let inputRegisters: [Int32]
  let constants: [(register: Int32, value: Double)]
  let outputRegisters: [Int32]
  public let outputNames: [String]

  /// Compiles `graph`; throws `GraphError.unsupported` for tensor graphs.
  public init(_ graph: Graph) throws {
    let n = graph.nodeCount
    if let tensor = (0..<n).first(where: { !graph.nodes.shapes[$0].isEmpty }) {
      throw GraphError.unsupported(
        "only scalar graphs compile; node %\(tensor) has shape \(graph.nodes.shapes[tensor].shapeDescription)")
    }
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
      // Inputs that die here free their registers first, so the target may reuse one.
      for input in graph.inputs(NodeID(index)) where lastUse[input.index] == index && !graph.op(input).isLeaf {
        free.append(register[input.index])
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
      case .add, .mul:
        let op: Code = graph.op(NodeID(index)) == .add ? .add : .mul
        r = allocate()
        code.append(Instruction(code: op, target: r, a: ins[0], b: ins[1], c: 0))
        for extra in ins.dropFirst(2) { code.append(Instruction(code: op, target: r, a: r, b: extra, c: 0)) }
      case .pow(let c):
        r = allocate()
        let special: [Double: Code] = [1: .copy, 2: .square, 3: .cube, -1: .recip, 0.5: .sqrt]
        code.append(Instruction(code: special[c] ?? .pow, target: r, a: ins[0], b: 0, c: c))
      case .exp, .ln, .sqrt, .sin, .cos, .tanh:
        let unary: [Op: Code] = [.exp: .exp, .ln: .ln, .sqrt: .sqrt, .sin: .sin, .cos: .cos, .tanh: .tanh]
        r = allocate()
        code.append(Instruction(code: unary[graph.op(NodeID(index))]!, target: r, a: ins[0], b: 0, c: 0))
      case .einsum, .sumTo, .broadcastTo:
        // Scalar einsum/sum/broadcast of scalars is the product / identity.
        r = allocate()
        if ins.count == 1 {
          code.append(Instruction(code: .copy, target: r, a: ins[0], b: 0, c: 0))
        } else {
          code.append(Instruction(code: .mul, target: r, a: ins[0], b: ins[1], c: 0))
          for extra in ins.dropFirst(2) { code.append(Instruction(code: .mul, target: r, a: r, b: extra, c: 0)) }
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
    self.outputNames = graph.outputNames
  }

  /// The number of instructions.
  public var instructionCount: Int { instructions.count }

  /// Evaluates at one point, variables bound by name.
  public func evaluate(_ bindings: [String: Double]) throws -> [Double] {
    let point = try inputNames.map { name -> Double in
      guard let v = bindings[name] else { throw GraphError.unboundVariable(name) }
      return v
    }
    return evaluate(point: point)
  }

  /// Evaluates at one point given as values in `inputNames` order (the fast
  /// path: one register file, no chunking).
  public func evaluate(point: [Double]) -> [Double] {
    precondition(point.count == inputNames.count, "Program: \(inputNames.count) inputs expected")
    let registers = UnsafeMutablePointer<Double>.allocate(capacity: max(1, registerCount))
    defer { registers.deallocate() }
    for (r, value) in constants { registers[Int(r)] = value }
    for (r, value) in zip(inputRegisters, point) { registers[Int(r)] = value }
    runOnePoint(registers)
    return outputRegisters.map { registers[Int($0)] }
  }

  /// `run` specialised to one lane.
  private func runOnePoint(_ registers: UnsafeMutablePointer<Double>) {
    run(registers, stride: 1, length: 1)
  }

  /// Evaluates along a batch: `inputs[i]` holds the values of `inputNames[i]`
  /// at each of `count` points; returns one column per output.
  public func evaluate(batch inputs: [[Double]], count: Int) throws -> [[Double]] {
    guard inputs.count == inputNames.count else {
      throw GraphError.unsupported("the program takes \(inputNames.count) input(s), \(inputs.count) were given")
    }
    for (name, column) in zip(inputNames, inputs) where column.count != count {
      throw GraphError.unsupported("input '\(name)' has \(column.count) values for \(count) points")
    }
    var outputs = [[Double]](repeating: [Double](repeating: 0, count: count), count: outputRegisters.count)
    let chunk = 512
    let chunks = (count + chunk - 1) / chunk
    let workers = count >= 8 * chunk ? min(ProcessInfo.processInfo.activeProcessorCount, chunks) : 1
    let outPointers = UnsafeMutablePointer<UnsafeMutablePointer<Double>>.allocate(capacity: max(1, outputs.count))
    defer { outPointers.deallocate() }
    let pinned = outputs.indices.map { _ in UnsafeMutablePointer<Double>.allocate(capacity: max(1, count)) }
    defer { pinned.forEach { $0.deallocate() } }
    for (k, p) in pinned.enumerated() { outPointers[k] = p }
    let shared = SendablePointers(outputs: outPointers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let registers = UnsafeMutablePointer<Double>.allocate(capacity: max(1, registerCount) * chunk)
      defer { registers.deallocate() }
      for (r, value) in constants {
        (registers + Int(r) * chunk).initialize(repeating: value, count: chunk)
      }
      var c = worker
      while c < chunks {
        let start = c * chunk
        let len = min(chunk, count - start)
        for (k, r) in inputRegisters.enumerated() {
          inputs[k].withUnsafeBufferPointer { src in
            (registers + Int(r) * chunk).update(from: src.baseAddress! + start, count: len)
          }
        }
        run(registers, stride: chunk, length: len)
        for (k, r) in outputRegisters.enumerated() {
          (shared.outputs[k] + start).update(from: registers + Int(r) * chunk, count: len)
        }
        c += workers
      }
    }
    for k in outputs.indices {
      outputs[k] = Array(UnsafeBufferPointer(start: pinned[k], count: count))
    }
    return outputs
  }

  /// Runs every instruction over `length` lanes of each register.
  @inline(__always)
  private func run(_ registers: UnsafeMutablePointer<Double>, stride: Int, length: Int) {
    for ins in instructions {
      let t = registers + Int(ins.target) * stride
      let a = registers + Int(ins.a) * stride
      switch ins.code {
      case .add:
        let b = registers + Int(ins.b) * stride
        for i in 0..<length { t[i] = a[i] + b[i] }
      case .mul:
        let b = registers + Int(ins.b) * stride
        for i in 0..<length { t[i] = a[i] * b[i] }
      case .neg: for i in 0..<length { t[i] = -a[i] }
      case .copy: for i in 0..<length { t[i] = a[i] }
      case .square: for i in 0..<length { t[i] = a[i] * a[i] }
      case .cube: for i in 0..<length { t[i] = a[i] * a[i] * a[i] }
      case .recip: for i in 0..<length { t[i] = 1 / a[i] }
      case .sqrt: for i in 0..<length { t[i] = a[i].squareRoot() }
      case .pow:
        let c = ins.c
        for i in 0..<length { t[i] = Foundation.pow(a[i], c) }
      case .exp: for i in 0..<length { t[i] = VectorMath.exp(a[i]) }
      case .tanh: for i in 0..<length { t[i] = VectorMath.tanh(a[i]) }
      case .ln: for i in 0..<length { t[i] = Foundation.log(a[i]) }
      case .sin: for i in 0..<length { t[i] = Foundation.sin(a[i]) }
      case .cos: for i in 0..<length { t[i] = Foundation.cos(a[i]) }
      }
    }
  }
}

/// Output pointers shared by the workers; each writes disjoint chunks.
private struct SendablePointers: @unchecked Sendable {
  let outputs: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
}
