// The f32 twin of cg_run (kernels.c): the same register code over float
// registers, for tensor plans whose values are f32. exp, log and tanh are the
// float kernels of cg_math_f32.h (vectorised, twice the lanes of double's);
// the functions kernels.c leaves to libm call the double libm on the widened
// operand and round once, as the reference evaluator computes an f32 node.
#include "ckernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cg_math_f32.h"

#pragma clang diagnostic error "-Wswitch"
#pragma GCC diagnostic error "-Wswitch"

float cg_expf(float x) { return expf_inline(x); }
float cg_tanhf(float x) { return tanhf_inline(x); }
float cg_logf(float x) { return logf_inline(x); }

#if __has_builtin(__builtin_elementwise_sqrt)
#define SQRTF(x) __builtin_elementwise_sqrt(x)
#define SQRTD(x) __builtin_elementwise_sqrt(x)
#else
#define SQRTF(x) sqrtf(x)
#define SQRTD(x) sqrt(x)
#endif

// x^(-1/2) as pow gives it: +∞ at −0 and 0 at −∞ (sqrt and the division
// each round once; the reference rounds 1/√x computed in double once).
__attribute__((always_inline)) static inline float rsqrtf_inline(float x) {
  return x == -INFINITY ? 0.0f : (float)(1.0 / SQRTD((double)x + 0.0));
}

#define LANES(expr) _Pragma("clang loop vectorize(assume_safety)") for (long i = 0; i < length; i++) { t[i] = (expr); }
// A double libm function of the widened operands, rounded to float once.
#define CALLS(expr) for (long i = 0; i < length; i++) { const double x = a[i]; t[i] = (float)(expr); }
#define CALLS2(expr) for (long i = 0; i < length; i++) { const double x = a[i], y = b[i]; t[i] = (float)(expr); }

// A custom op's kernel takes doubles: its operands are widened a block at a
// time and its results rounded (the registers it does not read are widened
// too, as cg_run passes them all).
#define CALL_BLOCK 256
static void call_widened(const cg_instruction *ins, const float *a, const float *b, const float *d,
                         float *t, long length) {
  double xs[CALL_BLOCK], ys[CALL_BLOCK], zs[CALL_BLOCK], out[CALL_BLOCK];
  for (long k0 = 0; k0 < length; k0 += CALL_BLOCK) {
    const long m = length - k0 < CALL_BLOCK ? length - k0 : CALL_BLOCK;
    for (long k = 0; k < m; k++) {
      xs[k] = a[k0 + k];
      ys[k] = b[k0 + k];
      zs[k] = d[k0 + k];
    }
    ins->call(ins->context, xs, ys, zs, out, m);
    for (long k = 0; k < m; k++) t[k0 + k] = (float)out[k];
  }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void cg_run_f32(const cg_instruction *code, long count, float *const *registers, long length) {
  for (long n = 0; n < count; n++) {
    const cg_instruction ins = code[n];
    float *t = registers[ins.target];
    const float *a = registers[ins.a];
    const float *b = registers[ins.b];
    const float *d = registers[ins.d];
    const double c = ins.c;
    switch ((cg_code)ins.code) {
      case CG_ADD: LANES(a[i] + b[i]) break;
      case CG_MUL: LANES(a[i] * b[i]) break;
      case CG_NEG: LANES(-a[i]) break;
      case CG_COPY: LANES(a[i]) break;
      case CG_SQUARE: LANES(a[i] * a[i]) break;
      case CG_CUBE: LANES((float)((double)a[i] * a[i] * a[i])) break;
      case CG_RECIP: LANES(1.0f / a[i]) break;
      case CG_SQRT: LANES(SQRTF(a[i])) break;
      case CG_RSQRT: LANES(rsqrtf_inline(a[i])) break;
      case CG_POWI: LANES(powif_inline(a[i], c)) break;
      case CG_POW: CALLS(pow(x, c)) break;
      case CG_POWER: CALLS2(pow(x, y)) break;
      case CG_ABS: LANES(fabsf(a[i])) break;
      case CG_SIGN: LANES(signf_inline(a[i])) break;
      case CG_MAX: LANES(maxf_inline(a[i], b[i])) break;
      case CG_MIN: LANES(minf_inline(a[i], b[i])) break;
      case CG_LESS: LANES(a[i] < b[i] ? 1.0f : 0.0f) break;
      case CG_LESS_EQUAL: LANES(a[i] <= b[i] ? 1.0f : 0.0f) break;
      case CG_GREATER: LANES(a[i] > b[i] ? 1.0f : 0.0f) break;
      case CG_GREATER_EQUAL: LANES(a[i] >= b[i] ? 1.0f : 0.0f) break;
      case CG_EQUAL: LANES(a[i] == b[i] ? 1.0f : 0.0f) break;
      case CG_WHERE: LANES(a[i] != 0 ? b[i] : d[i]) break;
      case CG_TAN: CALLS(tan(x)) break;
      case CG_ATAN: CALLS(atan(x)) break;
      case CG_ASIN: CALLS(asin(x)) break;
      case CG_ACOS: CALLS(acos(x)) break;
      case CG_SINH: CALLS(sinh(x)) break;
      case CG_COSH: CALLS(cosh(x)) break;
      case CG_ERF: CALLS(erf(x)) break;
      case CG_LOG1P: CALLS(log1p(x)) break;
      case CG_EXPM1: CALLS(expm1(x)) break;
      case CG_CBRT: CALLS(cbrt(x)) break;
      case CG_ATAN2: CALLS2(atan2(x, y)) break;
      case CG_SIN: CALLS(sin(x)) break;
      case CG_COS: CALLS(cos(x)) break;
      case CG_EXP: LANES(expf_inline(a[i])) break;
      case CG_TANH: LANES(tanhf_inline(a[i])) break;
      case CG_LN: LANES(logf_inline(a[i])) break;
      case CG_CALL: call_widened(&ins, a, b, d, t, length); break;
      case CG_SUM:      // lowered to chains of CG_ADD
      case CG_PRODUCT:  // and of CG_MUL
        break;
    }
  }
}
