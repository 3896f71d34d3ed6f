// Generated from the spelling table (Sources/CompGraph/Graph/Op+Spelling.swift): do not
// edit. After changing a row, rewrite it with
//   COMPGRAPH_WRITE_KERNELS=1 swift test --filter SpellingTableTests
// OP(code, arity, loop, expression) for each elementwise op: the expression computes it on
// the operands X, Y, Z; loop is LANES where it vectorises, CALLS for libm calls.
#define CG_ELEMENTWISE(OP) \
  OP(CG_POWER, 2, CALLS, pow(X, Y)) \
  OP(CG_EXP, 1, LANES, exp_inline(X)) \
  OP(CG_LN, 1, LANES, log_inline(X)) \
  OP(CG_SQRT, 1, LANES, sqrt(X)) \
  OP(CG_SIN, 1, CALLS, sin(X)) \
  OP(CG_COS, 1, CALLS, cos(X)) \
  OP(CG_TANH, 1, LANES, tanh_inline(X)) \
  OP(CG_ABS, 1, LANES, fabs(X)) \
  OP(CG_SIGN, 1, LANES, sign_inline(X)) \
  OP(CG_MAX, 2, LANES, max_inline(X, Y)) \
  OP(CG_MIN, 2, LANES, min_inline(X, Y)) \
  OP(CG_LESS, 2, LANES, X < Y ? 1.0 : 0.0) \
  OP(CG_LESS_EQUAL, 2, LANES, X <= Y ? 1.0 : 0.0) \
  OP(CG_GREATER, 2, LANES, X > Y ? 1.0 : 0.0) \
  OP(CG_GREATER_EQUAL, 2, LANES, X >= Y ? 1.0 : 0.0) \
  OP(CG_EQUAL, 2, LANES, X == Y ? 1.0 : 0.0) \
  OP(CG_WHERE, 3, LANES, X != 0 ? Y : Z) \
  OP(CG_TAN, 1, CALLS, tan(X)) \
  OP(CG_ATAN, 1, CALLS, atan(X)) \
  OP(CG_ASIN, 1, CALLS, asin(X)) \
  OP(CG_ACOS, 1, CALLS, acos(X)) \
  OP(CG_SINH, 1, CALLS, sinh(X)) \
  OP(CG_COSH, 1, CALLS, cosh(X)) \
  OP(CG_ERF, 1, CALLS, erf(X)) \
  OP(CG_LOG1P, 1, CALLS, log1p(X)) \
  OP(CG_EXPM1, 1, CALLS, expm1(X)) \
  OP(CG_CBRT, 1, CALLS, cbrt(X)) \
  OP(CG_ATAN2, 2, CALLS, atan2(X, Y))
