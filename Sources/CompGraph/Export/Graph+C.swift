import CKernels

/// C code export: a scalar graph as a standalone C99 file that needs only libm.
extension Graph {
  /// The graph as a C99 translation unit defining
  ///
  ///     void NAME(const double *in, double *out);
  ///     void NAME_batch(size_t n, const double *const *in, double *const *out);
  ///
  /// `NAME` reads the inputs `in[0…]` (the variables, in the order the header comment lists) and
  /// writes the outputs `out[0…]`; `NAME_batch` evaluates `n` points, `in[k]` and `out[j]` being
  /// columns of `n` values that do not overlap (they are `restrict`, so the loop vectorises). Each operation node is one assignment, so shared subexpressions are
  /// computed once and the simplifier's Horner forms stay as they are; each node computes what
  /// `Program` computes (the same operand order, xᶜ the same way, and the file carries
  /// `Program`'s own exp, tanh and log), so the two agree to the last bits.
  ///
  /// Above `loopedThreshold` operations the file is written in the looped form
  /// (`loopedCFunctions`): the same values, computed group by group over a scratch array, so
  /// that it compiles in seconds however large the graph is; `NAME` and `NAME_batch` then
  /// allocate that array with `malloc` and, should it fail, write NaN to every output.
  ///
  /// With `stabilizing` (the default) the file computes the graph's stable forms
  /// (`stabilized()`), as `compgraph eval` does.
  ///
  /// A graph with tensors is written as loops over flat arrays (`tensorCCode`): `in` holds every
  /// variable's elements row-major, one variable after another, and `out` every output's.
  ///
  /// **f32.** Each node of a scalar graph computes in its own type: an f32 node is a `float`,
  /// computed with the spelling table's f32 kernels (`Spelling.kernelF32`: the float exp, log and
  /// tanh of `cg_math_f32.h`, the other functions the double libm's rounded once), as an f32
  /// `Program` computes it. A graph whose variables and outputs are all f32 takes and gives
  /// `float`s (`const float *in, float *out`); any other, `double`s, an f32 variable's value
  /// rounded to float as it is read. The looped form holds one type: a large graph mixing f32
  /// and f64 operations is refused, and so is a tensor graph with f32 values.
  ///
  /// Throws for a `name` that is not a C identifier.
  public func cCode(name: String = "f", stabilizing: Bool = true) throws -> String {
    let graph = stabilizing ? stabilized() : self
    return try graph.cCode(name: name, looped: graph.operationCount > Self.loopedThreshold)
  }

  /// The type of the C file's inputs and outputs: f32 when the graph has f32 values and its
  /// variables and outputs are all f32, else f64.
  var cInterfaceType: DType {
    let f32 =
      nodes.types.contains(.f32) && variableTypes.values.allSatisfy { $0 == .f32 }
      && outputs.allSatisfy { dtype($0) == .f32 }
    return f32 ? .f32 : .f64
  }

  /// The operation count above which `cCode(name:)` writes the looped form: straight-line code
  /// longer than this takes C compilers minutes (their instruction scheduling, selection and
  /// register allocation are superlinear in the length of one basic block).
  static let loopedThreshold = 2000

