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

// sqrt without errno, so it vectorises (the kernels' expressions, cg_elementwise.h, call sqrt).
#if __has_builtin(__builtin_elementwise_sqrt)
#define sqrt(x) __builtin_elementwise_sqrt(x)
#endif

// x^(-1/2) as C's pow gives it: +∞ at −0 (1/√−0 would be −∞) and 0 at −∞.
__attribute__((always_inline)) static inline double rsqrt_inline(double x) {
  return x == -INFINITY ? 0.0 : 1.0 / sqrt(x + 0.0);
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
      case CG_RSQRT: LANES(rsqrt_inline(a[i])) break;
      case CG_POWI: LANES(powi_inline(a[i], c)) break;
      case CG_POW: CALLS(pow_exact(a[i], c)) break;
// The elementwise ops, one case each: their expression on lane i of the operands.
#define X a[i]
#define Y b[i]
#define Z d[i]
#define RUN(code, arity, loop, expression, f32) case code: loop(expression) break;
      CG_ELEMENTWISE(RUN)
#undef RUN
#undef X
#undef Y
#undef Z
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
    case CG_RSQRT: GATHER1(rsqrt_inline(x)) break;
    case CG_POWI: GATHER1(powi_inline(x, c)) break;
    case CG_POW: GATHER1(pow_exact(x, c)) break;
// The elementwise ops, one case each: GATHER1, GATHER2 or GATHER3 by arity.
#define X x
#define Y y
#define Z z
#define GROUP(code, arity, loop, expression, f32) case code: GATHER##arity(expression) break;
    CG_ELEMENTWISE(GROUP)
#undef GROUP
#undef X
#undef Y
#undef Z
  }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void cg_run_groups(const cg_group *groups, long count, const int32_t *index, double *values) {
  for (long g = 0; g < count; g++) {
    const cg_group grp = groups[g];
    run_group(grp, index + grp.a, index + grp.b, index + grp.d, values, values + grp.out);
  }
}
