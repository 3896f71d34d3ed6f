import Dispatch
import Foundation

/// A nest of loops, one per label, each with a stride into the output and into
/// up to two operands.  Offsets are `Σ_t index_t · stride_t`, so a stride of 0
/// broadcasts (the label is absent from that array) and a summed stride
/// (`n + 1` for `A[i,i]`) walks a diagonal.
///
/// The initialiser drops loops of extent 1, orders the loops so the smallest
/// strides are innermost, and merges neighbours that are one loop in every
/// array (`stride_outer == stride_inner · extent_inner`), so `ij->` becomes a
/// single contiguous sum and a contiguous copy a single run.
struct EinsumLoopNest {
  /// Extents, outermost first; never empty (a scalar nest is one loop of extent 1).
  private(set) var extents: [Int]
  private(set) var outStrides: [Int]
  private(set) var aStrides: [Int]
  private(set) var bStrides: [Int]
  /// Whether some extent is 0, so the nest has no iterations.
  let isEmpty: Bool

  init(extents: [Int], out: [Int], a: [Int], b: [Int]) {
    isEmpty = extents.contains(0)
    // Larger total stride outermost; a stable insertion sort (nests are short).
    let weight = extents.indices.map { out[$0] + a[$0] + b[$0] }
    var loops: [Int] = []
    for loop in extents.indices where extents[loop] != 1 {
      let slot = loops.firstIndex { weight[$0] < weight[loop] } ?? loops.count
      loops.insert(loop, at: slot)
    }
    self.extents = []
    outStrides = []
    aStrides = []
    bStrides = []
    for loop in loops {
      if let last = self.extents.indices.last,
        out[loop] * extents[loop] == outStrides[last],
        a[loop] * extents[loop] == aStrides[last],
        b[loop] * extents[loop] == bStrides[last]
      {
        // The previous (outer) loop continues this one in every array: merge.
        self.extents[last] *= extents[loop]
        outStrides[last] = out[loop]
        aStrides[last] = a[loop]
        bStrides[last] = b[loop]
      } else {
        self.extents.append(extents[loop])
        outStrides.append(out[loop])
        aStrides.append(a[loop])
        bStrides.append(b[loop])
      }
    }
    if self.extents.isEmpty {
      self.extents = [1]
      outStrides = [0]
      aStrides = [0]
      bStrides = [0]
    }
  }

  /// The innermost loop: extent and strides into out, a, b.
  var inner: (count: Int, out: Int, a: Int, b: Int) {
    let t = extents.count - 1
    return (extents[t], outStrides[t], aStrides[t], bStrides[t])
  }

  /// Below this many iterations a nest runs on the calling thread.
  static let parallelMinimum = 1 << 18

  /// Calls `body(part, outOffset, aOffset, bOffset)` for parts that together
  /// make the nest, each part's offsets to be added to the arrays' bases.
  /// A nest of at least `parallelMinimum` iterations whose outermost loop
  /// moves through the output is split along that loop, one part per core,
  /// run concurrently: the parts write disjoint outputs (output strides are
  /// those of distinct output axes).  Anything else is one part, run here.
  func forEachPart(_ body: (EinsumLoopNest, Int, Int, Int) -> Void) {
    let parts = min(processorCount, extents[0])
    guard parts > 1, outStrides[0] != 0, !isEmpty,
      extents.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1 })
        >= Self.parallelMinimum
    else { return body(self, 0, 0, 0) }
    withoutActuallyEscaping(body) { body in
      let shared = SharedBody(body: body)
      DispatchQueue.concurrentPerform(iterations: parts) { k in
        let start = extents[0] * k / parts, end = extents[0] * (k + 1) / parts
        var part = self
        part.extents[0] = end - start
        shared.body(part, start * outStrides[0], start * aStrides[0], start * bStrides[0])
      }
    }
  }

  /// Calls `body(outOffset, aOffset, bOffset)` at the start of every run of
  /// the innermost loop, walking the outer loops as an odometer.
  func forEachRun(_ body: (Int, Int, Int) -> Void) {
    if isEmpty { return }
    let outer = extents.count - 1
    var counter = [Int](repeating: 0, count: outer)
    var (o, a, b) = (0, 0, 0)
    while true {
      body(o, a, b)
      var t = outer - 1
      while true {
        if t < 0 { return }
        counter[t] += 1
        o += outStrides[t]
        a += aStrides[t]
        b += bStrides[t]
        if counter[t] < extents[t] { break }
        o -= outStrides[t] * extents[t]
        a -= aStrides[t] * extents[t]
        b -= bStrides[t] * extents[t]
        counter[t] = 0
        t -= 1
      }
    }
  }
}

/// A part's body, called from the workers of `forEachPart` (each writes its own outputs).
private struct SharedBody: @unchecked Sendable {
  let body: (EinsumLoopNest, Int, Int, Int) -> Void
}
