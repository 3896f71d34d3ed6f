/// The ONNX ops the importer reads (default domain, opsets 6–21), each written with CompGraph's
/// ops so that every imported model differentiates to every order. The one table of what each op
/// becomes is `build`, an exhaustive switch; the families' builders are in
/// `ONNXOperator+Elementwise.swift`, `+Shape.swift`, `+Reduce.swift`, `+Linear.swift` and
/// `+Normalization.swift`. An op missing here is refused by name (`ONNXImportError.unsupported`).
enum ONNXOperator: String, CaseIterable {
  // Elementwise, one input.
  case Abs, Neg, Exp, Log, Sqrt, Reciprocal, Sin, Cos, Tan, Tanh, Asin, Acos, Atan, Sinh, Cosh
  case Asinh, Acosh, Atanh, Erf, Sign, Sigmoid, Relu, Softplus, Softsign, Elu, Selu, Celu
  case LeakyRelu, ThresholdedRelu, HardSigmoid, HardSwish, Gelu, Mish, Clip, Shrink
  case Floor, Ceil, Round, Not, IsNaN, IsInf
  // Elementwise, two or more inputs.
  case Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean, PRelu, Where, Mod
  case Equal, Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor
  // Values and types.
  case Identity, Dropout, Cast, CastLike, Constant, ConstantOfShape, Shape, Size, Range
  // Layout.
  case Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Gather, Pad
  case Tile, Expand, DepthToSpace, SpaceToDepth
  // Reductions along axes.
  case ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceL1, ReduceL2, ReduceSumSquare
  case ReduceLogSum, ReduceLogSumExp, Softmax, LogSoftmax, ArgMax, ArgMin, CumSum
  // Products.
  case MatMul, Gemm, Einsum
  // Normalization and pooling over whole axes.
  case BatchNormalization, InstanceNormalization, LayerNormalization, LRN
  case GlobalAveragePool, GlobalMaxPool, LpNormalization, MeanVarianceNormalization

  /// The ops read, for the message that refuses another: on lines of their own, at most 96
  /// characters long.
  static let supportedList: String = {
    var lines = [""]
    for name in allCases.map(\.rawValue).sorted() {
      if lines[lines.count - 1].count + name.count > 94 { lines.append("") }
      lines[lines.count - 1] += lines[lines.count - 1].isEmpty ? name : ", " + name
    }
    return "\n  " + lines.joined(separator: ",\n  ")
  }()

