#include "ckernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cg_math.h"

const char *cg_math_source(void) { return cg_math_text; }

// A cg_code without a case in a kernel's switch is a build error.
#pragma clang diagnostic error "-Wswitch"
#pragma GCC diagnostic error "-Wswitch"

double cg_exp(double x) { return exp_inline(x); }
double cg_tanh(double x) { return tanh_inline(x); }
double cg_log(double x) { return log_inline(x); }

__attribute__((always_inline)) static inline double pow_exact(double x, double c) { return pow(x, c); }

// sqrt without errno, so it vectorises.
#if __has_builtin(__builtin_elementwise_sqrt)
#define SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define SQRT(x) sqrt(x)
#endif

// x^(-1/2) as C's pow gives it: +∞ at −0 (1/√−0 would be −∞) and 0 at −∞.
__attribute__((always_inline)) static inline double rsqrt_inline(double x) {
  return x == -INFINITY ? 0.0 : 1.0 / SQRT(x + 0.0);
}

// Registers are either disjoint or the very same buffer (t == a), so lanes
// never depend on each other: vectorise without runtime overlap checks.
#define LANES(expr) _Pragma("clang loop vectorize(assume_safety)") for (long i = 0; i < length; i++) { t[i] = (expr); }
// For libm calls, which do not vectorise.
#define CALLS(expr) for (long i = 0; i < length; i++) { t[i] = (expr); }

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void cg_run(const cg_instruction *code, long count, double *const *registers, long length) {
  for (long n = 0; n < count; n++) {
    const cg_instruction ins = code[n];
    double *t = registers[ins.target];
    const double *a = registers[ins.a];
    const double *b = registers[ins.b];
    const double *d = registers[ins.d];
    const double c = ins.c;
    switch ((cg_code)ins.code) {
      case CG_ADD: LANES(a[i] + b[i]) break;
      case CG_MUL: LANES(a[i] * b[i]) break;
      case CG_NEG: LANES(-a[i]) break;
      case CG_COPY: LANES(a[i]) break;
      case CG_SQUARE: LANES(a[i] * a[i]) break;
      case CG_CUBE: LANES(a[i] * a[i] * a[i]) break;
      case CG_RECIP: LANES(1.0 / a[i]) break;
      case CG_SQRT: LANES(SQRT(a[i])) break;
      case CG_RSQRT: LANES(rsqrt_inline(a[i])) break;
      case CG_POWI: LANES(powi_inline(a[i], c)) break;
      case CG_POW: CALLS(pow_exact(a[i], c)) break;
      case CG_POWXY: CALLS(pow(a[i], b[i])) break;
      case CG_ABS: LANES(fabs(a[i])) break;
      case CG_SIGN: LANES(sign_inline(a[i])) break;
      case CG_MAX: LANES(max_inline(a[i], b[i])) break;
      case CG_MIN: LANES(min_inline(a[i], b[i])) break;
      case CG_LT: LANES(a[i] < b[i] ? 1.0 : 0.0) break;
      case CG_LE: LANES(a[i] <= b[i] ? 1.0 : 0.0) break;
      case CG_GT: LANES(a[i] > b[i] ? 1.0 : 0.0) break;
      case CG_GE: LANES(a[i] >= b[i] ? 1.0 : 0.0) break;
      case CG_EQ: LANES(a[i] == b[i] ? 1.0 : 0.0) break;
      case CG_WHERE: LANES(a[i] != 0 ? b[i] : d[i]) break;
      case CG_TAN: CALLS(tan(a[i])) break;
      case CG_ATAN: CALLS(atan(a[i])) break;
      case CG_ASIN: CALLS(asin(a[i])) break;
      case CG_ACOS: CALLS(acos(a[i])) break;
      case CG_SINH: CALLS(sinh(a[i])) break;
      case CG_COSH: CALLS(cosh(a[i])) break;
      case CG_ERF: CALLS(erf(a[i])) break;
      case CG_LOG1P: CALLS(log1p(a[i])) break;
      case CG_EXPM1: CALLS(expm1(a[i])) break;
      case CG_CBRT: CALLS(cbrt(a[i])) break;
      case CG_ATAN2: CALLS(atan2(a[i], b[i])) break;
      case CG_EXP: LANES(exp_inline(a[i])) break;
      case CG_TANH: LANES(tanh_inline(a[i])) break;
      case CG_LN: LANES(log_inline(a[i])) break;
      case CG_SIN: CALLS(sin(a[i])) break;
      case CG_COS: CALLS(cos(a[i])) break;
      case CG_CALL: ins.call(ins.context, a, b, d, t, length); break;
      case CG_SUM:      // lowered to chains of CG_ADD
      case CG_PRODUCT:  // and of CG_MUL
        break;
    }
  }
}