  /// `cCode(name:)` in the straight-line form or the looped one, taking and giving values of
  /// `interface` (by default `cInterfaceType`; the native backend asks for f64).
  func cCode(name: String, looped: Bool, interface: DType? = nil) throws -> String {
    let interface = interface ?? cInterfaceType
    guard isCIdentifier(name) else {
      throw GraphError.unsupported(
        "C export: '\(displayText(name, limit: 80))' cannot name a C function: use letters, digits and '_', not starting with a digit, and not a name C reserves (a keyword, a name <math.h>, <stddef.h>, <stdint.h>, <stdlib.h> or <string.h> declares, errno, or one beginning with '__' or '_' and a capital) nor a helper the file defines (exp_inline, reduce, …)"
      )
    }
    if let matrix = ids.first(where: { op($0).matrixFunction != nil }) {
      throw cLinearAlgebraRefusal(op(matrix))
    }
    if case .scan(let spec) = ids.lazy.map(op).first(where: { $0.kind == .scan }) {
      throw spec.refusal(by: "C export", as: "a C loop")
    }
    if ids.contains(where: { !shape($0).isEmpty }) {
      // The loops over tensors are written in f64 only.
      try requireF64(for: "C export")
      return try tensorCCode(name: name) { inputs, outputs in
        cHeader(
          name: name,
          inputs:
            " * Inputs, in[…] (each variable's elements row-major; \(name)_batch: in[k][i]):\n"
            + inputs,
          outputs: " * Outputs, out[…] (\(name)_batch: out[j][i]; columns must not overlap):\n"
            + outputs)
      }
    }
    let inputs = variables.map(\.name)
    let inputIndex = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ($1, $0) })
    let type = interface.cName
    let header = cHeader(
      name: name,
      inputs: " * Inputs, in[k] (\(name)_batch: in[k][i]):\n"
        + inputs.enumerated().map { " *   \($0)  \($1)\n" }.joined(),
      outputs: " * Outputs, out[j] (\(name)_batch: out[j][i]; columns must not overlap):\n"
        + outputNames.enumerated().map { " *   \($0)  \($1)\n" }.joined())
    if looped {
      return try header + withHelpers(loopedCFunctions(name: name, interface: interface))
    }
    let point = try body(
      input: { "in[\(inputIndex[$0]!)]" }, output: { "out[\($0)]" }, interface: interface,
      indent: "  ")
    let batch = try body(
      input: { "in\(inputIndex[$0]!)[i]" }, output: { "out\($0)[i]" }, interface: interface,
      indent: "    ")
    // The columns as restrict pointers, so the loop over points vectorises.
    let columns =
      inputs.indices.map { "  const \(type) *restrict in\($0) = in[\($0)];\n" }.joined()
      + outputs.indices.map { "  \(type) *restrict out\($0) = out[\($0)];\n" }.joined()
    // A graph without variables reads no input.
    let unused = inputs.isEmpty ? "  (void)in;\n" : ""
    return header
      + withHelpers(
        "void \(name)(const \(type) *in, \(type) *out) {\n\(unused)\(point)}\n\n"
          + "void \(name)_batch(size_t n, const \(type) *const *in, \(type) *const *out) {\n"
          + unused + columns + "  for (size_t i = 0; i < n; i++) {\n\(batch)  }\n}\n")
  }

  /// The file's first comment (its inputs and outputs, how to compile it) and includes.
  private func cHeader(name: String, inputs: String, outputs: String) -> String {
    var header = "/* \(name): generated by compgraph (\(operationCount) operations).\n *\n"
    header += inputs + outputs
    header +=
      " *\n * C99, needs only libm: cc -O2 -c \(name).c (with -march=native, or -mfma, its fma\n"
      + " * calls are single instructions instead of library calls: the same values, faster) */\n"
    return header
      + "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
  }

  /// `functions` after the helpers of `cg_math.h` they call, one statement a line.
  func withHelpers(_ functions: String) -> String {
    let helpers = CHelper.definitions(calledBy: functions)
    guard !helpers.isEmpty else { return functions }
    return
      "/* Program's own functions (branch-free, so loops over them vectorise; fma rounds once everywhere). */\n"
      + helpers + "\n" + functions
  }

  /// One `const double tK = …;` (`float` for an f32 node) per operation node, then the
  /// outputs; inputs and outputs are values of `interface`.
  private func body(
    input: (String) -> String, output: (Int) -> String, interface: DType, indent: String
  ) throws -> String {
    var names = [String](repeating: "", count: nodeCount)
    var lines = ""
    for id in ids {
      let type = dtype(id)
      // An f32 node's operands are f32 but for literals (weak, f64), rounded as they meet it:
      // a float literal, or a weak node's value cast.
      let x = inputs(id).map { operand in
        guard type == .f32 && dtype(operand) != .f32 else { return names[operand.index] }
        if case .constant(let t) = op(operand) { return cLiteral(t.scalars[0], .f32) }
        return "(float)(\(names[operand.index]))"
      }
      switch op(id) {
      case .variable(let variable):
        let read = input(variable)
        names[id.index] = type == .f32 && interface == .f64 ? "(float)\(read)" : read
      case .constant(let t): names[id.index] = cLiteral(t.scalars[0], t.dtype)
      case let op:
        names[id.index] = "t\(id.index)"
        lines +=
          "\(indent)const \(type.cName) t\(id.index) = \(try cExpression(op, x, type: type));\n"
      }
    }
    for (j, id) in outputs.enumerated() { lines += "\(indent)\(output(j)) = \(names[id.index]);\n" }
    return lines
  }
}