  /// The node's values (one per output it imports).
  func build(_ n: inout ONNXNode) throws -> [ONNXTensor] {
    switch self {
    case .Abs: [n.value(abs(try n.expr(0)))]
    case .Neg: [n.value(-(try n.expr(0)))]
    case .Exp: [n.value(exp(try n.expr(0)))]
    case .Log: [n.value(ln(try n.expr(0)))]
    case .Sqrt: [n.value(sqrt(try n.expr(0)))]
    case .Reciprocal: [n.value(pow(try n.expr(0), -1))]
    case .Sin: [n.value(sin(try n.expr(0)))]
    case .Cos: [n.value(cos(try n.expr(0)))]
    case .Tan: [n.value(tan(try n.expr(0)))]
    case .Tanh: [n.value(tanh(try n.expr(0)))]
    case .Asin: [n.value(asin(try n.expr(0)))]
    case .Acos: [n.value(acos(try n.expr(0)))]
    case .Atan: [n.value(atan(try n.expr(0)))]
    case .Sinh: [n.value(sinh(try n.expr(0)))]
    case .Cosh: [n.value(cosh(try n.expr(0)))]
    case .Asinh, .Acosh, .Atanh: [n.value(try inverseHyperbolic(n))]
    case .Erf: [n.value(erf(try n.expr(0)))]
    case .Sign: [n.value(sign(try n.expr(0)))]
    case .Sigmoid: [n.value(sigmoid(try n.expr(0)))]
    case .Relu: [n.value(relu(try n.expr(0)))]
    case .Softplus: [n.value(softplus(try n.expr(0)))]
    case .Softsign: [n.value(try n.expr(0) / (1 + abs(try n.expr(0))))]
    case .Elu, .Selu, .Celu, .LeakyRelu, .ThresholdedRelu, .HardSigmoid, .HardSwish, .Gelu,
      .Mish, .Shrink:
      [n.value(try activation(n))]
    case .Clip: [n.value(try clip(n))]
    case .Floor, .Ceil, .Round, .Mod: [try rounding(n)]
    case .Not: [n.value(1 - (try n.expr(0)), .bool)]
    case .IsNaN: [n.value(1 - equal(try n.expr(0), try n.expr(0)), .bool)]
    case .IsInf: [n.value(try isInfinite(n), .bool)]
    case .Add, .Sub, .Mul, .Div, .Pow: [try arithmetic(n)]
    case .Max, .Min, .Sum, .Mean: [n.value(try variadic(n))]
    case .PRelu:
      [n.value(try prelu(n))]
    case .Where:
      [n.value(select(try n.expr(0), try n.expr(1), try n.expr(2)), try n.input(1).elementType)]
    case .Equal, .Less, .Greater, .LessOrEqual, .GreaterOrEqual, .And, .Or, .Xor:
      [n.value(try comparison(n), .bool)]
    case .Identity: [try n.input(0)]
    case .Dropout: try dropout(n)
    case .Cast, .CastLike: [try castValue(n)]
    case .Constant: [try constant(&n)]
    case .ConstantOfShape: [try constantOfShape(&n)]
    case .Shape: [try shapeOf(n)]
    case .Size: [n.knownValue(Tensor(Double(try n.input(0).shape.elementCount)), .int64)]
    case .Range: [try range(n)]
    case .Reshape: [n.value(try reshaped(n))]
    case .Flatten: [n.value(try flatten(n))]
    case .Squeeze: [n.value(try squeeze(n))]
    case .Unsqueeze: [n.value(try unsqueeze(n))]
    case .Transpose: [n.value(try transposed(n))]
    case .Concat: [n.value(try concatenated(n))]
    case .Split: try split(n)
    case .Slice: [n.value(try sliced(n))]
    case .Gather: [n.value(try gathered(n))]
    case .Pad: [n.value(try padded(n))]
    case .Tile: [n.value(try tiled(n))]
    case .Expand: [n.value(try expanded(n))]
    case .DepthToSpace, .SpaceToDepth: [n.value(try depthToSpace(n))]
    case .ReduceSum, .ReduceMean, .ReduceMax, .ReduceMin, .ReduceL1, .ReduceL2, .ReduceSumSquare,
      .ReduceLogSum, .ReduceLogSumExp:
      [n.value(try reduced(n))]
    case .Softmax, .LogSoftmax: [n.value(try softmaxFamily(n))]
    case .ArgMax, .ArgMin: [try argExtremum(n)]
    case .CumSum: [n.value(try cumulativeSum(n))]
    case .MatMul: [n.value(try matrixProduct(try n.expr(0), try n.expr(1), n))]
    case .Gemm: [n.value(try gemm(n))]
    case .Einsum: [n.value(einsum(try n.string("equation", default: ""), try n.exprs()))]
    case .BatchNormalization: try batchNormalization(n)
    case .InstanceNormalization: [n.value(try instanceNormalization(n))]
    case .LayerNormalization: [n.value(try layerNormalization(n))]
    case .LRN: [n.value(try localResponseNormalization(n))]
    case .GlobalAveragePool, .GlobalMaxPool: [n.value(try globalPool(n))]
    case .LpNormalization: [n.value(try lpNormalization(n))]
    case .MeanVarianceNormalization: [n.value(try meanVarianceNormalization(n))]
    }
  }
}
