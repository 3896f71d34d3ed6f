/// How a tensor plan runs each op (ARCHITECTURE.md invariant 5: one
/// exhaustive table).
enum StepClass {
  /// Bound by the caller or stored in the program.
  case leaf
  /// One output element from the same element of each input (broadcast):
  /// fused into elementwise loops.
  case elementwise
  /// The input's storage under another shape: no step, no copy.
  case alias
  /// An einsum or `sum_to`: a `ContractionStep`.
  case contraction
  /// Along one axis: an `AxisStep`.
  case axis
  /// A linear-algebra op: its LAPACK kernel on the buffers (`Op.runMatrix`).
  case matrix

  init(_ op: Op) {
    guard let structure = op.structure else {
      self = op.isLeaf ? .leaf : .elementwise
      return
    }
    switch structure {
    case .broadcastTo: self = .elementwise
    case .reshape: self = .alias
    case .einsum, .sumTo: self = .contraction
    case .reduceMax, .slice, .pad, .oneHot, .patches, .unpatches: self = .axis
    case .matrix: self = .matrix
    // A loop runs as a reference step: the evaluator's loop over its body (`ScanSpec.run`).
    case .scan: self = .contraction
    }
  }
}
