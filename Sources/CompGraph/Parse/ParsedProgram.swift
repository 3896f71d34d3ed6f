/// The outputs of a parsed program, in the order the program names them.
public struct ParsedProgram {
  public let outputs: [(name: String, expr: Expr)]
  /// What parsed but is probably a mistake: `let` bindings that nothing
  /// uses, in source order (each `description` reads `3:5: warning: …`).
  public let warnings: [ParseError]

  /// Every variable in the program's builder, by name: for a program parsed
  /// into a fresh builder, the ones it writes, also where only an unused
  /// `let` or a `var` line names them (binding one is not an error).
  public var writtenVariables: [(name: String, shape: Shape)] {
    outputs[0].expr.builder.variables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  /// Freezes the outputs into an immutable graph with their names.
  public func graph() throws -> Graph {
    try outputs[0].expr.graph(names: outputs.map(\.name), with: outputs.dropFirst().map(\.expr))
  }
}

/// Parses an expression or a program file into `builder`.
///
/// `declarations` gives tensor variables their shapes (the CLI's
/// `--var A=2x3`) and `dtypes` their element types (`--var A=2x3:f32`); any
/// other name is a scalar variable, so `x*y` needs none.  A variable whose
/// element type is given nowhere has `defaultDType` (the CLI's `--dtype`).
/// A program with `var` lines declares all its variables: a name that is
/// neither declared nor bound there is an error ("did you mean …").
/// A bare expression is the output `f`.
///
/// The grammar (EBNF; `{ }` repeats, `[ ]` is optional).  Newlines end
/// statements except inside parentheses and after an operator; `#` starts a
/// comment that runs to the end of the line.
///
///     program     = { statement } ;
///     statement   = [ declaration | binding | output | expression ] ( newline | ";" | end ) ;
///     declaration = "var" name [ ":" type ] { "," name [ ":" type ] } ;
///     type        = shape [ dtype ] | dtype ;                    (* 2x3 f32, f32 *)
///     shape       = "scalar" | extent { "x" extent } ;           (* 2x3, 5 *)
///     dtype       = "f32" | "f64" ;                              (* f64 if not given *)
///     binding     = "let" name "=" expression | "let" name { "," name } "=" scan ;
///     scan        = "scan" name "(" name { "," name } ")" "{" { binding newline }
///                   expression { "," expression } "}"
///                   ( "over" expression { "," expression } | "for" digits )
///                   "from" expression { "," expression }
///                   [ "reverse" ] [ "checkpoint" ( digits | "sqrt" ) ] ;
///     output      = "out" name "=" expression ;                  (* also binds name *)
///     expression  = sum { ( "<" | "<=" | ">" | ">=" | "==" ) sum } ;   (* 1 or 0 *)
///     sum         = term { ( "+" | "-" ) term } ;
///     term        = unary { ( "*" | "/" ) unary } ;
///     unary       = "-" unary | power ;
///     power       = primary [ "^" unary ] ;                      (* right-associative *)
///     primary     = number | constant | tensor | name | call | "(" expression ")" ;
///     constant    = "pi" | "e" | "inf" | "nan" ;                 (* not usable as names *)
///     tensor      = "[" ( item { "," item } | tensor { "," tensor } ) "]" ;  (* even rows *)
///     item        = [ "-" ] number | "nan" | "inf" | "-inf" ;
///     call        = function "(" expression { "," expression } ")"
///                 | "einsum" "(" string "," expression { "," expression } ")"
///                 | ( "broadcast_to" | "sum_to" | "reshape" ) "(" expression "," shape ")"
///                 | "cast" "(" expression "," dtype ")" ;
///     function    = "exp" | "ln" | "log" | "log2" | "log10" | "log1p" | "expm1" | "sqrt"
///                 | "cbrt" | "sin" | "cos" | "tan" | "tanh" | "asin" | "acos" | "atan" | "atan2"
///                 | "sinh" | "cosh" | "erf" | "abs" | "sign" | "relu" | "sigmoid"
///                 | "softplus" | "pow" | "max" | "min" | "where" | "sum" | "mean" | "amax"
///                 | "logsumexp" | "softmax" | "logsoftmax" | "index" | "slice" | "pad"
///                 | "concat" | "one_hot" | "gather" | "cross_entropy" | "matmul"
///                 | "transpose" | "trace" | "dot" | "solve" | "inv" | "det" | "cholesky"
///                 | "logdet" | "triangular_solve" ;         (* axes, sizes: integer numbers *)
///     number      = ( digits [ "." { digit } ] | "." digits ) [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
///     name        = ( letter | "_" ) { letter | digit | "_" } ;  (* ASCII *)
///     string      = '"' { any character but '"' and newline } '"' ;
///
/// `scope name { … }` puts the nodes its statements build in the scope
/// `name` (scopes nest); `compgraph render` draws each scope as a cluster.
/// Names bound inside a scope stay visible after it.
///
/// `let hT, ys = scan step(h, x) { let n = tanh(h*w + x); n, n*n } over xs from h0` folds the
/// body over the rows of `xs` (`for N` runs N steps with no sequence): its parameters are the
/// carries (one per value after `from`), then the rows (one per sequence after `over`); its
/// last line lists the next carries, then the per-step outputs; a name of the program it reads
/// (`w`) is a closed-over value. The names bound are the final carries, then the outputs
/// stacked along a new leading axis. `reverse` runs the steps from the last row;
/// `checkpoint k` (or `sqrt`) makes a gradient store one carry in k (the DocC article "Loops").
///
/// `triangular_solve(L, B, lower, transpose)` takes its flags as 1 or 0 (lower 1 and
/// transpose 0 when left out).
///
/// So `-x^2` is `-(x^2)`, `2^-1` is `2^(-1)` and `a^b^c` is `a^(b^c)`.  `log` is
/// the natural logarithm.  An exponent made of numbers only (`x^2`, `x^-2`,
/// `x^(1/2)`, `pow(x, 3)`) gives the constant-exponent power; any other is
/// the `power` op (exact for integer exponents, also of negative bases).  `var`, `let` and `out` are keywords only at the start of
/// a statement and before a name.
///
/// Parsing uses explicit stacks, never recursion, so any nesting depth parses.
public func parseProgram(
  _ source: String, declarations: [String: Shape] = [:], dtypes: [String: DType] = [:],
  defaultDType: DType = .f64, into builder: GraphBuilder
)
  throws(ParseError) -> ParsedProgram
{
  var parser = Parser(
    source, declarations: declarations, dtypes: dtypes, defaultDType: defaultDType,
    builder: builder)
  let outer = builder.currentScope
  defer { builder.enter(outer) }
  return try parser.parseProgram()
}