// Operands whose slots form a run (index[a + k] == a_run + k) are read in
// place; others are gathered into contiguous blocks first (plain loads).
// Either way the computing loop runs over contiguous memory and vectorises.
#define BLOCK 256
#define OPERAND(name, run, idx)                                              \
  const double *name;                                                        \
  if (run >= 0) {                                                            \
    name = v + run + k0;                                                     \
  } else {                                                                   \
    for (long k = 0; k < m; k++) name##_block[k] = v[idx[k0 + k]];           \
    name = name##_block;                                                     \
  }
#define GATHER1(expr)                                                        \
  for (long k0 = 0; k0 < n; k0 += BLOCK) {                                   \
    const long m = n - k0 < BLOCK ? n - k0 : BLOCK;                          \
    double xs_block[BLOCK];                                                  \
    OPERAND(xs, grp.a_run, ia)                                               \
    for (long k = 0; k < m; k++) { const double x = xs[k]; t[k0 + k] = (expr); } \
  }
#define GATHER2(expr)                                                        \
  for (long k0 = 0; k0 < n; k0 += BLOCK) {                                   \
    const long m = n - k0 < BLOCK ? n - k0 : BLOCK;                          \
    double xs_block[BLOCK], ys_block[BLOCK];                                 \
    OPERAND(xs, grp.a_run, ia)                                               \
    OPERAND(ys, grp.b_run, ib)                                               \
    for (long k = 0; k < m; k++) { const double x = xs[k], y = ys[k]; t[k0 + k] = (expr); } \
  }
#define GATHER3(expr)                                                        \
  for (long k0 = 0; k0 < n; k0 += BLOCK) {                                   \
    const long m = n - k0 < BLOCK ? n - k0 : BLOCK;                          \
    double xs_block[BLOCK], ys_block[BLOCK], zs_block[BLOCK];                \
    OPERAND(xs, grp.a_run, ia)                                               \
    OPERAND(ys, grp.b_run, ib)                                               \
    OPERAND(zs, grp.d_run, id)                                               \
    for (long k = 0; k < m; k++) {                                           \
      const double x = xs[k], y = ys[k], z = zs[k];                          \
      t[k0 + k] = (expr);                                                    \
    }                                                                        \
  }