extension DType {
  /// The C type that holds a value of this type.
  var cName: String {
    switch self {
    case .f32: "float"
    case .f64: "double"
    }
  }
}

/// The C expression of an operation node of a scalar graph on its operands' C names, computing
/// what `Program`'s kernel for the op computes in the node's `type` (`Sources/CKernels/kernels.c`,
/// `kernels_f32.c` for f32); without `helpers`, in libm's functions and expressions alone (the
/// spelling table's `c` column, for statements that cannot carry the helpers' definitions:
/// `Graph.text(.c)` of a tensor graph), which is f64 only.
func cExpression(_ op: Op, _ x: [String], helpers: Bool = true, type: DType = .f64) throws
  -> String
{
  switch op.written {
  case .variable, .constant: preconditionFailure("leaves are named, not computed")
  case .row(let spelling):
    (type == .f32 ? spelling.kernelF32 : helpers ? spelling.kernel : spelling.c).filled(x)
  case .cast(let target): "(\(target.cName))(\(x[0]))"
  // A long sum as four running sums, as Program adds it (CG_SPLIT_SUM in ckernels.h).
  case .add where x.count >= Int(CG_SPLIT_SUM):
    splitSum(x)
  case .add: x.joined(separator: " + ")
  // A contraction of scalars is their product.
  case .mul, .structure(.einsum): x.joined(separator: " * ")
  case .pow(let c): type == .f32 ? cPowerF32(x[0], c) : cPower(x[0], c, helpers: helpers)
  // Summing, broadcasting or reshaping a scalar to a scalar is the scalar.
  case .structure(.sumTo), .structure(.broadcastTo), .structure(.reshape): x[0]
  // A custom op's kernel takes and gives doubles; an f32 node rounds its result.
  case .custom(let custom):
    type == .f32 ? "(float)(\(try cSpelling(custom, x)))" : try cSpelling(custom, x)
  case .structure(.matrix): throw cLinearAlgebraRefusal(op)
  case .structure(.scan(let spec)): throw spec.refusal(by: "C export", as: "a C loop")
  // Ops along an axis have tensor operands: written as loops (`tensorCCode`).
  case .structure(.reduceMax), .structure(.slice), .structure(.pad), .structure(.oneHot),
    .structure(.patches), .structure(.unpatches):
    preconditionFailure("written by tensorCCode")
  }
}

/// A custom op's C spelling with `$k` replaced by operand k (parenthesised).
private func cSpelling(_ op: CustomOp, _ x: [String]) throws -> String {
  guard let template = op.spellings[.c] else {
    throw GraphError.unsupported(
      "C export: the custom op '\(op.name)' has no C spelling; give its CustomOp `spellings: [.c: …]`"
    )
  }
  return x.indices.reversed().reduce(template) {
    $0.replacingOccurrences(of: "$\($1)", with: "(\(x[$1]))")
  }
}

