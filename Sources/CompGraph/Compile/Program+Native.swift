import Dispatch
import Foundation

/// `Program`'s native backend: the graph's C code compiled at run time (`NativeCode`).
extension Program {
  /// How a `Program` evaluates.
  public enum Backend: Sendable, Equatable {
    /// The register-code and graph-vectorised interpreter (no compiler needed, no start-up cost).
    case interpreter
    /// The graph's C code (`Graph.cCode`) compiled by clang and loaded with `dlopen`, cached by
    /// graph hash (see `NativeCode`); falls back to the interpreter, with a one-line notice on
    /// standard error, when no compiler is found or compiling fails.
    case native
  }

  /// Loads `graph`'s native code, or returns `nil` after printing why the interpreter is used.
  static func loadNative(_ graph: Graph) -> NativeCode? {
    do {
      return try NativeCode(graph)
    } catch {
      FileHandle.standardError.write(Data(nativeNotice(for: error).utf8))
      return nil
    }
  }

  /// The one-line notice printed when the native backend falls back to the interpreter.
  static func nativeNotice(for error: Error) -> String {
    let reason = (error as? NativeCode.Unavailable)?.description ?? "\(error)"
    return "compgraph: native evaluation unavailable (\(reason)); using the interpreter\n"
  }
}

/// Running native code: the C functions take and give doubles (an f32 graph's code rounds its
/// inputs to float as it reads them, and computes in float).
extension NativeCode {
  /// One point through the native code.
  func evaluate(point: [Double], outputCount: Int) -> [Double] {
    // The C function writes every output, so the array is not zeroed first.
    [Double](unsafeUninitializedCapacity: outputCount) { output, initialized in
      point.withUnsafeBufferPointer { input in self.point(input.baseAddress, output.baseAddress) }
      initialized = outputCount
    }
  }

  /// A batch through the native code, split across the cores in contiguous ranges of points:
  /// eight ranges a core (of 8,192 points or more), which the cores take in turn, so that a core
  /// busy with other work holds up one small range, not half the batch.
  /// Columns are passed in place (up to `ScalarProgram.maxChunkedInputs` of them; more are
  /// copied into one buffer first).
  func evaluate(batch inputs: [[Double]], count: Int, outputCount: Int) -> BatchValues {
    guard count > 0 else { return BatchValues(count: 0, values: []) }
    let values = [Double].hugePageStorage(count: outputCount * count) { base in
      let out = (0..<outputCount).map { base + $0 * count }
      let run = { (columns: [UnsafePointer<Double>]) in
        let parts = max(1, min(8 * processorCount, count / 8192))
        let shared = NativeColumns(inputs: columns, outputs: out)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
          let start = count * part / parts, end = count * (part + 1) / parts
          let ins: [UnsafePointer<Double>?] = shared.inputs.map { $0 + start }
          let outs: [UnsafeMutablePointer<Double>?] = shared.outputs.map { $0 + start }
          ins.withUnsafeBufferPointer { i in
            outs.withUnsafeBufferPointer { o in
              self.batch(end - start, i.baseAddress, o.baseAddress)
            }
          }
        }
      }
      if inputs.count <= ScalarProgram.maxChunkedInputs {
        withColumns(inputs[...], run)
      } else {
        let packed = inputs.flatMap { $0 }
        packed.withUnsafeBufferPointer { buffer in
          run((0..<inputs.count).map { buffer.baseAddress! + $0 * count })
        }
      }
    }
    return BatchValues(count: count, values: values)
  }
}

/// Column pointers shared by the workers of a native batch (inputs read only, outputs written
/// in disjoint ranges).
private struct NativeColumns: @unchecked Sendable {
  let inputs: [UnsafePointer<Double>]
  let outputs: [UnsafeMutablePointer<Double>]
}
