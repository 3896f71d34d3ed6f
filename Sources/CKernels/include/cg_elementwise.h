// Generated from the spelling table (Sources/CompGraph/Graph/Op+Spelling.swift): do not
// edit. After changing a row, rewrite it with
//   COMPGRAPH_WRITE_KERNELS=1 swift test --filter SpellingTableTests
// OP(code, arity, loop, expression, f32) for each elementwise op: the expression computes
// it on the double operands X, Y, Z, and f32 on float ones (kernels_f32.c); loop is LANES
// where it vectorises, CALLS for libm calls.
#define CG_ELEMENTWISE(OP) \
  OP(CG_POWER, 2, CALLS, pow(X, Y), (float)pow((double)X, (double)Y)) \
  OP(CG_EXP, 1, LANES, exp_inline(X), expf_inline(X)) \
  OP(CG_LN, 1, LANES, log_inline(X), logf_inline(X)) \
  OP(CG_SQRT, 1, LANES, sqrt(X), sqrtf(X)) \
  OP(CG_SIN, 1, CALLS, sin(X), (float)sin((double)X)) \
  OP(CG_COS, 1, CALLS, cos(X), (float)cos((double)X)) \
  OP(CG_TANH, 1, LANES, tanh_inline(X), tanhf_inline(X)) \
  OP(CG_ABS, 1, LANES, fabs(X), fabsf(X)) \
  OP(CG_SIGN, 1, LANES, sign_inline(X), signf_inline(X)) \
  OP(CG_MAX, 2, LANES, max_inline(X, Y), maxf_inline(X, Y)) \
  OP(CG_MIN, 2, LANES, min_inline(X, Y), minf_inline(X, Y)) \
  OP(CG_LESS, 2, LANES, X < Y ? 1.0 : 0.0, X < Y ? 1.0f : 0.0f) \
  OP(CG_LESS_EQUAL, 2, LANES, X <= Y ? 1.0 : 0.0, X <= Y ? 1.0f : 0.0f) \
  OP(CG_GREATER, 2, LANES, X > Y ? 1.0 : 0.0, X > Y ? 1.0f : 0.0f) \
  OP(CG_GREATER_EQUAL, 2, LANES, X >= Y ? 1.0 : 0.0, X >= Y ? 1.0f : 0.0f) \
  OP(CG_EQUAL, 2, LANES, X == Y ? 1.0 : 0.0, X == Y ? 1.0f : 0.0f) \
  OP(CG_WHERE, 3, LANES, X != 0 ? Y : Z, X != 0 ? Y : Z) \
  OP(CG_TAN, 1, CALLS, tan(X), (float)tan((double)X)) \
  OP(CG_ATAN, 1, CALLS, atan(X), (float)atan((double)X)) \
  OP(CG_ASIN, 1, CALLS, asin(X), (float)asin((double)X)) \
  OP(CG_ACOS, 1, CALLS, acos(X), (float)acos((double)X)) \
  OP(CG_SINH, 1, CALLS, sinh(X), (float)sinh((double)X)) \
  OP(CG_COSH, 1, CALLS, cosh(X), (float)cosh((double)X)) \
  OP(CG_ERF, 1, CALLS, erf(X), (float)erf((double)X)) \
  OP(CG_LOG1P, 1, CALLS, log1p(X), (float)log1p((double)X)) \
  OP(CG_EXPM1, 1, CALLS, expm1(X), (float)expm1((double)X)) \
  OP(CG_CBRT, 1, CALLS, cbrt(X), (float)cbrt((double)X)) \
  OP(CG_ATAN2, 2, CALLS, atan2(X, Y), (float)atan2((double)X, (double)Y))
