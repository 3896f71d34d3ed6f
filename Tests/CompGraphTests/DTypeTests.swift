import Foundation
import Testing

@testable import CompGraph

/// The element type: promotion, casts, hash-consing, the reference
/// evaluator's f32 rounding, constant folding in the node's type, parsing,
/// listings, and every op's derivatives in f32 against the same graph in f64.
@Suite struct DTypeTests {
  @Test func promotionFollowsJAX() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32)
    let y = try g.variable("y")
    let c = try g.variable("c", dtype: .f32)
    #expect((x * 2).dtype == .f32)  // a literal takes the other side's type
    #expect((2 + x).dtype == .f32)
    #expect((x + y).dtype == .f64)  // f32 with f64 is f64
    #expect(exp(x).dtype == .f32)
    #expect(select(y, x, x * 3).dtype == .f32)  // the condition only selects
    #expect(select(c, y, y).dtype == .f64)
    #expect(cast(y, .f32).dtype == .f32)
    #expect(cast(x, .f64).dtype == .f64)
    #expect(g.constant(2).dtype == .f64)
    #expect((g.constant(2) * g.constant(3)).dtype == .f64)
    #expect(try cast(x, .f32).node() == x.node())  // a cast to its own type is the value
    let t = try g.variable("T", [2, 3], dtype: .f32)
    #expect(matmul(t, g.constant(Tensor(shape: [3], scalars: [1, 2, 3]))).dtype == .f32)
  }

  @Test func aVariableKeepsOneElementType() throws {
    let g = GraphBuilder()
    _ = try g.variable("x", dtype: .f32)
    #expect(throws: GraphError.conflictingVariableType(name: "x", types: [.f32, .f64])) {
      try g.variable("x")
    }
    #expect(
      GraphError.conflictingVariableType(name: "x", types: [.f32, .f64]).description
        == "variable 'x' is used with two element types: f32 and f64; declare it once, and "
        + "convert with cast(x, f32) where the other is needed")
  }

  /// ARCHITECTURE.md invariant 3: a constant is keyed by its type and bits.
  @Test func constantsAreInternedByTypeAndBits() throws {
    let g = GraphBuilder()
    let literal = g.constantNode(0.5)
    let single = g.constantNode(Tensor(shape: [], scalars: [0.5], dtype: .f32))
    #expect(literal != single)
    #expect(g.constantNode(Tensor(shape: [], scalars: [0.5], dtype: .f32)) == single)
    #expect(g.dtype(single) == .f32)
    // 0.1 is rounded to the f32 nearest it when the constant is made.
    let tenth = Tensor(shape: [], scalars: [0.1], dtype: .f32)
    #expect(tenth.scalars[0] == Double(Float(0.1)))
    #expect(tenth != Tensor(Double(Float(0.1))))
  }

  @Test func theReferenceEvaluatorRoundsEveryF32Node() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32)
    let y = try g.variable("y")
    let f = try (x * 0.1 + 1).graph(with: [exp(x), x + y, cast(y, .f32)])
    let values = try f.evaluate(["x": 3.3, "y": 0.1])
    let x32 = Float(3.3)
    #expect(values[0].scalars[0] == Double(x32 * Float(0.1) + 1))
    #expect(values[0].dtype == .f32)
    #expect(abs(values[1].scalars[0] - Double(expf(x32))) <= Double(expf(x32).ulp))
    #expect(values[2].scalars[0] == Double(x32) + 0.1)  // promoted: exact
    #expect(values[2].dtype == .f64)
    #expect(values[3].scalars[0] == Double(Float(0.1)))
    // A program runs them as the reference does.
    let program = try Program(f)
    #expect(try program.evaluate(["x": 3.3, "y": 0.1]) == values.map { $0.scalars[0] })
    #expect(try program.evaluate(["x": Tensor(3.3), "y": Tensor(0.1)]) == values)
  }

  @Test func castToF32RoundsToNearestAndOverflowsToInfinity() throws {
    let g = GraphBuilder()
    let y = try g.variable("y")
    let f = try cast(y, .f32).graph()
    for value in [0.1, -0.0, 1e-46, 3.5e38, -3.5e38, .nan, .infinity, 16_777_217] {
      let result = try f.evaluate(["y": value])[0].scalars[0]
      let expected = Double(Float(value))
      #expect(result.bitPattern == expected.bitPattern || (result.isNaN && expected.isNaN))
    }
    #expect(try f.evaluate(["y": 16_777_217])[0].scalars[0] == 16_777_216)  // ties to even
  }

  @Test func foldingComputesInTheNodesType() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32)
    // cast(0.1, f32) · 3 folds to the f32 product of the f32 tenth and 3.
    let f = simplify(cast(g.constant(0.1), .f32) * 3 * x)
    let graph = try f.graph()
    let constants = graph.ids.compactMap { id -> Tensor? in
      if case .constant(let t) = graph.op(id) { return t }
      return nil
    }
    #expect(constants.contains { $0.dtype == .f32 && $0.scalars[0] == Double(Float(0.1) * 3) })
    #expect(graph.dtype(graph.outputs[0]) == .f32)
    // A literal computation stays f64.
    let h = try simplify(g.constant(0.1) * 3 + x).graph()
    #expect(h.ids.contains { h.op($0) == .constant(Tensor(0.1 * 3)) })
  }

  @Test func simplifyingKeepsEveryOutputsType() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32)
    let y = try g.variable("y")
    // x − x is a literal 0 in the normal form: the f32 output stays f32.
    for f in [x - x, (x + y) - y, x * y - x * y, cast(y - y, .f32) * 2] {
      let before = try f.graph()
      let after = simplify(before)
      #expect(after.dtype(after.outputs[0]) == before.dtype(before.outputs[0]), "\(before.listing)")
      let point = ["x": Tensor(1.7), "y": Tensor(0.3)]
      #expect(try after.evaluate(point)[0].dtype == before.evaluate(point)[0].dtype)
    }
  }

  @Test func derivativesHaveTheirVariablesTypes() throws {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: .f32)
    let y = try g.variable("y")
    let f = x * y + x
    let grads = try gradient(of: f, wrt: [x, y])
    #expect(grads[0].dtype == .f32)
    #expect(grads[1].dtype == .f64)
    // d cast(y, f32)/dy is cast back: f64.
    let d = try gradient(of: sin(cast(y, .f32)), wrt: y)
    #expect(d.dtype == .f64)
    let value = try d.evaluate(["y": 0.3])
    #expect(value == Double(cosf(Float(0.3))))
    // A constant output still has the variable's type.
    #expect(try gradient(of: x * 0 + 3, wrt: x).dtype == .f32)
    #expect(try gradient(of: x, wrt: x).dtype == .f32)
    let tangent = try jvp(of: x * x, tangents: [(x, g.constant(1))])
    #expect(tangent.dtype == .f32)
  }

  @Test func programsDeclareAndCastElementTypes() throws {
    let source = """
      var W: 2x3 f32, b: f32, s
      out f = sum(W) * b + cast(s, f32)
      out g = s * 2
      """
    let program = try parseProgram(source, into: GraphBuilder())
    let graph = try program.graph()
    #expect(graph.variableTypes == ["W": .f32, "b": .f32, "s": .f64])
    #expect(graph.dtype(graph.outputs[0]) == .f32)
    #expect(graph.dtype(graph.outputs[1]) == .f64)
    // The CLI's --dtype and --var A=2x3:f32.
    let typed = try parseProgram(
      "x * y + sum(A)", declarations: ["A": [2]], dtypes: ["A": .f64], defaultDType: .f32,
      into: GraphBuilder()
    ).graph()
    #expect(typed.variableTypes == ["x": .f32, "y": .f32, "A": .f64])
  }

  @Test func badElementTypesAreReported() throws {
    #expect(throws: ParseError.self) { try parseProgram("cast(x, f16)", into: GraphBuilder()) }
    do {
      _ = try parseProgram("cast(x, f16)", into: GraphBuilder())
    } catch {
      #expect("\(error)".contains("invalid element type 'f16': write f32 or f64"), "\(error)")
    }
    do {
      _ = try parseProgram("var x: f32\nvar x: f64\nx", into: GraphBuilder())
      Issue.record("a redeclared variable parsed")
    } catch {
      #expect("\(error)".contains("x"), "\(error)")
    }
    do {
      _ = try parseProgram("var W: 2x3 f16\nW", into: GraphBuilder())
      Issue.record("f16 parsed")
    } catch {
      #expect(
        "\(error)".contains(
          "expected an element type (f32 or f64), ',' or end of line, found 'f16'"),
        "\(error)")
    }
    do {
      _ = try parseProgram("cast(x)", into: GraphBuilder())
      Issue.record("cast without a type parsed")
    } catch {
      #expect("\(error)".contains("an expression and an element type, f32 or f64"), "\(error)")
    }
  }

  @Test func listingsAndTextShowF32() throws {
    let graph = try parseProgram("var x: f32\nx * 0.5 + cast(0.1, f32)", into: GraphBuilder())
      .graph()
    let listing = graph.listing
    #expect(listing.contains("lambda x:f32[]"), "\(listing)")
    #expect(listing.contains(":f32[] = mul x 0.5"), "\(listing)")
    #expect(listing.contains(":f32[] = cast 0.1"), "\(listing)")
    // The text form reads back to the same graph.
    let text = graph.infix(of: graph.outputs[0])
    #expect(text.contains("cast(0.1, f32)"), "\(text)")
    let again = try parseProgram("var x: f32\n" + text, into: GraphBuilder()).graph()
    #expect(again.infix(of: again.outputs[0]) == text)
    #expect(try again.evaluate(["x": 0.7]) == graph.evaluate(["x": 0.7]))
    // An f64 graph's listing has no f32.
    #expect(!(try parseProgram("x * 0.5", into: GraphBuilder()).graph().listing.contains("f32")))
  }

}

