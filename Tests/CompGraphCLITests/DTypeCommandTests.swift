import Foundation
import Testing

/// The element type from the command line: `--dtype`, `--var A=2x3:f32`, `.cg` declarations,
/// f32 values printed shortest, listings and pictures naming f32, and the errors.
@Suite struct DTypeCommandTests {
  @Test func dtypeMakesEveryUndeclaredVariableF32() throws {
    let run = try compgraph("eval", "x * 0.1 + 1", "--at", "x=3.3", "--dtype", "f32", "--grad")
    #expect(run == Run(status: 0, stdout: "f = 1.33\n∂f/∂x = 0.1\n", stderr: ""))
    // In f64 the same expression gives f64's rounding.
    let f64 = try compgraph("eval", "x * 0.1 + 1", "--at", "x=3.3")
    #expect(f64 == Run(status: 0, stdout: "f = 1.33\n", stderr: ""))
    let json = try compgraph("eval", "x * 0.1", "--at", "x=3.3", "--dtype", "f32", "--json")
    // The f32 product of the f32 values nearest 3.3 and 0.1.
    #expect(json.stdout == #"{"value": \#(Float(3.3) * Float(0.1))}"# + "\n")
  }

  @Test func aVarDeclarationCarriesItsType() throws {
    let run = try compgraph(
      "print", "sum(A) * y", "--var", "A=2x3:f32", "--var", "y=scalar:f64", "--dtype", "f32")
    #expect(
      run.stdout == """
        { lambda A:f32[2,3] y:f64[] ; let
            %1:f32[] = sum_to[] A
            %3:f64[] = cast %1
            %4:f64[] = mul y %3
          in (f=%4) }
        # 5 nodes, 4 edges, 3 operations

        """)
    let file = try compgraph(
      "print", "-", input: "var W: 2x2 f32, b: 2 f32\nout z = sum(W) + sum(b)\n")
    #expect(file.stdout.hasPrefix("{ lambda W:f32[2,2] b:f32[2] ; let"), "\(file)")
  }

  @Test func picturesNameF32() throws {
    let run = try compgraph("render", "var x: f32\nexp(x) * 2", "--format", "dot", "-o", "-")
    #expect(run.stdout.contains(#"label="x\nf32""#), "\(run.stdout)")
    #expect(run.stdout.contains(#"label="exp\nf32""#), "\(run.stdout)")
    let f64 = try compgraph("render", "exp(x) * 2", "--format", "dot", "-o", "-")
    #expect(!f64.stdout.contains("f32"))
  }

  @Test func badTypesAreRefused() throws {
    let dtype = try compgraph("eval", "x", "--at", "x=1", "--dtype", "f16")
    #expect(dtype.status != 0)
    #expect(dtype.stderr.contains("'f16' is not an element type: write f32 or f64"), "\(dtype)")
    let variable = try compgraph("eval", "sum(A)", "--var", "A=2:f16", "--at", "A=[1,2]")
    #expect(variable.status != 0)
    #expect(variable.stderr.contains("write e.g. A=2x3:f32 (f32 or f64)"), "\(variable)")
  }

  /// `emit c` writes an f32 graph in float, with the float kernels.
  @Test func emitCWritesF32GraphsInFloat() throws {
    let emit = try compgraph("emit", "c", "var x: f32\nexp(x) * 0.1", "-o", "-")
    #expect(emit.status == 0, "\(emit)")
    #expect(emit.stdout.contains("void f(const float *in, float *out)"), "\(emit.stdout)")
    #expect(emit.stdout.contains("expf_inline(in[0])"), "\(emit.stdout)")
    #expect(emit.stdout.contains("0.1f"), "\(emit.stdout)")
  }
}