/// Operands j, j + 4, j + 8, … added in order for j = 0 … 3, then (s₀ + s₁) + (s₂ + s₃).
private func splitSum(_ x: [String]) -> String {
  let s = (0..<4).map { j in stride(from: j, to: x.count, by: 4).map { x[$0] } }
  return "((\(s[0].joined(separator: " + "))) + (\(s[1].joined(separator: " + "))))"
    + " + ((\(s[2].joined(separator: " + "))) + (\(s[3].joined(separator: " + "))))"
}

/// xᶜ as `Program` computes it: small cases multiplied out, other integer exponents up to 127 by
/// binary powering (`powi_inline`), anything else by `pow`.
private func cPower(_ x: String, _ c: Double, helpers: Bool) -> String {
  switch c {
  case 1: return x
  case 2: return "\(x) * \(x)"
  case 3: return "\(x) * \(x) * \(x)"
  case -1: return "1.0 / \(x)"
  case 0.5: return "sqrt(\(x))"
  // As C's pow: 0 at −∞ and +∞ at −0 (where 1/√x would give NaN and −∞).
  case -0.5: return "(\(x) == -INFINITY ? 0.0 : 1.0 / sqrt(\(x) + 0.0))"
  case _ where isBinaryPowered(c) && helpers: return "powi_inline(\(x), \(cLiteral(c)))"
  default: return "pow(\(x), \(cLiteral(c)))"
  }
}

/// xᶜ for a float x as an f32 `Program` computes it (`kernels_f32.c`): x³ and other exponents
/// by `pow` in double, rounded once; integer exponents up to 127 by binary powering in float.
private func cPowerF32(_ x: String, _ c: Double) -> String {
  switch c {
  case 1: return x
  case 2: return "\(x) * \(x)"
  case 3: return "(float)((double)\(x) * \(x) * \(x))"
  case -1: return "1.0f / \(x)"
  case 0.5: return "sqrtf(\(x))"
  case -0.5: return "rsqrtf_inline(\(x))"
  case _ where isBinaryPowered(c): return "powif_inline(\(x), \(cLiteral(c)))"
  default: return "(float)pow((double)\(x), \(cLiteral(c)))"
  }
}

/// Whether `cPower` computes xᶜ with `powi_inline`.
private func isBinaryPowered(_ c: Double) -> Bool {
  ![1, 2, 3, -1, 0.5, -0.5].contains(c) && abs(c) <= 127 && c == c.rounded()
}

/// A double as a C literal that reads back to the same value; an f32 value as a float literal
/// (`0.1f`).
func cLiteral(_ value: Double, _ type: DType = .f64) -> String {
  let value = type.round(value)
  if value.isNaN { return "NAN" }
  if value.isInfinite { return value < 0 ? "(-INFINITY)" : "INFINITY" }
  let text = type == .f32 ? "\(Float(value))f" : "\(value)"
  return value < 0 ? "(\(text))" : text
}

/// Whether `name` can name a C function here: an identifier that C does not reserve
/// (`CNames`) and that is not one of the helpers the file carries (`CHelper`).
func isCIdentifier(_ name: String) -> Bool {
  isCSpelling(name) && !CNames.isReserved(name) && !CHelper.names.contains(name)
}

/// Whether `name` is spelled as a C identifier: ASCII letters, digits and `_`, not starting with
/// a digit.
func isCSpelling(_ name: String) -> Bool {
  guard let first = name.unicodeScalars.first, first.isASCII,
    first.properties.isAlphabetic || first == "_"
  else { return false }
  return name.unicodeScalars.allSatisfy {
    $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_")
  }
}

/// The C export's refusal of a linear-algebra op, by name: the C file needs only libm, and a
/// matrix function needs LAPACK.
func cLinearAlgebraRefusal(_ op: Op) -> GraphError {
  .unsupported(
    "C export: '\(op.info.name)' is a linear-algebra op (LAPACK), and the C export needs only libm; evaluate the graph with CompGraph, or export it as JAX or NumPy (--format jax, --format python)"
  )
}
