/// An elementwise op defined outside the library, with its own derivative rule — what JAX's
/// `custom_jvp` and PyTensor's `Op` offer:
///
///     let sinc = try CustomOp(
///       name: "sinc", arity: 1,
///       kernel: { x in x[0] == 0 ? 1 : sin(x[0]) / x[0] },
///       derivative: { _, x, y in (cos(x[0]) - y) / x[0] },       // sinc′ = (cos x − sinc x)/x
///       series: .init(at: 0, radius: 0.5, coefficients: [1, 0, -1.0 / 6, 0, 1.0 / 120, …]))
///     let y = sinc(x)                                            // an `Expr`, like `exp(x)`
///
/// The op takes `arity` inputs (1 to 3), broadcast as NumPy does, and computes one element from
/// the same element of each. Its derivative rule gives ∂y/∂xₖ written with graph ops (as
/// `DerivativeRules.swift` does for the built-in ops), so `gradient`, `jvp` and `derivative` of
/// every order apply to it: the rule may use the op itself (`y`, or the op applied again).
///
/// **A series branch** removes a singularity of the rule (sinc′'s 0/0 at 0): within `radius` of
/// the point, ∂y/∂x is the derivative of the Taylor polynomial Σ cₖ (x − a)ᵏ, built with graph
/// ops, so every order is exact there; outside it, the rule — evaluated at a point outside the
/// radius where x is inside, so that the branch not taken has no infinity or NaN for a gradient
/// to multiply by zero (JAX's "double where"). Unary ops only.
///
/// Hash-consing keys the op by its identity (two `CustomOp` values with the same name are two
/// ops). Evaluation, compiled programs and the native backend call `kernel`; listings, pictures
/// and text show `name`. `interval` (what the op's values may be, for `compgraph check` and
/// `Graph.risks`) defaults to the whole line. An export writes the op with its `spellings` in
/// that format (a template where `$0`, `$1`, `$2` stand for the operands' text) and refuses it,
/// by name, in a format it has no spelling for (ONNX always).
public final class CustomOp: Hashable, Sendable, CustomStringConvertible {
  /// The Taylor polynomial of the op near a point: f(x) = Σₖ cₖ (x − a)ᵏ for |x − a| < radius.
  public struct Series: Sendable {
    public let point: Double
    public let radius: Double
    /// c₀, c₁, …: cₖ = f⁽ᵏ⁾(a)/k!.
    public let coefficients: [Double]

    public init(at point: Double, radius: Double, coefficients: [Double]) {
      self.point = point
      self.radius = radius
      self.coefficients = coefficients
    }
  }

  /// ∂y/∂x_k, written with graph ops, given the inputs `x` and the op's own node `y`.
  public typealias Derivative = @Sendable (_ k: Int, _ x: [Expr], _ y: Expr) -> Expr
  /// `out[i] = f(inputs[0][i], …)` for `i < count`.
  public typealias BatchKernel =
    @Sendable (_ inputs: [UnsafePointer<Double>], _ out: UnsafeMutablePointer<Double>, _ count: Int)
    -> Void

  /// The name in listings, pictures and error messages.
  public let name: String
  /// The number of inputs, 1 to 3.
  public let arity: Int
  /// y from one element of each input.
  public let kernel: @Sendable ([Double]) -> Double
  /// `count` values of y into `out` from the inputs' columns (as many as the arity): the
  /// vectorised kernel compiled programs call, if the op has one.
  public let batchKernel: BatchKernel?
  let derivativeRule: Derivative
  let intervalRule: (@Sendable ([Interval]) -> Interval)?
  public let series: Series?
  /// The op in each text format, `$0`… standing for the operands: `"np.sinc($0 / np.pi)"`.
  public let spellings: [TextFormat: String]

  /// Throws for a name that is not an identifier, an arity outside 1…3 and a series on an op
  /// of more than one input or with a radius that is not positive.
  public init(
    name: String, arity: Int, kernel: @escaping @Sendable ([Double]) -> Double,
    batchKernel: BatchKernel? = nil, derivative: @escaping Derivative,
    interval: (@Sendable ([Interval]) -> Interval)? = nil,
    series: Series? = nil, spellings: [TextFormat: String] = [:]
  ) throws {
    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
      name.unicodeScalars.allSatisfy({
        $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_"
      })
    else {
      throw GraphError.unsupported(
        "custom op: '\(name)' is not a name; use letters, digits and '_', not starting with a digit"
      )
    }
    guard (1...3).contains(arity) else {
      throw GraphError.unsupported(
        "custom op '\(name)': arity \(arity) is not supported; an op takes 1 to 3 inputs")
    }
    if let series {
      guard arity == 1 else {
        throw GraphError.unsupported(
          "custom op '\(name)': a series branch needs an op of one input, not \(arity)")
      }
      guard series.radius > 0, series.radius.isFinite, series.point.isFinite else {
        throw GraphError.unsupported(
          "custom op '\(name)': the series needs a finite point and a positive finite radius (got \(series.point), \(series.radius))"
        )
      }
    }
    self.name = name
    self.arity = arity
    self.kernel = kernel
    self.batchKernel = batchKernel
    self.derivativeRule = derivative
    self.intervalRule = interval
    self.series = series
    self.spellings = spellings
  }

  /// The op applied to `inputs` (as many as its arity; a failed `Expr` otherwise).
  public func callAsFunction(_ inputs: Expr...) -> Expr { Expr.apply(.custom(self), inputs) }

  public var description: String { name }

  public static func == (a: CustomOp, b: CustomOp) -> Bool { a === b }
  public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

  /// ∂y/∂x_k: the rule, or near the series' point the series' derivative (see the type's
  /// documentation).
  func localDerivative(_ k: Int, _ x: [Expr], _ y: Expr) -> Expr {
    guard let series else { return derivativeRule(k, x, y) }
    let t = x[0] - series.point
    let near = less(abs(t), y.constant(series.radius))
    // The rule outside the radius: where x is near, at the radius's edge instead.
    let away = select(near, x[0].constant(series.point + series.radius), x[0])
    let rule = derivativeRule(k, [away], self(away))
    // d/dx Σ cₖ tᵏ = Σ k cₖ tᵏ⁻¹.
    let terms = series.coefficients.enumerated().dropFirst().filter { $0.element != 0 }.map {
      k, c in Double(k) * c * pow(t, Double(k - 1))
    }
    let polynomial = terms.isEmpty ? y.constant(0) : sum(terms)
    return select(near, polynomial, rule)
  }

  /// `out[i] = kernel(a[i], b[i], d[i])` for `i < count` (as many operands as the arity): the
  /// vectorised kernel if the op has one, else the scalar kernel point by point.
  func run(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>?, _ d: UnsafePointer<Double>?,
    _ out: UnsafeMutablePointer<Double>, _ count: Int
  ) {
    if let batchKernel {
      batchKernel(Array([a, b, d].prefix(arity).map { $0! }), out, count)
      return
    }
    var point = [Double](repeating: 0, count: arity)
    for i in 0..<count {
      point[0] = a[i]
      if arity > 1 { point[1] = b![i] }
      if arity > 2 { point[2] = d![i] }
      out[i] = kernel(point)
    }
  }

  /// The interval of the op's values for inputs in `x`: the rule's, or the whole line.
  func image(_ x: [Interval]) -> Interval { intervalRule?(x) ?? .whole }
}
