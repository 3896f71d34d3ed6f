/// A graph with tensors compiled to a fixed list of steps over planned
/// buffers: what `TensorProgram` runs for any graph that is not all scalars
/// (or of f32 values).
///
/// Planning walks the graph once, in node order (ARCHITECTURE.md
/// invariant 1), and decides three things before any value exists:
/// - **Fusion.** Elementwise ops (broadcasting ones and `broadcast_to`
///   included) of one shape join one region, merging the regions of their
///   inputs, until something outside the region reads a value of it; then
///   the region is closed and becomes one `ElementwiseLoop` at that point of
///   the schedule.  Values read only inside a region are never stored.
/// - **Steps.** Each einsum and `sum_to` becomes a `ContractionStep` (a GEMM
///   on the buffers or a strided loop nest; contractions of three or more
///   operands go through the einsum kernels, which order them); ops along an
///   axis are `AxisStep` loops; a linear-algebra op runs its LAPACK kernel on
///   the buffers (NaN for a matrix it cannot compute); `reshape` is the same
///   storage under another shape.
/// - **Memory.** Buffers are offsets into one arena, handed out in schedule
///   order by `ArenaAllocator` and taken back after their last reader, so
///   `arenaCount` is the plan's peak.  An elementwise loop stores into the
///   buffer of an input of its own size that dies there (in place).
struct TensorPlan: Sendable {
  enum Step: Sendable {
    case elementwise(ElementwiseLoop)
    case contraction(ContractionStep, inputs: [BufferRef], output: BufferRef, count: Int)
    case axis(AxisStep, input: BufferRef, output: BufferRef)
    case reference(Op, inputs: [(BufferRef, Shape)], output: BufferRef, shape: Shape)
    case matrix(MatrixFunction, inputs: [(BufferRef, Shape)], output: BufferRef)
  }

  let steps: [Step]
  /// Variables in node order; input k is bound to `BufferRef.input(k)`.
  let inputNames: [String]
  let inputShapes: [Shape]
  let constants: [Double]
  /// `constants` rounded to f32, for a plan of f32 values (else empty).
  let constantsF32: [Float]
  let outputs: [(buffer: BufferRef, shape: Shape)]
  /// The type of every value the plan stores (`PlanElement`): f64, or f32 for
  /// a graph of f32 values, whose buffers take half the bytes.
  let dtype: DType
  /// Where input k starts in a workspace's staging area (`stagingOffsets[k]`, elements; the
  /// last entry is the area's size): a plan of f32 values reads its inputs, given as doubles,
  /// from there, rounded to f32.
  let stagingOffsets: [Int]
  /// Elements of arena the plan needs at its peak.
  let arenaCount: Int
  /// Elements of chunk registers the largest elementwise loop needs.
  let scratchCount: Int

  /// Plans `graph` with values of type `dtype` in four phases, each in its own file: the nodes
  /// to compute with sums fused (`Nodes`), fusion regions and the schedule (`Regions`),
  /// liveness by storage (`Liveness`), then buffers and the executable steps
  /// (`TensorPlan+Buffers.swift`, each region's loop in `TensorPlan+RegionLoop.swift`).
  init(_ graph: Graph, dtype: DType = .f64) {
    let nodes = Nodes(graph)
    let regions = Regions(nodes)
    self.init(nodes, regions, Liveness(nodes, regions), dtype: dtype)
  }
}