// One group.  `t` (the group's outputs) never overlaps the slots it reads
// (its inputs sit at lower levels), hence `restrict`, which lets the gathers
// vectorise.
__attribute__((always_inline)) static inline void run_group(const cg_group grp, const int32_t *restrict ia, const int32_t *restrict ib,
                             const int32_t *restrict id, const double *restrict v, double *restrict t) {
  const long n = grp.count;
  const long arity = grp.arity;
  const double c = grp.c;
  switch ((cg_code)grp.code) {
    case CG_SUM:
      if (arity >= CG_SPLIT_SUM) {
        for (long k = 0; k < n; k++) {
          const int32_t *x = ia + k * arity;
          double s0 = v[x[0]], s1 = v[x[1]], s2 = v[x[2]], s3 = v[x[3]];
          long j = 4;
          for (; j + 3 < arity; j += 4) {
            s0 += v[x[j]];
            s1 += v[x[j + 1]];
            s2 += v[x[j + 2]];
            s3 += v[x[j + 3]];
          }
          if (j < arity) s0 += v[x[j]];
          if (j + 1 < arity) s1 += v[x[j + 1]];
          if (j + 2 < arity) s2 += v[x[j + 2]];
          t[k] = (s0 + s1) + (s2 + s3);
        }
        break;
      }
      for (long k = 0; k < n; k++) {
        double acc = 0.0;
        for (long j = 0; j < arity; j++) acc += v[ia[k * arity + j]];
        t[k] = acc;
      }
      break;
    case CG_PRODUCT:
      for (long k = 0; k < n; k++) {
        double acc = 1.0;
        for (long j = 0; j < arity; j++) acc *= v[ia[k * arity + j]];
        t[k] = acc;
      }
      break;
    case CG_CALL:  // operands gathered into blocks, then the caller's kernel on each block
      for (long k0 = 0; k0 < n; k0 += BLOCK) {
        const long m = n - k0 < BLOCK ? n - k0 : BLOCK;
        double xs_block[BLOCK], ys_block[BLOCK], zs_block[BLOCK];
        const double *second = NULL, *third = NULL;
        OPERAND(xs, grp.a_run, ia)
        if (arity > 1) { OPERAND(ys, grp.b_run, ib) second = ys; }
        if (arity > 2) { OPERAND(zs, grp.d_run, id) third = zs; }
        grp.call(grp.context, xs, second, third, t + k0, m);
      }
      break;
    case CG_ADD: GATHER2(x + y) break;
    case CG_MUL: GATHER2(x * y) break;
    case CG_NEG: GATHER1(-x) break;
    case CG_COPY: GATHER1(x) break;
    case CG_SQUARE: GATHER1(x * x) break;
    case CG_CUBE: GATHER1(x * x * x) break;
    case CG_RECIP: GATHER1(1.0 / x) break;
    case CG_SQRT: GATHER1(SQRT(x)) break;
    case CG_RSQRT: GATHER1(rsqrt_inline(x)) break;
    case CG_POWI: GATHER1(powi_inline(x, c)) break;
    case CG_POW: GATHER1(pow_exact(x, c)) break;
    case CG_POWXY: GATHER2(pow(x, y)) break;
    case CG_ABS: GATHER1(fabs(x)) break;
    case CG_SIGN: GATHER1(sign_inline(x)) break;
    case CG_MAX: GATHER2(max_inline(x, y)) break;
    case CG_MIN: GATHER2(min_inline(x, y)) break;
    case CG_LT: GATHER2(x < y ? 1.0 : 0.0) break;
    case CG_LE: GATHER2(x <= y ? 1.0 : 0.0) break;
    case CG_GT: GATHER2(x > y ? 1.0 : 0.0) break;
    case CG_GE: GATHER2(x >= y ? 1.0 : 0.0) break;
    case CG_EQ: GATHER2(x == y ? 1.0 : 0.0) break;
    case CG_WHERE: GATHER3(x != 0 ? y : z) break;
    case CG_TAN: GATHER1(tan(x)) break;
    case CG_ATAN: GATHER1(atan(x)) break;
    case CG_ASIN: GATHER1(asin(x)) break;
    case CG_ACOS: GATHER1(acos(x)) break;
    case CG_SINH: GATHER1(sinh(x)) break;
    case CG_COSH: GATHER1(cosh(x)) break;
    case CG_ERF: GATHER1(erf(x)) break;
    case CG_LOG1P: GATHER1(log1p(x)) break;
    case CG_EXPM1: GATHER1(expm1(x)) break;
    case CG_CBRT: GATHER1(cbrt(x)) break;
    case CG_ATAN2: GATHER2(atan2(x, y)) break;
    case CG_EXP: GATHER1(exp_inline(x)) break;
    case CG_TANH: GATHER1(tanh_inline(x)) break;
    case CG_LN: GATHER1(log_inline(x)) break;
    case CG_SIN: GATHER1(sin(x)) break;
    case CG_COS: GATHER1(cos(x)) break;
  }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void cg_run_groups(const cg_group *groups, long count, const int32_t *index, double *values) {
  for (long g = 0; g < count; g++) {
    const cg_group grp = groups[g];
    run_group(grp, index + grp.a, index + grp.b, index + grp.d, values, values + grp.out);
  }
}