/// Every op, and its first and second derivatives, in f32 against the same
/// graph in f64: `OpRow`'s composite expression of each op with x and y
/// declared f32, then f64.
@Suite struct F32AgainstF64Tests {
  /// The composite, its gradient and the gradient of ∂f/∂x (second
  /// derivatives ∂²f/∂x², ∂²f/∂x∂y), with x and y of type `dtype`.
  static func derivatives(_ kind: Op.Kind, _ dtype: DType) throws -> Graph {
    let g = GraphBuilder()
    let x = try g.variable("x", dtype: dtype), y = try g.variable("y", dtype: dtype)
    let f = OpRow.row(kind).composite(x, y)
    let first = try gradient(of: f, wrt: [x, y])
    let second = try gradient(of: first[0], wrt: [x, y])
    return try f.graph(
      names: ["f", "∂f/∂x", "∂f/∂y", "∂²f/∂x²", "∂²f/∂x∂y"], with: first + second)
  }

  /// Within relative `1e-5`, or `ulps` f32 ulps of the f64 value's
  /// magnitude `scale` where it is smaller than the terms that made it.
  static func close(_ a: Double, _ b: Double, scale: Double, ulps: Double = 8) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if !b.isFinite { return a == b }
    return abs(a - b) <= max(1e-5 * abs(b), ulps * Double(Float(scale).ulp))
  }

  /// The kinds that compute in f32: all but scan, whose values are f64 (`ScanTests` checks that
  /// an f32 operand is refused).
  static let kinds = Op.Kind.allCases.filter { $0.category != .loop }

  @Test(arguments: kinds)
  func derivativesToOrderTwoMatchF64(_ kind: Op.Kind) throws {
    let single = try Self.derivatives(kind, .f32)
    let double = try Self.derivatives(kind, .f64)
    // Every output but a constant one has the variables' type.
    for output in single.outputs where !single.op(output).isLeaf {
      #expect(single.dtype(output) == .f32, "\(kind): \(single.listing)")
    }
    for (px, py) in OpRow.row(kind).points {
      // The point as f32 values, so both graphs start from the same inputs.
      let point = ["x": Tensor(Double(Float(px))), "y": Tensor(Double(Float(py)))]
      let a = try single.evaluate(point), b = try double.evaluate(point)
      for k in a.indices {
        let scale = b[k].scalars.map(abs).max() ?? 0
        for (u, v) in zip(a[k].scalars, b[k].scalars) {
          if single.dtype(single.outputs[k]) == .f32 {
            #expect(u.isNaN || Double(Float(u)) == u, "\(kind): \(u) is not an f32 value")
          }
          #expect(
            Self.close(u, v, scale: max(1, scale)),
            "\(kind) \(single.outputNames[k]) at (\(px), \(py)): f32 \(u), f64 \(v)")
        }
      }
    }
  }
}

extension F32AgainstF64Tests {
  /// The elementary functions in f32 at edge points (signed zeros, a
  /// subnormal, huge and past-overflow arguments, ±∞, NaN, domain ends)
  /// against the C library's f32 functions: within one f32 ulp, and exactly
  /// at the special values.
  @Test func elementaryFunctionsAtEdgesMatchTheCLibrarysF32Functions() throws {
    let functions: [(String, (Expr) -> Expr, (Float) -> Float)] = [
      ("exp", exp, Foundation.exp), ("ln", ln, Foundation.log), ("sqrt", sqrt, Foundation.sqrt),
      ("sin", sin, Foundation.sin), ("cos", cos, Foundation.cos), ("tanh", tanh, Foundation.tanh),
      ("tan", tan, Foundation.tan), ("atan", atan, Foundation.atan),
      ("asin", asin, Foundation.asin), ("acos", acos, Foundation.acos),
      ("sinh", sinh, Foundation.sinh), ("cosh", cosh, Foundation.cosh),
      ("erf", erf, Foundation.erf), ("log1p", log1p, Foundation.log1p),
      ("expm1", expm1, Foundation.expm1), ("cbrt", cbrt, Foundation.cbrt),
    ]
    let edges: [Float] = [
      0, -0.0, Float.leastNormalMagnitude / 4, -Float.leastNormalMagnitude / 4, 1, -1, 0.5, 88.7,
      89, -104, 3e38, -3e38, .infinity, -.infinity,
      .nan, 1.0000001, -0.9999999,
    ]
    for (name, build, reference) in functions {
      let g = GraphBuilder()
      let x = try g.variable("x", dtype: .f32)
      let graph = try build(x).graph()
      for edge in edges {
        let value = try graph.evaluate(["x": Double(edge)])[0].scalars[0]
        let expected = reference(edge)
        if expected.isNaN || value.isNaN {
          #expect(value.isNaN && expected.isNaN, "\(name)(\(edge)): \(value), libm \(expected)")
        } else if !expected.isFinite || expected == 0 {
          #expect(Float(value) == expected, "\(name)(\(edge)): \(value), libm \(expected)")
          #expect(Float(value).sign == expected.sign, "\(name)(\(edge)): sign of \(value)")
        } else {
          #expect(
            abs(Float(value) - expected) <= expected.ulp,
            "\(name)(\(edge)): \(value), libm \(expected)")
        }
      }
    }
  }
}
